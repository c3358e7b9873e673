extension DashboardPage {
    /// Inline CSS: light and dark, a responsive grid of tiles, DORA level colours (`.level-Elite` …).
    static let css = """
        :root { --bg:#f6f8fa; --fg:#1f2328; --muted:#656d76; --card:#fff; --line:#d0d7de;
          --elite:#1a7f37; --high:#4ac26b; --medium:#bf8700; --low:#cf222e; --none:#8c959f; --bar:#0969da; }
        @media (prefers-color-scheme: dark) { :root { --bg:#0d1117; --fg:#e6edf3; --muted:#8d96a0; --card:#161b22; --line:#30363d; --bar:#4493f8; } }
        * { box-sizing: border-box; }
        body { margin:0; font:14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--fg); }
        header { display:flex; align-items:center; justify-content:space-between; padding:16px 24px; border-bottom:1px solid var(--line); }
        h1 { margin:0; font-size:20px; } h1 span { font-weight:400; color:var(--muted); }
        h2 { font-size:15px; margin:0 0 12px; }
        main { padding:16px 24px; display:grid; gap:16px; }
        .muted { color:var(--muted); font-weight:400; }
        #status { font-size:12px; padding:2px 8px; border-radius:10px; background:var(--card); border:1px solid var(--line); }
        #status[data-state=error] { color:var(--low); border-color:var(--low); }
        .tiles { display:grid; grid-template-columns:repeat(auto-fill, minmax(220px, 1fr)); gap:12px; }
        .tile { background:var(--card); border:1px solid var(--line); border-top:4px solid var(--none); border-radius:8px; padding:12px 14px; }
        .tile.level-Elite { border-top-color:var(--elite); } .tile.level-High { border-top-color:var(--high); }
        .tile.level-Medium { border-top-color:var(--medium); } .tile.level-Low { border-top-color:var(--low); }
        .tile .title { font-size:12px; text-transform:uppercase; letter-spacing:.04em; color:var(--muted); }
        .tile .value { font-size:30px; font-weight:600; margin:4px 0 0; }
        .tile .unit { font-size:13px; color:var(--muted); margin-left:4px; font-weight:400; }
        .tile .meta { font-size:12px; color:var(--muted); display:flex; justify-content:space-between; align-items:flex-start; gap:8px; margin-top:6px; }
        .tile .meta .badge { flex:none; }
        .tile .warn { font-size:12px; color:var(--low); margin-top:6px; }
        .badge { display:inline-block; white-space:nowrap; font-size:11px; font-weight:600; padding:1px 8px; border-radius:10px; color:#fff; background:var(--none); }
        .badge.level-Elite { background:var(--elite); } .badge.level-High { background:var(--high); }
        .badge.level-Medium { background:var(--medium); } .badge.level-Low { background:var(--low); }
        .panel { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px; overflow-x:auto; }
        table { border-collapse:collapse; width:100%; }
        th, td { text-align:left; padding:6px 10px; border-bottom:1px solid var(--line); white-space:nowrap; }
        th { font-size:12px; color:var(--muted); font-weight:600; }
        td .badge { margin-left:6px; }
        .charts { display:grid; grid-template-columns:repeat(auto-fill, minmax(340px, 1fr)); gap:12px; }
        .chart { margin:0; } .chart figcaption { font-size:13px; font-weight:600; margin-bottom:4px; }
        .chart svg { width:100%; height:auto; display:block; }
        .chart .axis { stroke:var(--line); } .chart text { fill:var(--muted); font-size:10px; }
        .chart rect.bar { fill:var(--bar); } .chart rect.nodata { fill:var(--line); }
        .tile[data-definition]:not([data-definition=""]), .chart rect.bar { cursor:pointer; }
        #samples td.why { white-space:normal; } #samples h2 { display:flex; justify-content:space-between; }
        #samples button { font:inherit; background:var(--card); color:var(--fg); border:1px solid var(--line); border-radius:6px; padding:2px 10px; cursor:pointer; }
        footer { padding:12px 24px; color:var(--muted); font-size:12px; } a { color:var(--bar); }
        """
}
