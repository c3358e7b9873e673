import Foundation
import PacerApp
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// Every default webhook route and transform (examples/webhooks-*.yaml) on deliveries written from the providers'
/// published payloads: `pacer serve` in process (receivers, group commit, pipeline), the deliveries posted with
/// curl, the CDEvents checked field by field and against the official CDEvents v0.5.1 schemas.
@Suite("Webhook deliveries through the default pipeline", .enabled(if: TestDatabase.enabled))
struct WebhookPipelineTests {
    static let secrets: [String: String] = [
        "github": "gh", "gitlab": "gl", "alertmanager": "am", "pagerduty": "pd", "argocd": "argo", "flux": "flux",
    ]

    @Test(.timeLimit(.minutes(10)))
    func everyProviderBecomesCDEvents() async throws {
        let directory = RepoPaths.root + "/.tmp/webhook-pipeline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, secret) in Self.secrets { try "\(secret)\n".write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withFreshDatabase { client, url in
            try await ExamplePipeline.install(client, files: try ExamplePipeline.allFiles, namespace: "default")
            var configuration = PacerConfiguration(databaseURL: url)
            configuration.httpHost = "127.0.0.1"
            configuration.httpPort = 0
            configuration.webhookSecretsDirectory = directory
            configuration.pipelinePollInterval = .milliseconds(200)
            let serverConfiguration = configuration
            try await withPacer("pacer serve", { try await PacerServer(configuration: serverConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
                let http = HTTP(port: port)
                // Ingest answers 503 until this process has checked the schema: wait for readiness first.
                let ready = ContinuousClock.now + .seconds(180)
                while try await http.status("/readyz") != 200 {
                    guard ContinuousClock.now < ready else { throw SubprocessError(message: "pacer serve never became ready") }
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await send(http)
                let raw = RawEvents(url: url)
                var contents: [String] = []
                let deadline = ContinuousClock.now + .seconds(180)
                while ContinuousClock.now < deadline {
                    contents = try await raw.cdEventContents()
                    if contents.count >= 23 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                let failures = try await errors(url)
                #expect(failures.isEmpty, "\(failures)")
                let summary = contents.compactMap { try? JSONValue.parse($0) }.map(Self.summary).sorted()
                #expect(summary == Self.expected.sorted(), "\(summary.joined(separator: "\n"))")

                let validation = try await Subprocess.run(
                    ["/usr/bin/env", "python3", RepoPaths.root + "/hack/validate-cdevents.py"],
                    environment: ["PACER_SHARED_DIR": RepoPaths.shared], stdin: Data("[\(contents.joined(separator: ","))]".utf8),
                    timeout: .seconds(180))
                #expect(validation.status == 0, "schema validation failed: \(validation.stdout) \(validation.stderr)")
            }
        }
    }

    /// `<short type> <subject.id> <timestamp> app=<customData.app> env=<environment> commit=<customData.commit>`.
    static func summary(_ event: JSONValue) -> String {
        let type = (event["context"]?["type"]?.stringValue ?? "").split(separator: ".").dropFirst(2).prefix(2).joined(separator: ".")
        let environment = event["customData"]?["environment"]?.stringValue ?? event["subject"]?["content"]?["environment"]?["id"]?.stringValue ?? "-"
        let subject = event["subject"]?["id"]?.stringValue ?? ""
        // GitLab deployment hooks carry no RFC 3339 time: those CDEvents take the time the delivery arrived.
        let time = subject.hasPrefix("acme/cart/") || ["eee1", "77"].contains(subject) ? "<received>" : event["context"]?["timestamp"]?.stringValue ?? ""
        return "\(type) \(subject) \(time) app=\(event["customData"]?["app"]?.stringValue ?? "-") env=\(environment) commit=\(event["customData"]?["commit"]?.stringValue ?? "-")"
    }

    /// Written by hand from the payloads below and the transforms' documented mapping.
    static let expected = [
        // GitHub push to main, two commits: one change each, at the commit's time (09:00+01:00 is 08:00Z).
        "change.merged aaa1 2026-11-20T08:00:00Z app=checkout env=- commit=-",
        "change.merged bbb2 2026-11-20T09:30:00Z app=checkout env=- commit=-",
        // Pull request #7 merged: the merge commit at merged_at.
        "change.merged ccc3 2026-11-20T10:00:00Z app=checkout env=- commit=-",
        // deployment_status success: a deployment, and the end of a failed-deployment incident.
        "service.deployed acme/checkout/production 2026-11-20T10:30:00Z app=checkout env=production commit=ccc3",
        "incident.resolved acme/checkout/production/deployment 2026-11-20T10:30:00Z app=checkout env=production commit=ccc3",
        // deployment_status failure to staging: an incident (a failed deployment).
        "incident.detected acme/checkout/staging/deployment 2026-11-20T10:20:00Z app=checkout env=staging commit=bbb2",
        // workflow_run completed.
        "pipelinerun.finished 991 2026-11-20T10:05:00Z app=checkout env=- commit=abc123",
        // GitLab push (one commit) and a successful deployment (sha from commit_url; time: when it arrived, checked apart).
        "change.merged ddd4 2026-11-20T07:00:00Z app=cart env=- commit=-",
        "service.deployed acme/cart/production <received> app=cart env=production commit=ddd4",
        "incident.resolved acme/cart/production/deployment <received> app=cart env=production commit=-",
        // GitLab merge request merged: the merge commit; a failed pipeline: pipelinerun.finished (both at arrival).
        "change.merged eee1 <received> app=cart env=- commit=-",
        "pipelinerun.finished 77 <received> app=cart env=- commit=eee1",
        // Alertmanager: fired at startsAt, resolved at endsAt; the subject is the fingerprint.
        "incident.detected alertmanager/f00d 2026-11-20T11:00:00Z app=checkout env=production commit=-",
        "incident.resolved alertmanager/f00d 2026-11-20T11:12:00Z app=checkout env=production commit=-",
        // PagerDuty: triggered and resolved, the service's name is the app.
        "incident.detected pagerduty/PINC1 2026-11-20T12:00:00Z app=payments env=production commit=-",
        "incident.resolved pagerduty/PINC1 2026-11-20T12:30:00Z app=payments env=production commit=-",
        // … and reopened: an incident again (the calculator opens a new one after the resolution).
        "incident.detected pagerduty/PINC1 2026-11-20T12:40:00Z app=payments env=production commit=-",
        // Argo CD: a Succeeded sync is a deployment of its revision; a Failed one an incident.
        "service.deployed argocd/search 2026-11-20T13:00:00Z app=search env=production commit=eee5",
        "incident.resolved argocd/search/sync 2026-11-20T13:00:00Z app=search env=production commit=-",
        "incident.detected argocd/search/sync 2026-11-20T12:50:00Z app=search env=production commit=eee4",
        // Flux: ReconciliationSucceeded of revision main@sha1:fff6 is a deployment of fff6; an error an incident.
        "service.deployed flux/flux-system/web 2026-11-20T14:00:00Z app=web env=production commit=fff6",
        "incident.resolved flux/flux-system/web 2026-11-20T14:00:00Z app=web env=production commit=-",
        "incident.detected flux/flux-system/web 2026-11-20T13:55:00Z app=web env=production commit=-",
    ]

    func send(_ http: HTTP) async throws {
        func github(_ event: String, _ delivery: String, _ body: String) async throws {
            let status = try await http.post("/webhooks/github", body, headers: [
                "X-GitHub-Event: \(event)", "X-GitHub-Delivery: \(delivery)", "X-Hub-Signature-256: \(WebhookFixtures.gitHubSignature(body, secret: "gh"))",
            ])
            #expect(status == 202, "github \(event) \(delivery)")
        }
        try await github("push", "g1", WebhookFixtures.gitHubPush(repository: "acme/checkout", commits: [
            .init(sha: "aaa1", timestamp: "2026-11-20T09:00:00+01:00", author: "Ann", message: "one"),
            .init(sha: "bbb2", timestamp: "2026-11-20T09:30:00Z", author: "Bo", message: "two\n\nbody"),
        ]))
        // Not the default branch: stored, no change.
        try await github("push", "g2", WebhookFixtures.gitHubPush(repository: "acme/checkout", ref: "refs/heads/feature", commits: [
            .init(sha: "zzz9", timestamp: "2026-11-20T09:40:00Z", author: "Ann", message: "wip"),
        ]))
        try await github("pull_request", "g3", WebhookFixtures.gitHubPullRequestMerged(repository: "acme/checkout", number: 7, mergeSha: "ccc3", mergedAt: "2026-11-20T10:00:00Z"))
        try await github("deployment_status", "g4", WebhookFixtures.gitHubDeploymentStatus(repository: "acme/checkout", environment: "staging", sha: "bbb2", state: "failure", at: "2026-11-20T10:20:00Z"))
        try await github("deployment_status", "g5", WebhookFixtures.gitHubDeploymentStatus(repository: "acme/checkout", environment: "production", sha: "ccc3", state: "success", at: "2026-11-20T10:30:00Z"))
        try await github("workflow_run", "g6", WebhookFixtures.gitHubWorkflowRun(repository: "acme/checkout", id: 991, conclusion: "success", started: "2026-11-20T10:01:00Z", updated: "2026-11-20T10:05:00Z"))
        // An event no route takes: stored, unrouted.
        try await github("star", "g7", #"{"action":"created","repository":{"html_url":"https://github.com/acme/checkout"}}"#)

        let gitlab = ["X-Gitlab-Token: gl"]
        #expect(try await http.post("/webhooks/gitlab", WebhookFixtures.gitLabPush(project: "acme/cart", commits: [
            .init(sha: "ddd4", timestamp: "2026-11-20T08:00:00+01:00", author: "Cy", message: "cart"),
        ]), headers: gitlab + ["X-Gitlab-Event-UUID: l1"]) == 202)
        #expect(try await http.post("/webhooks/gitlab", WebhookFixtures.gitLabDeployment(project: "acme/cart", environment: "production", sha: "ddd4", status: "success"), headers: gitlab + ["X-Gitlab-Event-UUID: l2"]) == 202)

        // A merge request merged (merge commit eee1) and a failed pipeline, as GitLab's hooks send them (abridged).
        let project = #""project": {"id": 15, "name": "cart", "path": "cart", "path_with_namespace": "acme/cart", "web_url": "https://gitlab.example.com/acme/cart", "default_branch": "main"}"#
        #expect(try await http.post("/webhooks/gitlab", #"{"object_kind": "merge_request", "user": {"username": "cy"}, \#(project), "object_attributes": {"iid": 3, "title": "Cart totals", "action": "merge", "state": "merged", "merge_commit_sha": "eee1", "url": "https://gitlab.example.com/acme/cart/-/merge_requests/3", "last_commit": {"id": "ddd4"}}}"#, headers: gitlab + ["X-Gitlab-Event-UUID: l3"]) == 202)
        #expect(try await http.post("/webhooks/gitlab", #"{"object_kind": "pipeline", \#(project), "object_attributes": {"id": 77, "ref": "main", "sha": "eee1", "status": "failed", "duration": 312, "created_at": "2026-11-20 10:00:00 UTC"}}"#, headers: gitlab + ["X-Gitlab-Event-UUID: l4"]) == 202)

        let am = ["Authorization: Bearer am"]
        let labels = ["alertname": "CheckoutDown", "app": "checkout", "environment": "production", "namespace": "shop"]
        #expect(try await http.post("/webhooks/alertmanager", WebhookFixtures.alertmanager(status: "firing", alerts: [
            WebhookFixtures.alert(fingerprint: "f00d", status: "firing", labels: labels, startsAt: "2026-11-20T11:00:00Z"),
        ]), headers: am) == 202)
        #expect(try await http.post("/webhooks/alertmanager", WebhookFixtures.alertmanager(status: "resolved", alerts: [
            WebhookFixtures.alert(fingerprint: "f00d", status: "resolved", labels: labels, startsAt: "2026-11-20T11:00:00Z", endsAt: "2026-11-20T11:12:00Z"),
        ]), headers: am) == 202)

        for (id, type, time) in [
            ("e1", "incident.triggered", "2026-11-20T12:00:00Z"), ("e2", "incident.resolved", "2026-11-20T12:30:00Z"),
            ("e3", "incident.reopened", "2026-11-20T12:40:00Z"),
        ] {
            let body = WebhookFixtures.pagerDuty(eventId: id, type: type, incident: "PINC1", service: "payments", at: time)
            #expect(try await http.post("/webhooks/pagerduty", body, headers: ["X-PagerDuty-Signature: v1=\(WebhookFixtures.hmacHex(body, secret: "pd"))"]) == 202)
        }

        let argo = ["Authorization: Bearer argo"]
        #expect(try await http.post("/webhooks/argocd", WebhookFixtures.argoCD(app: "search", revision: "eee4", phase: "Failed", finishedAt: "2026-11-20T12:50:00Z"), headers: argo) == 202)
        #expect(try await http.post("/webhooks/argocd", WebhookFixtures.argoCD(app: "search", revision: "eee5", phase: "Succeeded", finishedAt: "2026-11-20T13:00:00Z"), headers: argo) == 202)

        let flux = ["Authorization: Bearer flux"]
        #expect(try await http.post("/webhooks/flux", WebhookFixtures.flux(name: "web", reason: "HealthCheckFailed", severity: "error", revision: "main@sha1:fff5", at: "2026-11-20T13:55:00Z"), headers: flux) == 202)
        #expect(try await http.post("/webhooks/flux", WebhookFixtures.flux(name: "web", reason: "ReconciliationSucceeded", severity: "info", revision: "main@sha1:fff6", at: "2026-11-20T14:00:00Z"), headers: flux) == 202)
    }

    func errors(_ url: String) async throws -> [String] {
        try await TestDatabase.withClient(url: url) { client in
            var rows: [String] = []
            for try await (component, message) in try await client.query("SELECT component, message FROM pipeline_errors", logger: TestDatabase.logger).decode((String, String).self) {
                rows.append("\(component): \(message)")
            }
            return rows
        }
    }
}
