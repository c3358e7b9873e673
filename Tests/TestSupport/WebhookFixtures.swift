import Crypto
import Foundation
import PacerCore

/// Webhook payloads written for the tests from the providers' published schemas (only the fields Pacer reads and a
/// few more), and the signatures the providers compute.
public enum WebhookFixtures {
    public struct Commit: Sendable {
        public var sha: String
        public var timestamp: String
        public var author: String
        public var message: String
        public init(sha: String, timestamp: String, author: String, message: String) {
            self.sha = sha
            self.timestamp = timestamp
            self.author = author
            self.message = message
        }
    }

    static func repository(_ fullName: String, defaultBranch: String = "main") -> JSONValue {
        let name = String(fullName.split(separator: "/").last ?? "")
        return [
            "id": 1_296_269, "name": .string(name), "full_name": .string(fullName),
            "html_url": .string("https://github.com/\(fullName)"), "default_branch": .string(defaultBranch),
            "owner": ["login": .string(String(fullName.split(separator: "/").first ?? ""))],
        ]
    }

    /// A GitHub `push` event (X-GitHub-Event: push).
    public static func gitHubPush(repository fullName: String, ref: String = "refs/heads/main", before: String = "0000000000000000000000000000000000000000", commits: [Commit]) -> String {
        let list: [JSONValue] = commits.map { commit in
            [
                "id": .string(commit.sha), "tree_id": .string(String(commit.sha.reversed())), "distinct": true,
                "message": .string(commit.message), "timestamp": .string(commit.timestamp),
                "url": .string("https://github.com/\(fullName)/commit/\(commit.sha)"),
                "author": ["name": .string(commit.author), "email": .string("\(commit.author.lowercased())@example.com")],
                "committer": ["name": .string(commit.author), "email": .string("\(commit.author.lowercased())@example.com")],
                "added": [], "removed": [], "modified": ["README.md"],
            ]
        }
        let body: JSONValue = [
            "ref": .string(ref), "before": .string(before), "after": .string(commits.last?.sha ?? before),
            "created": false, "deleted": false, "forced": false, "base_ref": nil,
            "compare": .string("https://github.com/\(fullName)/compare/\(before.prefix(12))...\((commits.last?.sha ?? "").prefix(12))"),
            "commits": .array(list), "head_commit": list.last ?? .null,
            "repository": repository(fullName), "pusher": ["name": .string(commits.last?.author ?? "")],
            "sender": ["login": "octocat", "id": 1],
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// A GitHub `deployment_status` event.
    public static func gitHubDeploymentStatus(repository fullName: String, environment: String, sha: String, state: String, at time: String) -> String {
        let body: JSONValue = [
            "action": "created",
            "deployment_status": ["id": 1, "state": .string(state), "environment": .string(environment), "created_at": .string(time), "updated_at": .string(time)],
            "deployment": ["id": 42, "sha": .string(sha), "ref": "main", "task": "deploy", "environment": .string(environment), "created_at": .string(time)],
            "repository": repository(fullName), "sender": ["login": "octocat", "id": 1],
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// A GitHub `pull_request` event closed by a merge.
    public static func gitHubPullRequestMerged(repository fullName: String, number: Int, mergeSha: String, mergedAt: String) -> String {
        let body: JSONValue = [
            "action": "closed", "number": .int(Int64(number)),
            "pull_request": [
                "number": .int(Int64(number)), "state": "closed", "title": "Faster checkout", "merged": true,
                "merged_at": .string(mergedAt), "merge_commit_sha": .string(mergeSha), "user": ["login": "ann"],
                "html_url": .string("https://github.com/\(fullName)/pull/\(number)"), "base": ["ref": "main"],
            ],
            "repository": repository(fullName), "sender": ["login": "ann", "id": 2],
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// A GitHub `workflow_run` event, completed.
    public static func gitHubWorkflowRun(repository fullName: String, id: Int, conclusion: String, started: String, updated: String) -> String {
        let body: JSONValue = [
            "action": "completed",
            "workflow_run": [
                "id": .int(Int64(id)), "name": "CI", "head_branch": "main", "head_sha": "abc123", "status": "completed",
                "conclusion": .string(conclusion), "run_started_at": .string(started), "updated_at": .string(updated),
                "html_url": .string("https://github.com/\(fullName)/actions/runs/\(id)"),
            ],
            "repository": repository(fullName), "sender": ["login": "octocat", "id": 1],
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// A GitLab Push Hook.
    public static func gitLabPush(project path: String, commits: [Commit]) -> String {
        let name = String(path.split(separator: "/").last ?? "")
        let body: JSONValue = [
            "object_kind": "push", "event_name": "push", "ref": "refs/heads/main",
            "before": "95790bf891e76fee5e1747ab589903a6a1f80f22", "after": .string(commits.last?.sha ?? ""),
            "user_username": "ann", "total_commits_count": .int(Int64(commits.count)),
            "project": [
                "id": 15, "name": .string(name), "path": .string(name), "path_with_namespace": .string(path),
                "web_url": .string("https://gitlab.example.com/\(path)"), "default_branch": "main",
            ],
            "commits": .array(commits.map { commit in
                [
                    "id": .string(commit.sha), "message": .string(commit.message + "\n"), "title": .string(commit.message),
                    "timestamp": .string(commit.timestamp), "url": .string("https://gitlab.example.com/\(path)/-/commit/\(commit.sha)"),
                    "author": ["name": .string(commit.author), "email": .string("\(commit.author.lowercased())@example.com")],
                ]
            }),
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// A GitLab Deployment Hook.
    public static func gitLabDeployment(project path: String, environment: String, sha: String, status: String) -> String {
        let name = String(path.split(separator: "/").last ?? "")
        let body: JSONValue = [
            "object_kind": "deployment", "status": .string(status), "status_changed_at": "2026-11-20 11:00:00 +0100",
            "deployment_id": 15, "deployable_id": 796, "environment": .string(environment), "environment_tier": "production",
            "short_sha": .string(String(sha.prefix(8))), "commit_url": .string("https://gitlab.example.com/\(path)/-/commit/\(sha)"),
            "commit_title": "Faster checkout",
            "project": [
                "id": 15, "name": .string(name), "path": .string(name), "path_with_namespace": .string(path),
                "web_url": .string("https://gitlab.example.com/\(path)"), "default_branch": "main",
            ],
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// An Alertmanager webhook (payload version 4) with the given alerts.
    public static func alertmanager(status: String, alerts: [JSONValue], groupKey: String = "{}:{alertname=\"CheckoutDown\"}") -> String {
        let body: JSONValue = [
            "version": "4", "groupKey": .string(groupKey), "truncatedAlerts": 0, "status": .string(status),
            "receiver": "pacer", "groupLabels": ["alertname": "CheckoutDown"], "commonLabels": ["alertname": "CheckoutDown"],
            "commonAnnotations": [:], "externalURL": "http://alertmanager.example:9093", "alerts": .array(alerts),
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// One alert of an Alertmanager webhook.
    public static func alert(fingerprint: String, status: String, labels: [String: String], startsAt: String, endsAt: String = "0001-01-01T00:00:00Z") -> JSONValue {
        [
            "status": .string(status), "labels": .object(labels.mapValues { .string($0) }),
            "annotations": ["summary": "checkout is down"], "startsAt": .string(startsAt), "endsAt": .string(endsAt),
            "generatorURL": "http://prometheus.example:9090/graph", "fingerprint": .string(fingerprint),
        ]
    }

    /// The PagerDuty v3 body whose signatures WebhookSignatureTests checks (computed with Python's hmac).
    public static let pagerDutyBody =
        #"{"event":{"id":"01DEN3X1","event_type":"incident.triggered","resource_type":"incident","occurred_at":"2026-11-20T10:00:00.000Z","data":{"id":"PGR0VU2","type":"incident","title":"checkout 5xx","service":{"id":"PF9KMXH","summary":"checkout"}}}}"#

    /// A PagerDuty v3 webhook body.
    public static func pagerDuty(eventId: String, type: String, incident: String, service: String, at time: String) -> String {
        let body: JSONValue = [
            "event": [
                "id": .string(eventId), "event_type": .string(type), "resource_type": "incident", "occurred_at": .string(time),
                "agent": ["id": "PLH1HKV", "type": "user_reference"],
                "data": [
                    "id": .string(incident), "type": "incident", "title": "checkout 5xx", "status": "triggered", "urgency": "high",
                    "html_url": .string("https://acme.pagerduty.com/incidents/\(incident)"),
                    "service": ["id": "PF9KMXH", "summary": .string(service), "type": "service_reference"],
                ],
            ],
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// The body of the Argo CD notification template in examples/samples/argocd-notifications-cm.yaml.
    public static func argoCD(app: String, revision: String, phase: String, finishedAt: String, environment: String = "production") -> String {
        let body: JSONValue = [
            "app": .string(app), "project": "default", "namespace": "shop", "revision": .string(revision), "phase": .string(phase),
            "health": "Healthy", "finishedAt": .string(finishedAt), "repoURL": "https://github.com/acme/deploy", "environment": .string(environment),
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// A Flux notification-controller event (generic provider).
    public static func flux(name: String, reason: String, severity: String, revision: String, at time: String) -> String {
        let body: JSONValue = [
            "involvedObject": ["kind": "Kustomization", "namespace": "flux-system", "name": .string(name), "apiVersion": "kustomize.toolkit.fluxcd.io/v1"],
            "severity": .string(severity), "timestamp": .string(time), "message": "Reconciliation finished in 1.2s",
            "reason": .string(reason), "reportingController": "kustomize-controller", "reportingInstance": "kustomize-controller-7f5d",
            "metadata": ["kustomize.toolkit.fluxcd.io/revision": .string(revision), "environment": "production"],
        ]
        return String(decoding: body.jsonData(), as: UTF8.self)
    }

    /// GitHub's `X-Hub-Signature-256` value for `body`.
    public static func gitHubSignature(_ body: String, secret: String) -> String {
        "sha256=" + hmacHex(body, secret: secret)
    }

    /// HMAC-SHA256 of `body` keyed with `secret`, hex.
    public static func hmacHex(_ body: String, secret: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(body.utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }
}
