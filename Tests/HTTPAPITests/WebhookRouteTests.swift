import Foundation
import HTTPTypes
import HummingbirdTesting
import PostgresNIO
import TestSupport
import Testing

/// `POST /webhooks/{provider}` against a real database: verification, bad input, redelivery, rotation.
@Suite("Webhook receivers", .enabled(if: TestDatabase.enabled))
struct WebhookRouteTests {
    static let gitHubSecret = "gh-secret"

    /// A secrets directory holding `files` (receiver → content).
    static func secretsDirectory(_ files: [String: String]) throws -> String {
        let path = RepoPaths.root + "/.tmp/webhook-secrets-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        for (name, content) in files { try content.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
        return path
    }

    static func headers(_ pairs: [String: String]) -> HTTPFields {
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in pairs { fields[HTTPField.Name(name)!] = value }
        return fields
    }

    static func gitHub(_ body: String, event: String = "push", delivery: String, secret: String = gitHubSecret) -> HTTPFields {
        headers(["X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": WebhookFixtures.gitHubSignature(body, secret: secret)])
    }

    static let push = WebhookFixtures.gitHubPush(
        repository: "acme/checkout",
        commits: [.init(sha: "1111111111111111111111111111111111111111", timestamp: "2026-11-20T09:00:00Z", author: "Ann", message: "one")])

    @Test func gitHubDeliveriesAreVerifiedStoredOnceAndRefusedClearly() async throws {
        let directory = try Self.secretsDirectory(["github": "# rotated 2026-11\n\(Self.gitHubSecret)\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, webhookSecrets: directory, maxBodyBytes: 64 * 1024) { client in
                // Signed push: stored as a Knative-compatible CloudEvent with the delivery id.
                let ok = try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "d-1"), body: Self.push)
                #expect(ok.status == .accepted, "\(ok.text)")
                #expect(ok.json?["stored"] as? Int == 1)
                // Redelivery (same X-GitHub-Delivery): nothing new.
                let again = try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "d-1"), body: Self.push)
                #expect(again.status == .accepted)
                #expect(again.json?["stored"] as? Int == 0 && again.json?["duplicates"] as? Int == 1)
                // Wrong secret, missing signature: 401, nothing stored.
                let wrong = try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "d-2", secret: "nope"), body: Self.push)
                #expect(wrong.status == .unauthorized)
                #expect(wrong.errorMessage?.contains("X-Hub-Signature-256") == true)
                var unsigned = Self.gitHub(Self.push, delivery: "d-3")
                unsigned[HTTPField.Name("X-Hub-Signature-256")!] = nil
                #expect(try await client.post("/webhooks/github", headers: unsigned, body: Self.push).status == .unauthorized)
                // A body changed after signing fails too.
                let tampered = Self.push.replacingOccurrences(of: "\"one\"", with: "\"two\"")
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "d-4"), body: tampered).status == .unauthorized)
                // Malformed JSON, correctly signed: 400.
                let broken = "{\"ref\": "
                let malformed = try await client.post("/webhooks/github", headers: Self.gitHub(broken, delivery: "d-5"), body: broken)
                #expect(malformed.status == .badRequest)
                #expect(malformed.errorMessage?.hasPrefix("the body is not JSON") == true)
                // A JSON array is not a webhook either; a missing delivery id is named.
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub("[]", delivery: "d-6"), body: "[]").status == .badRequest)
                var noDelivery = Self.gitHub(Self.push, delivery: "x")
                noDelivery[HTTPField.Name("X-GitHub-Delivery")!] = nil
                let missing = try await client.post("/webhooks/github", headers: noDelivery, body: Self.push)
                #expect(missing.status == .badRequest && missing.errorMessage?.contains("X-GitHub-Delivery") == true)
                // An event Pacer has no route for is stored all the same (the pipeline leaves it unrouted).
                let star = #"{"action":"created","repository":{"html_url":"https://github.com/acme/checkout"}}"#
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(star, event: "star", delivery: "d-7"), body: star).status == .accepted)
                // Oversized: 413 before anything else.
                let big = "{\"pad\":\"" + String(repeating: "x", count: 70 * 1024) + "\"}"
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(big, delivery: "d-8"), body: big).status == .contentTooLarge)
                // Receivers without a secret are off; unknown providers are named.
                let off = try await client.post("/webhooks/gitlab", headers: Self.headers(["X-Gitlab-Token": "t"]), body: "{}")
                #expect(off.status == .notFound)
                #expect(off.errorMessage?.contains("the gitlab webhook receiver is off: no secret is configured") == true)
                let unknown = try await client.post("/webhooks/jenkins", headers: Self.headers([:]), body: "{}")
                #expect(unknown.status == .notFound && unknown.errorMessage?.contains("github, gitlab, alertmanager") == true)
            }
            let stored = try await storedCount(url)
            #expect(stored == 2)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_type = 'dev.knative.source.github.push' AND ce_id = 'd-1' AND ce_source = 'https://github.com/acme/checkout' AND ce_subject = 'refs/heads/main'") == 1)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_type = 'dev.knative.source.github.star'") == 1)
        }
    }

    /// Every receiver, correctly authenticated: a malformed body is 400, an oversized one 413, a wrong credential
    /// 401, and none of them stores anything.
    @Test func badInputPerReceiverStoresNothing() async throws {
        let directory = try Self.secretsDirectory([
            "github": "gh\n", "gitlab": "gl\n", "alertmanager": "am\n", "pagerduty": "pd\n", "argocd": "argo\n", "flux": "flux\n",
            "generic-x": "gen\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        /// The headers that authenticate `body` for a receiver (signed with `secret`).
        @Sendable func authenticated(_ path: String, _ body: String, secret: String) -> HTTPFields {
            switch path {
            case "/webhooks/github": Self.gitHub(body, delivery: "b-\(body.count)", secret: secret)
            case "/webhooks/gitlab": Self.headers(["X-Gitlab-Token": secret, "X-Gitlab-Event": "Push Hook"])
            case "/webhooks/pagerduty": Self.headers(["X-PagerDuty-Signature": "v1=" + WebhookFixtures.hmacHex(body, secret: secret)])
            default: Self.headers(["Authorization": "Bearer \(secret)"])
            }
        }
        let receivers = [
            ("/webhooks/github", "gh"), ("/webhooks/gitlab", "gl"), ("/webhooks/alertmanager", "am"), ("/webhooks/pagerduty", "pd"),
            ("/webhooks/argocd", "argo"), ("/webhooks/flux", "flux"), ("/webhooks/generic/x", "gen"),
        ]
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, webhookSecrets: directory, maxBodyBytes: 4096) { client in
                for (path, secret) in receivers {
                    let malformed = "{\"truncated\": "
                    let bad = try await client.post(path, headers: authenticated(path, malformed, secret: secret), body: malformed)
                    #expect(bad.status == .badRequest, "\(path): \(bad.text)")
                    #expect(bad.errorMessage?.hasPrefix("the body is not JSON") == true, "\(path): \(bad.text)")
                    let big = "{\"pad\": \"" + String(repeating: "x", count: 5000) + "\"}"
                    #expect(try await client.post(path, headers: authenticated(path, big, secret: secret), body: big).status == .contentTooLarge, "\(path)")
                    let valid = "{}"
                    let wrong = try await client.post(path, headers: authenticated(path, valid, secret: secret + "x"), body: valid)
                    #expect(wrong.status == .unauthorized, "\(path): \(wrong.text)")
                }
            }
            #expect(try await storedCount(url) == 0)
        }
    }

    /// The receivers share the ingest admission: each receiver is one sender of the per-sender rate. With a bucket
    /// of 2 events (0.001/s refill: nothing comes back during the test), a 3-alert delivery is admitted from the
    /// full bucket, which then owes one (the admission's documented rule), so the next delivery is refused whole.
    @Test func aReceiverOverTheSenderRateGets429AndStoresNothing() async throws {
        let directory = try Self.secretsDirectory(["alertmanager": "am\n", "github": Self.gitHubSecret + "\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func alerts(_ fingerprints: [String]) -> String {
            WebhookFixtures.alertmanager(status: "firing", alerts: fingerprints.map {
                WebhookFixtures.alert(fingerprint: $0, status: "firing", labels: ["app": "checkout"], startsAt: "2026-11-20T10:00:00Z")
            })
        }
        let first = alerts(["a", "b", "c"])
        let second = alerts(["d"])
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, webhookSecrets: directory, ingestRateLimit: 0.001, ingestBurst: 2) { client in
                let bearer = Self.headers(["Authorization": "Bearer am"])
                #expect(try await client.post("/webhooks/alertmanager", headers: bearer, body: first).status == .accepted)
                let limited = try await client.post("/webhooks/alertmanager", headers: bearer, body: second)
                #expect(limited.status == .tooManyRequests, "\(limited.text)")
                #expect(limited.headers[.retryAfter] != nil)
                // Another receiver is another sender: its bucket is full.
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "rl-1"), body: Self.push).status == .accepted)
            }
            // The three alerts and the push; not the refused alert.
            #expect(try await storedCount(url) == 4)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_subject = 'd'") == 0)
        }
    }

    @Test func secretsRotateAndReceiversTurnOnWithoutARestart() async throws {
        let directory = try Self.secretsDirectory(["github": "old-secret\n"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, webhookSecrets: directory) { client in
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "r-1", secret: "old-secret"), body: Self.push).status == .accepted)
                // Rotation: both secrets during the switch, then only the new one.
                try "old-secret\nnew-secret\n".write(toFile: directory + "/github", atomically: true, encoding: .utf8)
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "r-2", secret: "new-secret"), body: Self.push).status == .accepted)
                try "new-secret\n".write(toFile: directory + "/github", atomically: true, encoding: .utf8)
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "r-3", secret: "old-secret"), body: Self.push).status == .unauthorized)
                // A new key in the Secret turns the Alertmanager receiver on; removing it turns it off.
                let body = WebhookFixtures.alertmanager(status: "firing", alerts: [WebhookFixtures.alert(fingerprint: "f1", status: "firing", labels: ["app": "checkout"], startsAt: "2026-11-20T10:00:00Z")])
                let bearer = Self.headers(["Authorization": "Bearer am-token"])
                #expect(try await client.post("/webhooks/alertmanager", headers: bearer, body: body).status == .notFound)
                try "am-token\n".write(toFile: directory + "/alertmanager", atomically: true, encoding: .utf8)
                #expect(try await client.post("/webhooks/alertmanager", headers: bearer, body: body).status == .accepted)
                try FileManager.default.removeItem(atPath: directory + "/alertmanager")
                #expect(try await client.post("/webhooks/alertmanager", headers: bearer, body: body).status == .notFound)
            }
            #expect(try await storedCount(url) == 3)
        }
    }

    /// A Secret volume as the kubelet writes it: `github -> ..data/github`, `..data -> ..2026_11_20_v1`; a rotation
    /// writes a new timestamped directory and swaps `..data` (so the key's own link never changes).
    @Test func aRotatedKubernetesSecretVolumeIsPickedUp() async throws {
        let directory = try Self.secretsDirectory([:])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = FileManager.default
        try files.createDirectory(atPath: directory + "/..v1", withIntermediateDirectories: true)
        try "old-secret\n".write(toFile: directory + "/..v1/github", atomically: false, encoding: .utf8)
        try files.createSymbolicLink(atPath: directory + "/..data", withDestinationPath: "..v1")
        try files.createSymbolicLink(atPath: directory + "/github", withDestinationPath: "..data/github")
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, webhookSecrets: directory) { client in
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "k-1", secret: "old-secret"), body: Self.push).status == .accepted)
                try files.createDirectory(atPath: directory + "/..v2", withIntermediateDirectories: true)
                // Same size as before, so only the resolved path tells the files apart.
                try "new-secret\n".write(toFile: directory + "/..v2/github", atomically: false, encoding: .utf8)
                try files.createSymbolicLink(atPath: directory + "/..data_tmp", withDestinationPath: "..v2")
                #expect(rename(directory + "/..data_tmp", directory + "/..data") == 0)
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "k-2", secret: "old-secret"), body: Self.push).status == .unauthorized)
                #expect(try await client.post("/webhooks/github", headers: Self.gitHub(Self.push, delivery: "k-3", secret: "new-secret"), body: Self.push).status == .accepted)
            }
        }
    }

    @Test func everyReceiverVerifiesAndMapsItsDeliveries() async throws {
        let directory = try Self.secretsDirectory([
            "gitlab": "gl-token\n", "alertmanager": "am-token\n", "pagerduty": "pd-secret-new\n", "argocd": "argo-token\n",
            "flux": "flux-token\n", "generic-releases": "rel-token\n",
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, webhookSecrets: directory) { client in
                // GitLab: X-Gitlab-Token; id from Idempotency-Key, else X-Gitlab-Event-UUID.
                let gitlab = WebhookFixtures.gitLabPush(project: "acme/checkout", commits: [.init(sha: "2222", timestamp: "2026-11-20T09:00:00+01:00", author: "Bo", message: "fix")])
                let glHeaders = Self.headers(["X-Gitlab-Token": "gl-token", "X-Gitlab-Event": "Push Hook", "X-Gitlab-Event-UUID": "gl-uuid-1"])
                #expect(try await client.post("/webhooks/gitlab", headers: glHeaders, body: gitlab).status == .accepted)
                #expect(try await client.post("/webhooks/gitlab", headers: glHeaders, body: gitlab).json?["duplicates"] as? Int == 1)
                #expect(try await client.post("/webhooks/gitlab", headers: Self.headers(["X-Gitlab-Token": "gl-tokenX", "X-Gitlab-Event-UUID": "gl-uuid-2"]), body: gitlab).status == .unauthorized)
                #expect(try await client.post("/webhooks/gitlab", headers: Self.headers(["X-Gitlab-Event-UUID": "gl-uuid-3"]), body: gitlab).status == .unauthorized)
                #expect(try await client.post("/webhooks/gitlab", headers: glHeaders, body: "{nope").status == .badRequest)

                // Alertmanager: bearer; one CloudEvent per alert; a repeated notification stores nothing new.
                let alerts = WebhookFixtures.alertmanager(status: "firing", alerts: [
                    WebhookFixtures.alert(fingerprint: "aaa", status: "firing", labels: ["app": "checkout"], startsAt: "2026-11-20T10:00:00Z"),
                    WebhookFixtures.alert(fingerprint: "bbb", status: "firing", labels: ["app": "cart"], startsAt: "2026-11-20T10:01:00Z"),
                ])
                let amHeaders = Self.headers(["Authorization": "Bearer am-token"])
                #expect(try await client.post("/webhooks/alertmanager", headers: amHeaders, body: alerts).json?["stored"] as? Int == 2)
                #expect(try await client.post("/webhooks/alertmanager", headers: amHeaders, body: alerts).json?["duplicates"] as? Int == 2)
                let wrongBearer = try await client.post("/webhooks/alertmanager", headers: Self.headers(["Authorization": "Bearer x"]), body: alerts)
                #expect(wrongBearer.status == .unauthorized && wrongBearer.headers[.wwwAuthenticate] == "Bearer")
                let noAlerts = try await client.post("/webhooks/alertmanager", headers: amHeaders, body: #"{"version":"4"}"#)
                #expect(noAlerts.status == .badRequest && noAlerts.errorMessage?.contains("alerts") == true)
                let resolvedWithoutEnd = WebhookFixtures.alertmanager(status: "resolved", alerts: [
                    WebhookFixtures.alert(fingerprint: "aaa", status: "resolved", labels: ["app": "checkout"], startsAt: "2026-11-20T10:00:00Z", endsAt: "soon")
                ])
                #expect(try await client.post("/webhooks/alertmanager", headers: amHeaders, body: resolvedWithoutEnd).status == .badRequest)

                // PagerDuty: v1 signatures; the event id is the CloudEvent id.
                let pdHeaders = Self.headers(["X-PagerDuty-Signature": "v1=14c99776ab2a4172c0b43e5c09be1fb18ec977be6ee5046a1dc0b4284a30f8ad,v1=d61f579c3ff2d495d663d9534e7ac56be5710f59c53328f195fe904220695561"])
                #expect(try await client.post("/webhooks/pagerduty", headers: pdHeaders, body: WebhookFixtures.pagerDutyBody).status == .accepted)
                let pdWrong = Self.headers(["X-PagerDuty-Signature": "v1=14c99776ab2a4172c0b43e5c09be1fb18ec977be6ee5046a1dc0b4284a30f8ad"])
                #expect(try await client.post("/webhooks/pagerduty", headers: pdWrong, body: WebhookFixtures.pagerDutyBody).status == .unauthorized)

                // Argo CD, Flux, generic: bearer; id from the body's SHA-256 (or Idempotency-Key).
                let argo = WebhookFixtures.argoCD(app: "checkout", revision: "abc", phase: "Succeeded", finishedAt: "2026-11-20T11:00:00Z")
                #expect(try await client.post("/webhooks/argocd", headers: Self.headers(["Authorization": "Bearer argo-token"]), body: argo).status == .accepted)
                #expect(try await client.post("/webhooks/argocd", headers: Self.headers(["Authorization": "Bearer argo-token"]), body: argo).json?["duplicates"] as? Int == 1)
                #expect(try await client.post("/webhooks/argocd", headers: Self.headers([:]), body: argo).status == .unauthorized)
                let flux = WebhookFixtures.flux(name: "checkout", reason: "ReconciliationSucceeded", severity: "info", revision: "main@sha1:abc", at: "2026-11-20T11:00:00Z")
                #expect(try await client.post("/webhooks/flux", headers: Self.headers(["Authorization": "Bearer flux-token"]), body: flux).status == .accepted)
                #expect(try await client.post("/webhooks/flux", headers: Self.headers(["Authorization": "Bearer argo-token"]), body: flux).status == .unauthorized)
                let generic = #"{"release":"1.4"}"#
                #expect(try await client.post("/webhooks/generic/releases", headers: Self.headers(["Authorization": "Bearer rel-token", "Idempotency-Key": "rel-1"]), body: generic).status == .accepted)
                #expect(try await client.post("/webhooks/generic/other", headers: Self.headers(["Authorization": "Bearer rel-token"]), body: generic).status == .notFound)
                #expect(try await client.post("/webhooks/generic/Bad_Name", headers: Self.headers(["Authorization": "Bearer rel-token"]), body: generic).status == .notFound)
            }
            let rows = try await TestDatabase.withClient(url: url) { client -> [String] in
                var rows: [String] = []
                for try await (type, id, subject, time) in try await client.query(
                    "SELECT ce_type, ce_id, coalesce(ce_subject, ''), coalesce(to_char(ce_time AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '') FROM cloudevents_raw ORDER BY event_id",
                    logger: TestDatabase.logger
                ).decode((String, String, String, String).self) {
                    rows.append("\(type) \(id.hasPrefix("sha256:") ? "sha256:…" : id) \(subject) \(type.contains("alertmanager") || type.contains("pagerduty") || type.contains("flux") ? time : "-")")
                }
                return rows
            }
            let groupHash = "aaa:firing:2026-11-20T10:00:00Z:"
            #expect(rows.count == 7, "\(rows)")
            #expect(rows[0] == "dev.knative.sources.gitlab.push gl-uuid-1  -")
            #expect(rows[1].hasPrefix("dev.pacer.alertmanager.alert.firing \(groupHash)") && rows[1].hasSuffix(" aaa 2026-11-20T10:00:00Z"))
            #expect(rows[2].hasPrefix("dev.pacer.alertmanager.alert.firing bbb:firing:2026-11-20T10:01:00Z:") && rows[2].hasSuffix(" bbb 2026-11-20T10:01:00Z"))
            #expect(rows[3] == "dev.pacer.pagerduty.incident.triggered 01DEN3X1 PGR0VU2 2026-11-20T10:00:00Z")
            #expect(rows[4] == "dev.pacer.argocd.notification sha256:… checkout -")
            #expect(rows[5] == "dev.pacer.flux.event sha256:… Kustomization/flux-system/checkout 2026-11-20T11:00:00Z")
            #expect(rows[6] == "dev.pacer.webhook.releases rel-1  -")
        }
    }
}
