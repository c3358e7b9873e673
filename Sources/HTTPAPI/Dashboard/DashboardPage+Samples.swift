extension DashboardPage {
    /// Plain JavaScript of the samples panel: a click on a tile lists the facts behind its headline, a click on a bar
    /// those behind that week (`/api/v1/metrics/{ns}/{name}/samples`), 100 per page with a "more" button.
    /// Uses `esc`, `api`, `TITLES` and `key` from ``DashboardPage/script``.
    static let samplesScript = #"""
        const SAMPLE_COLUMNS = {
          deployment: ["Time", "App", "Deployment", "Failed", "Why"],
          change: ["Deployed", "App", "Change", "Merged", "Lead time", "Deployment"],
          recovery: ["Failed at", "App", "Deployment", "Why", "Remediation", "Recovery"],
          incident: ["Resolved", "App", "Incident", "Opened", "Time to restore"],
          event: ["Time", "App", "Type", "Event", "Value"],
        };
        const KIND_OF = { leadTimeForChanges: "change", failedDeploymentRecoveryTime: "recovery", timeToRestore: "incident", custom: "event" };
        const samplesState = { definition: null, path: null, next: null };

        function when(text) { return text ? esc(text.replace("T", " ").replace(/\.\d+Z$|Z$/, "")) : "–"; }
        function hours(h) { return h == null ? "–" : esc(Math.round(h * 100) / 100) + " h"; }
        function deploymentName(d) {
          if (!d) return "–";
          return esc(d.name || d.id) + (d.commit ? ` <span class="muted">${esc(d.commit)}</span>` : d.version ? ` <span class="muted">${esc(d.version)}</span>` : "");
        }
        function whyText(d) {
          return (d.why || []).map(w => {
            if (w.reason === "rolloutFailed") return "its rollout failed";
            if (w.reason === "rolledBack") return "rolled back by " + (w.by ? (w.by.name || w.by.id) + " (" + w.by.time.slice(0, 16).replace("T", " ") + ")" : "a later rollback");
            if (w.reason === "incident") {
              const i = w.incident ? "incident " + w.incident.subject + " opened " + w.incident.openedAt.slice(0, 16).replace("T", " ") : "an incident";
              return i + (w.attribution === "named" ? " names it" : ` ${Math.round(w.afterSeconds / 60)} min after it`);
            }
            return w.reason;
          }).join("; ");
        }
        function sampleRow(item) {
          const a = `data-kind="${esc(item.kind)}"`;
          switch (item.kind) {
            case "deployment": {
              const rework = item.rework ? (item.rework.value ? (item.rework.reason === "rollback" ? " · rework: a rollback" :
                " · rework: made while " + esc((item.rework.openFailure || {}).name || "a failure") + " had failed") : "") : "";
              return `<tr ${a} data-id="${esc(item.id)}" data-failed="${item.failed}"><td>${when(item.time)}</td><td>${esc(item.app)}</td>` +
                `<td>${deploymentName(item)}${item.rollback ? ' <span class="badge">rollback</span>' : ""}</td>` +
                `<td>${item.failed ? '<span class="badge level-Low">failed</span>' : "no"}</td><td class="why">${esc(whyText(item))}${rework}</td></tr>`;
            }
            case "change":
              return `<tr ${a} data-id="${esc(item.sha)}" data-hours="${item.hours}"><td>${when(item.deployTime)}</td><td>${esc(item.app)}</td>` +
                `<td>${esc(item.sha)}</td><td>${when(item.changeTime)}</td><td>${hours(item.hours)}</td><td>${deploymentName(item.deployment)}</td></tr>`;
            case "recovery": {
              const r = item.remediation || {};
              const by = r.kind === "deployment" ? "deployment " + deploymentName(r.deployment) : "incident resolved " + when(r.time);
              return `<tr ${a} data-id="${esc(item.deployment.id)}" data-hours="${item.hours}"><td>${when(item.time)}</td><td>${esc(item.app)}</td>` +
                `<td>${deploymentName(item.deployment)}</td><td class="why">${esc(whyText(item.deployment))}</td><td>${by}</td><td>${hours(item.hours)}</td></tr>`;
            }
            case "incident":
              return `<tr ${a} data-id="${esc(item.subject)}" data-hours="${item.hours}"><td>${when(item.resolvedAt)}</td><td>${esc(item.app)}</td>` +
                `<td>${esc(item.subject)}</td><td>${when(item.openedAt)}</td><td>${hours(item.hours)}</td></tr>`;
            default:
              return `<tr ${a} data-id="${esc(item.id)}"><td>${when(item.time)}</td><td>${esc(item.app)}</td><td>${esc(item.type)}</td>` +
                `<td>${esc(item.id)}</td><td>${esc(item.value == null ? "–" : item.value)}</td></tr>`;
          }
        }

        async function loadSamples(append) {
          const panel = document.getElementById("samples");
          const body = panel.querySelector("tbody");
          panel.dataset.state = "loading";
          try {
            const path = samplesState.path + (append && samplesState.next ? "&continue=" + encodeURIComponent(samplesState.next) : "");
            const response = await api(path);
            const data = await response.json();
            if (!response.ok) throw new Error((data.error && data.error.message) || "HTTP " + response.status);
            const rows = (data.items || []).map(sampleRow).join("");
            if (append) body.insertAdjacentHTML("beforeend", rows); else body.innerHTML = rows;
            samplesState.next = data.continue;
            panel.dataset.total = data.total;
            const shown = body.rows.length;
            document.getElementById("samples-summary").textContent =
              `${data.total} sample${data.total === 1 ? "" : "s"}` + (shown < data.total ? ` (${shown} shown)` : "") +
              ` · ${data.from.slice(0, 10)} to ${data.to.slice(0, 10)}` + (data.group ? ` · ${data.group}` : "");
            document.getElementById("samples-empty").hidden = shown > 0;
            document.getElementById("samples-more").hidden = !data.continue;
            panel.dataset.state = "ok";
          } catch (error) {
            document.getElementById("samples-summary").textContent = "cannot load samples: " + error.message;
            panel.dataset.state = "error";
          }
        }

        // Opens the panel for a definition's headline (no bucket) or one bucket of its series.
        function openSamples(item, bucket, start) {
          const panel = document.getElementById("samples");
          const kind = KIND_OF[item.metric] || "deployment";
          samplesState.definition = key(item);
          samplesState.path = `/api/v1/metrics/${encodeURIComponent(item.namespace)}/${encodeURIComponent(item.name)}/samples?limit=100` +
            (bucket ? `&bucket=${encodeURIComponent(bucket)}&start=${encodeURIComponent(start)}` : "");
          samplesState.next = null;
          panel.dataset.definition = key(item);
          panel.dataset.bucket = bucket || "";
          panel.dataset.start = start || "";
          document.getElementById("samples-title").textContent =
            `${TITLES[item.metric] || item.metric}: ${bucket ? "the " + bucket + " of " + start.slice(0, 10) : "the headline"} (${key(item)})`;
          panel.querySelector("thead").innerHTML = "<tr>" + SAMPLE_COLUMNS[kind].map(c => `<th>${esc(c)}</th>`).join("") + "</tr>";
          panel.querySelector("tbody").innerHTML = "";
          panel.hidden = false;
          loadSamples(false);
          panel.scrollIntoView({ block: "nearest" });
        }

        let definitionsByKey = new Map();
        function rememberDefinitions(items) { definitionsByKey = new Map(items.map(i => [key(i), i])); }
        document.getElementById("tiles").addEventListener("click", event => {
          const tile = event.target.closest(".tile[data-definition]");
          const item = tile && definitionsByKey.get(tile.dataset.definition);
          if (item) openSamples(item);
        });
        document.getElementById("charts").addEventListener("click", event => {
          const bar = event.target.closest("rect.bar");
          const figure = bar && bar.closest(".chart");
          const item = figure && definitionsByKey.get(figure.dataset.definition);
          if (item) openSamples(item, "week", bar.dataset.start);
        });
        document.getElementById("samples-more").addEventListener("click", () => loadSamples(true));
        document.getElementById("samples-close").addEventListener("click", () => { document.getElementById("samples").hidden = true; });
        """#
}
