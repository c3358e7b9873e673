/// The dashboard page: HTML with inline CSS (``DashboardPage/css``) and plain JavaScript (``DashboardPage/script``).
///
/// Stable hooks for browser tests: `.tile[data-metric][data-definition][data-value][data-level]` per definition (the
/// four keys first, in order), `#apps tr[data-app] td[data-metric][data-value]` per group, `.chart[data-definition]`
/// holding an inline `<svg>`, `#status[data-state]` (`loading`, `ok`, `error`) and `#updated`; the samples panel
/// `#samples[data-definition][data-bucket][data-start][data-total][data-state]` (`loading`, `ok`, `error`) with one
/// `tbody tr[data-kind][data-id]` per sample (`data-failed` on deployments, `data-hours` on changes, recoveries, incidents).
enum DashboardPage {
    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Pacer: DORA metrics</title>
        <style>
        \(css)
        </style>
        </head>
        <body>
        <header>
          <h1>Pacer <span>DORA metrics</span></h1>
          <div id="status" data-state="loading">loading…</div>
        </header>
        <main>
          <section id="tiles" class="tiles" aria-label="The four keys"></section>
          <section class="panel">
            <h2>Per app</h2>
            <table id="apps"><thead></thead><tbody></tbody></table>
            <p id="apps-empty" class="muted" hidden>No per-app values yet (definitions with <code>groupBy: [app]</code> show one row per app).</p>
          </section>
          <section class="panel">
            <h2>Over time <span class="muted">(weekly; click a bar, or a tile above, for the samples behind it)</span></h2>
            <div id="charts" class="charts"></div>
          </section>
          <section id="samples" class="panel" hidden data-state="closed">
            <h2><span id="samples-title"></span> <button id="samples-close" type="button" aria-label="Close">×</button></h2>
            <p id="samples-summary" class="muted"></p>
            <table id="samples-table"><thead></thead><tbody></tbody></table>
            <p id="samples-empty" class="muted" hidden>No samples.</p>
            <button id="samples-more" type="button" hidden>More</button>
          </section>
        </main>
        <footer>Updated <span id="updated">never</span> · refreshes every 5 s · <a href="/api/v1/metrics">/api/v1/metrics</a> · <a href="/metrics">/metrics</a></footer>
        <script>
        \(script)
        \(samplesScript)
        </script>
        </body>
        </html>
        """
}
