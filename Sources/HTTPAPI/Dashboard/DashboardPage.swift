/// The dashboard page: HTML with inline CSS (``DashboardPage/css``) and plain JavaScript (``DashboardPage/script``).
///
/// Stable hooks for browser tests: `.tile[data-metric][data-definition][data-value][data-level]` per definition (the
/// four keys first, in order), `#apps tr[data-app] td[data-metric][data-value]` per group, `.chart[data-definition]`
/// holding an inline `<svg>`, `#status[data-state]` (`loading`, `ok`, `error`) and `#updated`.
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
            <h2>Over time <span class="muted">(weekly)</span></h2>
            <div id="charts" class="charts"></div>
          </section>
        </main>
        <footer>Updated <span id="updated">never</span> · refreshes every 5 s · <a href="/api/v1/metrics">/api/v1/metrics</a> · <a href="/metrics">/metrics</a></footer>
        <script>
        \(script)
        </script>
        </body>
        </html>
        """
}
