import Foundation
import PacerApp
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// Issue 14's "done when", end to end: kube-sim, PostgreSQL, the CRDs and the default pipeline (examples/) applied
/// with the real kubectl, `pacer run` in process with the webhook receivers on, and the real Prometheus
/// Alertmanager sending to it.
///
/// A GitHub push of three commits to checkout's default branch, then a Deployment `checkout` (namespace
/// `production`, so environment production; app = the Deployment's name = the repository's name) whose only
/// annotation is the head commit's sha. Then an Alertmanager alert for app checkout fires and resolves.
@Suite("Webhooks end to end: GitHub push, a Deployment by sha, Alertmanager", .enabled(if: TestDatabase.enabled))
struct WebhookEndToEndTests {
    static let secret = "e2e-github-secret"
    static let alertmanagerToken = "e2e-alertmanager-token"

    @Test(.timeLimit(.minutes(10)))
    func pushDeployAlert() async throws {
        try #require(AlertmanagerProcess.installed, "prometheus-alertmanager is not installed (hack/deps.sh installs it)")
        let secrets = RepoPaths.root + "/.tmp/e2e-webhook-secrets-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
        try "\(Self.secret)\n".write(toFile: secrets + "/github", atomically: true, encoding: .utf8)
        try "\(Self.alertmanagerToken)\n".write(toFile: secrets + "/alertmanager", atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: secrets) }
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                try await run(kubectl: kubectl, databaseURL: url, kubeconfig: kubeconfig, secrets: secrets)
            }
        }
    }

    private func run(kubectl: Kubectl, databaseURL url: String, kubeconfig: String, secrets: String) async throws {
        try await expectOK(kubectl("apply", "-f", "crds/"))
        try await expectOK(kubectl("apply", "-f", "examples/"))
        var configuration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "webhooks-e2e")
        configuration.server.webhookSecretsDirectory = secrets
        let operatorConfiguration = configuration
        try await withPacer("pacer run", { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
            let http = HTTP(port: port)
            let raw = RawEvents(url: url)
            try await raw.waitForReadyConfig(metricDefinitions: 4)
            try await waitFor("/readyz") { try await http.status("/readyz") == 200 }
            // The webhook routes and transforms are reconciled too before the first delivery (an event routed before
            // its route exists stays unrouted).
            // examples/ is applied in file order and the webhook files come after metrics.yaml: on a loaded CI machine
            // (every suite at once on 2 cores) their reconciliation took more than 30 s after the definitions were
            // Ready, so this wait is generous.
            try await waitFor("the webhook routes and transforms Ready", timeout: .seconds(150)) {
                let routes = try await storedCount(url, "SELECT count(*)::int FROM pacer_event_routes WHERE ready AND name IN ('github-push', 'alertmanager-firing', 'alertmanager-resolved')")
                let transforms = try await storedCount(url, "SELECT count(*)::int FROM pacer_cdevent_transforms WHERE ready AND name IN ('github-push-change-merged', 'alertmanager-incident-detected', 'alertmanager-incident-resolved')")
                return routes == 3 && transforms == 3
            }

            // 1. A GitHub push of three commits to main, made 5 h, 3 h and 1 h before t0 (whole seconds).
            let t0 = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            let commits = [
                WebhookFixtures.Commit(sha: "c1a0000000000000000000000000000000000001", timestamp: RFC3339.format(t0 - 5 * 3600, fractionalDigits: 0), author: "Ann", message: "Cart: faster totals"),
                WebhookFixtures.Commit(sha: "c2b0000000000000000000000000000000000002", timestamp: RFC3339.format(t0 - 3 * 3600, fractionalDigits: 0), author: "Bo", message: "Cart: fix rounding"),
                WebhookFixtures.Commit(sha: "c3c0000000000000000000000000000000000003", timestamp: RFC3339.format(t0 - 1 * 3600, fractionalDigits: 0), author: "Cy", message: "Checkout: new button"),
            ]
            let push = WebhookFixtures.gitHubPush(repository: "acme/checkout", commits: commits)
            let headers = [
                "X-GitHub-Event: push", "X-GitHub-Delivery: 6e8f1a40-0000-4000-8000-000000000001",
                "X-Hub-Signature-256: \(WebhookFixtures.gitHubSignature(push, secret: Self.secret))",
            ]
            #expect(try await http.post("/webhooks/github", push, headers: headers) == 202)
            // Redelivered: nothing new (checked below: still three changes).
            #expect(try await http.post("/webhooks/github", push, headers: headers) == 202)
            // Bad input gets a clear status and stores nothing.
            #expect(try await http.post("/webhooks/github", push, headers: Array(headers.prefix(2)) + ["X-Hub-Signature-256: sha256=00"]) == 401)
            #expect(try await http.post("/webhooks/gitlab", "{}", headers: ["X-Gitlab-Token: x"]) == 404)
            try await waitFor("three change.merged CDEvents") { try await raw.producedBy("default/github-push-change-merged") == 3 }

            // 2. The head commit goes out: a Deployment annotated with nothing but the sha.
            try await expectOK(kubectl("create", "namespace", "production"))
            try await expectOK(kubectl(["apply", "-f", "-"], stdin: Self.deployment(commit: commits[2].sha)))
            try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "production/checkout", count: 1)
            let deployedAt = try #require(try await Self.eventTime(url, type: "dev.pacer.deployment.rollout.completed", subject: "production/checkout"))

            // 3. Alertmanager (the real one) notifies Pacer: the alert starts 2 s after the deployment and ends 3 s
            // later, as posted to Alertmanager's API.
            let alertmanager = try await AlertmanagerProcess.start(
                webhookURL: "http://127.0.0.1:\(http.port)/webhooks/alertmanager", tokenFile: secrets + "/alertmanager")
            defer { alertmanager.stop() }
            let startsAt = deployedAt + 2
            let endsAt = startsAt + 3
            let labels = #"{"alertname": "CheckoutDown", "app": "checkout", "environment": "production", "namespace": "production", "severity": "page"}"#
            // Alertmanager takes alerts that start in the past: wait until startsAt has passed (a clock condition).
            try await waitFor("startsAt in the past") { Date() > startsAt }
            #expect(try await alertmanager.post(alerts: #"[{"labels": \#(labels), "annotations": {"summary": "checkout is down"}, "startsAt": "\#(RFC3339.format(startsAt))"}]"#) == 200)
            try await waitFor("Alertmanager's firing notification", timeout: .seconds(180)) {
                try await raw.producedBy("default/alertmanager-incident-detected") == 1
            }
            try await waitFor("endsAt in the past") { Date() > endsAt }
            #expect(try await alertmanager.post(alerts: #"[{"labels": \#(labels), "annotations": {"summary": "checkout is down"}, "startsAt": "\#(RFC3339.format(startsAt))", "endsAt": "\#(RFC3339.format(endsAt))"}]"#) == 200)
            try await waitFor("Alertmanager's resolved notification", timeout: .seconds(180)) {
                try await raw.producedBy("default/alertmanager-incident-resolved") == 1
            }

            // Expected, by hand from the documented rules (docs/metrics.md), with d = deployedAt:
            // - lead time (every change counted): the deployment of c3 carries c3 and the two changes of checkout (same
            //   repository) merged before it, c1 and c2: d - (t0 - 5 h), d - (t0 - 3 h), d - (t0 - 1 h); the
            //   median of the three is c2's.
            // - time to restore: one incident, endsAt - startsAt = 3 s = 3 / 3600 h.
            // - change failure rate: one deployment of checkout in production, and the incident opened 2 s after it,
            //   before any other deployment: 1 failed of 1 = 1.0.
            let middle = (deployedAt.timeIntervalSince(t0) + 3 * 3600) / 3600
            let restore = 3.0 / 3600
            let metrics = try await waitForMetrics(http) { values in
                values["time-to-restore"]?.value != nil && values["change-failure-rate"]?.value != nil && values["lead-time-for-changes"]?.value != nil
            }
            let lead = try #require(metrics["lead-time-for-changes"])
            #expect(lead.samples == 3 && abs((lead.value ?? -1) - middle) < 1e-6, "lead time \(lead), expected 3 changes, median \(middle) h")
            for (commit, hoursBefore) in zip(commits, [5.0, 3.0, 1.0]) {
                let hours = (deployedAt.timeIntervalSince(t0) + hoursBefore * 3600) / 3600
                let carried = try await storedCount(url, """
                    SELECT count(*)::int FROM lead_times WHERE app = 'checkout' AND environment = 'production' AND sha = '\(commit.sha)'
                        AND abs(hours - \(hours)) < 1e-6
                    """)
                #expect(carried == 1, "\(commit.sha): expected a lead time of \(hours) h")
            }
            #expect(abs((metrics["time-to-restore"]?.value ?? -1) - restore) < 1e-9, "time to restore \(String(describing: metrics["time-to-restore"]))")
            #expect(metrics["time-to-restore"]?.samples == 1)
            #expect(metrics["change-failure-rate"]?.value == 1.0, "change failure rate \(String(describing: metrics["change-failure-rate"]))")
            #expect(metrics["change-failure-rate"]?.samples == 1)

            // Three changes (the redelivery added none), each at its commit's time, in app checkout.
            let changes = try await raw.cdEventContents().compactMap { text -> String? in
                let event = try? JSONValue.parse(text)
                guard event?["context"]?["type"]?.stringValue == "dev.cdevents.change.merged.0.3.0" else { return nil }
                return "\(event?["subject"]?["id"]?.stringValue ?? "") \(event?["context"]?["timestamp"]?.stringValue ?? "") \(event?["customData"]?["app"]?.stringValue ?? "")"
            }
            #expect(changes.sorted() == commits.map { "\($0.sha) \($0.timestamp) checkout" })
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_type = 'dev.knative.source.github.push'") == 1)

            // Every CDEvent stored validates against the CDEvents v0.5.1 schemas.
            let stored = try await raw.cdEventContents()
            let validation = try await Subprocess.run(
                ["/usr/bin/env", "python3", RepoPaths.root + "/hack/validate-cdevents.py"],
                environment: ["PACER_SHARED_DIR": RepoPaths.shared], stdin: Data("[\(stored.joined(separator: ","))]".utf8),
                timeout: .seconds(180))
            #expect(validation.status == 0, "schema validation failed: \(validation.stdout) \(validation.stderr)")
        }
    }

    struct Headline: CustomStringConvertible {
        var value: Double?
        var samples: Int?
        var description: String { "value \(value.map { "\($0)" } ?? "nil"), samples \(samples.map { "\($0)" } ?? "nil")" }
    }

    /// The app=checkout group of each definition in `/api/v1/metrics`, once `settled` holds (30 s at most).
    private func waitForMetrics(_ http: HTTP, settled: ([String: Headline]) -> Bool) async throws -> [String: Headline] {
        let deadline = ContinuousClock.now + .seconds(30)
        var values: [String: Headline] = [:]
        while ContinuousClock.now < deadline {
            let list = try await http.getJSON("/api/v1/metrics")
            values = [:]
            for item in list["items"]?.arrayValue ?? [] {
                guard let name = item["name"]?.stringValue else { continue }
                let group = item["groups"]?.arrayValue?.first { $0["labels"]?["app"]?.stringValue == "checkout" }
                values[name] = Headline(value: group?["numericValue"]?.doubleValue, samples: group?["samples"]?.intValue.map(Int.init))
            }
            if settled(values) { return values }
            try await Task.sleep(for: .milliseconds(200))
        }
        return values
    }

    private func waitFor(_ what: String, timeout: Duration = .seconds(90), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SubprocessError(message: "timed out waiting for \(what)")
    }

    static func eventTime(_ url: String, type: String, subject: String) async throws -> Date? {
        try await TestDatabase.withClient(url: url) { client in
            let query: PostgresQuery = "SELECT content->>'time' FROM cloudevents_raw WHERE ce_type = \(type) AND ce_subject = \(subject) ORDER BY event_id LIMIT 1"
            for try await text in try await client.query(query, logger: TestDatabase.logger).decode(String.self) { return RFC3339.parse(text) }
            return nil
        }
    }

    private func expectOK(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }

    static func deployment(commit: String) -> Data {
        Data("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: checkout
          namespace: production
          annotations:
            pacer.dev/commit: \(commit)
        spec:
          replicas: 2
          selector:
            matchLabels: {app: checkout}
          template:
            metadata:
              labels: {app: checkout}
            spec:
              containers:
              - name: app
                image: registry.example/checkout:1.4
        """.utf8)
    }
}

func storedCount(_ url: String, _ sql: String) async throws -> Int {
    try await TestDatabase.withClient(url: url) { client in
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self) { return value }
        return 0
    }
}
