extension DashboardPage {
    /// Plain JavaScript: fetches `/api/v1/metrics` and each definition's weekly series, renders tiles, the per-app
    /// table and one inline-SVG bar chart per definition, and repeats every 5 seconds (no reload, relative URLs only).
    static let script = #"""
        "use strict";
        const KEYS = ["deploymentFrequency", "leadTimeForChanges", "changeFailureRate", "timeToRestore"];
        const TITLES = { deploymentFrequency: "Deployment frequency", leadTimeForChanges: "Lead time for changes",
          changeFailureRate: "Change failure rate", timeToRestore: "Time to restore service", custom: "Custom metric" };
        const REFRESH_MS = 5000;

        function esc(text) {
          return String(text == null ? "" : text).replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
        }
        function levelClass(level) { return level ? "level-" + esc(level) : "level-none"; }
        function shown(value, unit) {
          if (value == null) return "–";
          if (unit === "ratio") { const n = Number(value); return isFinite(n) ? (Math.round(n * 1000) / 10) + "%" : value; }
          return value;
        }
        function unitText(unit) { return unit === "ratio" ? "" : (unit || ""); }
        function key(item) { return item.namespace + "/" + item.name; }
        // Unit of a series point (a deployment-frequency bucket counts deployments; its headline is a rate).
        function pointUnit(item) { return item.metric === "deploymentFrequency" ? "deployments" : item.unit; }

        // Definitions in display order: the four keys first (in order), then custom ones; by namespace/name within a kind.
        function ordered(items) {
          const rank = m => { const i = KEYS.indexOf(m); return i < 0 ? KEYS.length : i; };
          return items.slice().sort((a, b) => rank(a.metric) - rank(b.metric) || key(a).localeCompare(key(b)));
        }

        // Tiles are built with DOM calls (attributes in a fixed order: class, data-metric, data-definition, data-value,
        // data-level, data-unit), so this script's text holds no tile markup a DOM scraper could mistake for a tile.
        function tile(attributes, inner) {
          const element = document.createElement("div");
          for (const [name, value] of attributes) element.setAttribute(name, value);
          element.innerHTML = inner;
          return element;
        }

        function renderTiles(items) {
          const tiles = [];
          for (const metric of KEYS) {
            if (!items.some(i => i.metric === metric)) {
              tiles.push(tile([["class", "tile level-none"], ["data-metric", metric], ["data-definition", ""], ["data-value", ""], ["data-level", ""]],
                `<div class="title">${TITLES[metric]}</div><div class="value">–</div><div class="meta"><span>no MetricDefinition</span></div>`));
            }
          }
          for (const item of ordered(items)) {
            tiles.push(tile(
              [["class", "tile " + levelClass(item.level)], ["data-metric", item.metric], ["data-definition", key(item)],
               ["data-value", item.value == null ? "" : item.value], ["data-level", item.level || ""], ["data-unit", item.unit || ""]],
              `<div class="title">${esc(TITLES[item.metric] || item.metric)}</div>` +
              `<div class="value"><span class="number">${esc(shown(item.value, item.unit))}</span><span class="unit">${esc(unitText(item.unit))}</span></div>` +
              `<div class="meta"><span>${esc(key(item))} · ${esc(item.window)} · ${esc(item.samples)} samples</span>` +
              `<span class="badge ${levelClass(item.level)}">${esc(item.level || "no level")}</span></div>` +
              (item.ready === false ? `<div class="warn">not ready: ${esc(item.message || "the spec does not compile")}</div>` : "")));
          }
          document.getElementById("tiles").replaceChildren(...tiles);
        }

        function renderApps(items) {
          const columns = ordered(items).filter(i => (i.groups || []).some(g => g.labels && g.labels.app != null));
          const apps = new Map();
          for (const item of columns) {
            for (const group of item.groups || []) {
              const app = group.labels && group.labels.app;
              if (app == null) continue;
              const env = group.labels.environment;
              const row = env == null ? app : app + " (" + env + ")";
              if (!apps.has(row)) apps.set(row, { app, env, cells: {} });
              apps.get(row).cells[key(item)] = group;
            }
          }
          const table = document.getElementById("apps");
          document.getElementById("apps-empty").hidden = apps.size > 0;
          table.hidden = apps.size === 0;
          table.tHead.innerHTML = "<tr><th>App</th>" + columns.map(c =>
            `<th title="${esc(key(c))}">${esc(TITLES[c.metric] || c.metric)}${c.unit && c.unit !== "ratio" ? " <span class=\"muted\">(" + esc(c.unit) + ")</span>" : ""}</th>`).join("") + "</tr>";
          const rows = [...apps.keys()].sort((a, b) => a.localeCompare(b)).map(row => {
            const entry = apps.get(row);
            const cells = columns.map(c => {
              const g = entry.cells[key(c)];
              if (!g) return `<td data-metric="${esc(c.metric)}" data-definition="${esc(key(c))}" data-value="">–</td>`;
              return `<td data-metric="${esc(c.metric)}" data-definition="${esc(key(c))}" data-value="${esc(g.value == null ? "" : g.value)}" data-level="${esc(g.level || "")}">` +
                `${esc(shown(g.value, c.unit))}${g.level ? `<span class="badge ${levelClass(g.level)}">${esc(g.level)}</span>` : ""}</td>`;
            }).join("");
            return `<tr data-app="${esc(entry.app)}"${entry.env != null ? ` data-environment="${esc(entry.env)}"` : ""}><td>${esc(row)}</td>${cells}</tr>`;
          });
          table.tBodies[0].innerHTML = rows.join("");
        }

        // One bar per stored week of the ungrouped series; weeks without data are grey ticks.
        function chartSVG(item, data) {
          const W = 480, H = 170, L = 40, R = 8, T = 10, B = 22;
          const series = (data.series || []).find(s => Object.keys(s.labels || {}).length === 0) || { points: [] };
          const week = 7 * 86400000, to = Date.parse(data.to);
          // From the first stored week (at least 12 weeks shown), not from the start of the 26 requested.
          const first = series.points.length ? Date.parse(series.points[0].start) : Date.parse(data.from);
          const start = Date.parse(data.from), lastWeek = start + Math.floor((to - start) / week) * week;
          const from = Math.max(start, Math.min(first, lastWeek - 11 * week));
          const span = Math.max(week, to - from + week);
          const values = series.points.map(p => p.value).filter(v => v != null && isFinite(v));
          const max = values.length && Math.max(...values) > 0 ? Math.max(...values) : 1;
          const scaleMax = niceMax(max);
          const x = t => L + (W - L - R) * (t - from) / span;
          const y = v => H - B - (H - B - T) * v / scaleMax;
          const barW = Math.max(2, (W - L - R) * week / span - 2);
          const parts = [`<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(TITLES[item.metric] || item.metric)} per week">`];
          parts.push(`<line class="axis" x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}"/><line class="axis" x1="${L}" y1="${T}" x2="${L}" y2="${H - B}"/>`);
          parts.push(`<text x="${L - 4}" y="${T + 8}" text-anchor="end">${esc(fmt(scaleMax, pointUnit(item), true))}</text><text x="${L - 4}" y="${H - B}" text-anchor="end">0</text>`);
          for (const p of series.points) {
            const t = Date.parse(p.start);
            if (p.value == null) {
              parts.push(`<rect class="nodata" x="${x(t).toFixed(1)}" y="${H - B - 2}" width="${barW.toFixed(1)}" height="2"><title>${esc(p.start.slice(0, 10))}: no data</title></rect>`);
              continue;
            }
            const top = y(p.value);
            parts.push(`<rect class="bar" data-start="${esc(p.start)}" data-value="${p.value}" x="${x(t).toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${Math.max(0, H - B - top).toFixed(1)}">` +
              `<title>${esc(p.start.slice(0, 10))}: ${esc(fmt(p.value, pointUnit(item)))} (${p.samples} samples)</title></rect>`);
          }
          parts.push(`<text x="${L}" y="${H - 6}">${esc(new Date(from).toISOString().slice(0, 10))}</text><text x="${W - R}" y="${H - 6}" text-anchor="end">${esc(data.to.slice(0, 10))}</text>`);
          if (series.points.length === 0) parts.push(`<text x="${(L + W) / 2}" y="${H / 2}" text-anchor="middle">no data yet</text>`);
          parts.push("</svg>");
          return parts.join("");
        }
        function niceMax(v) {
          const p = Math.pow(10, Math.floor(Math.log10(v)));
          for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
          return 10 * p;
        }
        function fmt(v, unit, bare) {
          if (unit === "ratio") return Math.round(v * 1000) / 10 + "%";
          const n = Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100;
          return bare || !unit ? String(n) : n + " " + unit;
        }

        async function renderCharts(items) {
          const container = document.getElementById("charts");
          const list = ordered(items);
          const wanted = list.map(key).join("|");
          if (container.dataset.keys !== wanted) {
            container.innerHTML = list.map(i =>
              `<figure class="chart" data-definition="${esc(key(i))}" data-metric="${esc(i.metric)}"><figcaption>${esc(TITLES[i.metric] || i.metric)}${pointUnit(i) && pointUnit(i) !== "ratio" ? " (" + esc(pointUnit(i)) + ")" : ""} <span class="muted">${esc(key(i))}</span></figcaption><div class="plot"></div></figure>`).join("");
            container.dataset.keys = wanted;
          }
          await Promise.all(list.map(async item => {
            const response = await api(`/api/v1/metrics/${encodeURIComponent(item.namespace)}/${encodeURIComponent(item.name)}?bucket=week&series=overall`);
            if (!response.ok) throw new Error(`series ${key(item)}: HTTP ${response.status}`);
            const data = await response.json();
            const figure = [...container.querySelectorAll(".chart")].find(f => f.dataset.definition === key(item));
            if (figure) figure.querySelector(".plot").innerHTML = chartSVG(item, data);
          }));
        }

        // When reads need a bearer token (docs/security.md), the page asks for one once and keeps it for the tab.
        function api(path) {
          const token = sessionStorage.getItem("pacer-token");
          return fetch(path, { cache: "no-store", headers: token ? { "Authorization": "Bearer " + token } : {} });
        }

        async function refresh() {
          const status = document.getElementById("status");
          try {
            let response = await api("/api/v1/metrics");
            if (response.status === 401) {
              const token = window.prompt("This Pacer needs a bearer token to read metrics (for example: kubectl create token NAME):");
              if (token) { sessionStorage.setItem("pacer-token", token.trim()); response = await api("/api/v1/metrics"); }
            }
            if (!response.ok) throw new Error(`HTTP ${response.status}${response.status === 401 ? " (a bearer token is needed)" : response.status === 403 ? " (the token may not read these metrics)" : ""}`);
            const items = (await response.json()).items || [];
            rememberDefinitions(items);
            renderTiles(items);
            renderApps(items);
            await renderCharts(items);
            status.dataset.state = "ok";
            status.textContent = `${items.length} definition${items.length === 1 ? "" : "s"}`;
            document.getElementById("updated").textContent = new Date().toLocaleTimeString();
          } catch (error) {
            status.dataset.state = "error";
            status.textContent = "cannot load metrics: " + error.message;
          } finally {
            setTimeout(refresh, REFRESH_MS);
          }
        }
        refresh();
        """#
}
