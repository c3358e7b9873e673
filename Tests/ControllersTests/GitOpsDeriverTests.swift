import Controllers
import EventModel
import Foundation
import KubeCore
import PacerCore
import Testing

/// Argo CD Applications and Flux objects as their controllers write them (status sequences written by hand from the
/// documented APIs: Argo CD `status.operationState`, `status.history`, `status.health`; Flux `status.conditions`,
/// `status.lastAppliedRevision`, `status.lastAttemptedRevision`).
enum GitOpsFixtures {
    static let created = "2026-09-21T10:00:00Z"
    static let t0 = RFC3339.parse(created)! + 60
    static let shaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    static let shaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
    static let shaC = "cccccccccccccccccccccccccccccccccccccccc"

    /// One history entry: a successful sync of `revision` started at `started`.
    static func entry(_ id: Int64, _ revision: String, _ started: String) -> JSONValue {
        ["id": .int(id), "revision": .string(revision), "deployStartedAt": .string(started), "deployedAt": .string(started),
         "source": ["repoURL": "https://github.com/acme/shop.git"]]
    }

    static func application(
        phase: String? = nil, revision: String? = nil, started: String = "2026-09-21T10:01:00Z", finished: String = "2026-09-21T10:01:30Z",
        history: [JSONValue] = [], health: String = "Healthy", message: String? = nil, annotations: [String: String] = [:]
    ) -> JSONValue {
        var status: JSONValue = ["health": ["status": .string(health)], "history": .array(history)]
        if let revision { status["sync"] = ["status": "Synced", "revision": .string(revision)] }
        if let phase {
            var state: JSONValue = [
                "phase": .string(phase), "startedAt": .string(started), "finishedAt": .string(finished),
                "operation": ["sync": ["revision": revision.map(JSONValue.string) ?? .null]],
                "syncResult": ["revision": revision.map(JSONValue.string) ?? .null, "source": ["repoURL": "git@github.com:acme/shop.git"]],
            ]
            if let message { state["message"] = .string(message) }
            status["operationState"] = state
        }
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": [
                "name": "shop", "namespace": "argocd", "uid": "app-uid", "generation": 3, "creationTimestamp": .string(created),
                "annotations": .object(annotations.mapValues(JSONValue.string)),
            ],
            "spec": [
                "project": "default", "source": ["repoURL": "https://github.com/acme/shop.git", "path": "deploy", "targetRevision": "main"],
                "destination": ["server": "https://kubernetes.default.svc", "namespace": "shop-prod"],
            ],
            "status": status,
        ]
    }

    static func flux(
        kind: String = "Kustomization", generation: Int64 = 1, observed: Int64 = 1, ready: String = "True", reason: String = "ReconciliationSucceeded",
        applied: String? = nil, attempted: String? = nil, since: String = "2026-09-21T10:02:00Z"
    ) -> JSONValue {
        var status: JSONValue = [
            "observedGeneration": .int(observed),
            "conditions": [["type": "Ready", "status": .string(ready), "reason": .string(reason), "message": "m", "lastTransitionTime": .string(since)]],
        ]
        if let applied { status["lastAppliedRevision"] = .string(applied) }
        if let attempted { status["lastAttemptedRevision"] = .string(attempted) }
        return [
            "apiVersion": kind == "Kustomization" ? "kustomize.toolkit.fluxcd.io/v1" : "helm.toolkit.fluxcd.io/v2", "kind": .string(kind),
            "metadata": ["name": "web", "namespace": "flux-system", "uid": "flux-uid", "generation": .int(generation), "creationTimestamp": .string(created)],
            "spec": ["targetNamespace": "web-prod", "interval": "5m"],
            "status": status,
        ]
    }

    /// `fact` or `fact@revision` per event, in order.
    static func facts(_ events: [CloudEvent], prefix: String) -> [String] {
        events.map { event in
            let fact = String(event.type.dropFirst(prefix.count + 1))
            guard case .json(let data)? = event.data, let revision = data["revision"]?.stringValue else { return fact }
            return "\(fact)@\(revision.prefix(12))"
        }
    }

    static func data(_ event: CloudEvent?) -> JSONValue {
        guard case .json(let data)? = event?.data else { return .null }
        return data
    }
}

@Suite("ArgoCDApplicationDeriver")
struct ArgoCDApplicationDeriverTests {
    typealias F = GitOpsFixtures
    let prefix = "dev.pacer.application"

    @Test func successfulSyncsAreDeploymentsWithCommitAndRepository() throws {
        var deriver = ArgoCDApplicationDeriver()
        // Created, not yet synced: only `created`.
        var observed = try deriver.observe(F.application(health: "Missing"), namespace: nil, now: F.t0)
        #expect(F.facts(observed.events, prefix: prefix) == ["created"])
        // A sync runs: nothing until it ends.
        observed = try deriver.observe(F.application(phase: "Running", revision: F.shaA, health: "Progressing"), namespace: nil, now: F.t0 + 10)
        #expect(observed.events.isEmpty)
        // It succeeded: the first deployment of A, at finishedAt, commit A, repository as a web URL.
        let first = F.application(phase: "Succeeded", revision: F.shaA, history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z")])
        observed = try deriver.observe(first, namespace: nil, now: F.t0 + 40)
        #expect(F.facts(observed.events, prefix: prefix) == ["revision@aaaaaaaaaaaa", "rollout.completed@aaaaaaaaaaaa"])
        let completed = observed.events.last
        #expect(completed?.id == "app-uid/sync@2026-09-21T10:01:00Z/rollout.completed")
        #expect(completed?.time == "2026-09-21T10:01:30.000Z")
        #expect(completed?.source == "/k8s/default/apis/argoproj.io/v1alpha1/namespaces/argocd/applications/shop")
        #expect(completed?.subject == "argocd/shop")
        let data = F.data(completed)
        #expect(data["kind"] == "Application")
        #expect(data["commit"]?.stringValue == F.shaA)
        #expect(data["repository"] == "https://github.com/acme/shop")
        #expect(data["environment"] == "shop-prod", "the destination namespace is the environment's fallback")
        #expect(data["previousRevision"] == .null)
        #expect(data["rollback"] == false)

        // The same status again (relist, resync): nothing new.
        #expect(try deriver.observe(first, namespace: nil, now: F.t0 + 50).events.isEmpty)

        // A second sync to B: an upgrade from A.
        let second = F.application(
            phase: "Succeeded", revision: F.shaB, started: "2026-09-21T11:00:00Z", finished: "2026-09-21T11:00:20Z",
            history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z"), F.entry(1, F.shaB, "2026-09-21T11:00:00Z")])
        observed = try deriver.observe(second, namespace: nil, now: F.t0 + 3600)
        #expect(F.facts(observed.events, prefix: prefix) == ["revision@bbbbbbbbbbbb", "rollout.completed@bbbbbbbbbbbb"])
        #expect(F.data(observed.events.last)["previousRevision"]?.stringValue == F.shaA)
        #expect(F.data(observed.events.last)["rollback"] == false)

        // A re-sync of B (no new revision): not a deployment.
        let resync = F.application(
            phase: "Succeeded", revision: F.shaB, started: "2026-09-21T11:30:00Z", finished: "2026-09-21T11:30:05Z",
            history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z"), F.entry(1, F.shaB, "2026-09-21T11:00:00Z"), F.entry(2, F.shaB, "2026-09-21T11:30:00Z")])
        #expect(try deriver.observe(resync, namespace: nil, now: F.t0 + 5400).events.isEmpty)

        // A rollback to A (argocd app rollback): a deployment marked as a rollback.
        let rollback = F.application(
            phase: "Succeeded", revision: F.shaA, started: "2026-09-21T12:00:00Z", finished: "2026-09-21T12:00:10Z",
            history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z"), F.entry(1, F.shaB, "2026-09-21T11:00:00Z"),
                      F.entry(2, F.shaB, "2026-09-21T11:30:00Z"), F.entry(3, F.shaA, "2026-09-21T12:00:00Z")])
        observed = try deriver.observe(rollback, namespace: nil, now: F.t0 + 7200)
        #expect(F.facts(observed.events, prefix: prefix) == ["revision@aaaaaaaaaaaa", "rollout.completed@aaaaaaaaaaaa"])
        #expect(F.data(observed.events.last)["previousRevision"]?.stringValue == F.shaB)
        #expect(F.data(observed.events.last)["rollback"] == true)
        #expect(observed.events.last?.id == "app-uid/sync@2026-09-21T12:00:00Z/rollout.completed")
    }

    @Test func aRestartDerivesTheSameIdsFromTheHistory() throws {
        let second = F.application(
            phase: "Succeeded", revision: F.shaB, started: "2026-09-21T11:00:00Z", finished: "2026-09-21T11:00:20Z",
            history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z"), F.entry(1, F.shaB, "2026-09-21T11:00:00Z")])
        var before = ArgoCDApplicationDeriver()
        var after = ArgoCDApplicationDeriver()
        let one = try before.observe(second, namespace: nil, now: F.t0)
        let two = try after.observe(second, namespace: nil, now: F.t0 + 999)
        #expect(one.events.map(\.id) == two.events.map(\.id))
        #expect(one.events.map(\.time) == two.events.map(\.time), "times come from the object, not the clock")
        #expect(F.data(two.events.last)["previousRevision"]?.stringValue == F.shaA, "the history names the previous revision")
    }

    @Test func failedAndErroredSyncsAreFailedDeployments() throws {
        var deriver = ArgoCDApplicationDeriver()
        _ = try deriver.observe(F.application(phase: "Succeeded", revision: F.shaA, history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z")]), namespace: nil, now: F.t0)
        let failed = F.application(
            phase: "Failed", revision: F.shaB, started: "2026-09-21T11:00:00Z", finished: "2026-09-21T11:02:00Z",
            history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z")], health: "Degraded", message: "one or more objects failed to apply")
        var observed = try deriver.observe(failed, namespace: nil, now: F.t0 + 3600)
        // Healthy -> Degraded is also an availability loss.
        #expect(F.facts(observed.events, prefix: prefix) == ["rollout.failed@bbbbbbbbbbbb", "availability.lost@aaaaaaaaaaaa"])
        let event = observed.events.first
        #expect(event?.id == "app-uid/sync@2026-09-21T11:00:00Z/rollout.failed")
        #expect(event?.time == "2026-09-21T11:02:00.000Z")
        #expect(F.data(event)["reason"] == "SyncFailed")
        #expect(F.data(event)["message"] == "one or more objects failed to apply")
        #expect(try deriver.observe(failed, namespace: nil, now: F.t0 + 3700).events.isEmpty, "the same failed operation once")

        let errored = F.application(
            phase: "Error", revision: F.shaB, started: "2026-09-21T11:10:00Z", finished: "2026-09-21T11:10:01Z",
            history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z")], health: "Degraded")
        observed = try deriver.observe(errored, namespace: nil, now: F.t0 + 4300)
        #expect(F.facts(observed.events, prefix: prefix) == ["rollout.failed@bbbbbbbbbbbb"])
        #expect(F.data(observed.events.first)["reason"] == "SyncError")

        // Healthy again: restored, once.
        let healthy = F.application(
            phase: "Succeeded", revision: F.shaC, started: "2026-09-21T11:20:00Z", finished: "2026-09-21T11:20:30Z",
            history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z"), F.entry(1, F.shaC, "2026-09-21T11:20:00Z")])
        observed = try deriver.observe(healthy, namespace: nil, now: F.t0 + 5000)
        #expect(F.facts(observed.events, prefix: prefix) == ["revision@cccccccccccc", "rollout.completed@cccccccccccc", "availability.restored@cccccccccccc"])
        #expect(try deriver.observe(healthy, namespace: nil, now: F.t0 + 5100).events.isEmpty)
    }

    @Test func degradedOnFirstSightIsAnOpenLossAndProgressingIsNeither() throws {
        var deriver = ArgoCDApplicationDeriver()
        // Created 60 s before, more than the 10 s grace: a loss already open, whose restore is derived.
        #expect(F.facts(try deriver.observe(F.application(health: "Degraded"), namespace: nil, now: F.t0).events, prefix: prefix) == ["created"])
        #expect(try deriver.observe(F.application(health: "Progressing"), namespace: nil, now: F.t0 + 5).events.isEmpty)
        #expect(F.facts(try deriver.observe(F.application(health: "Healthy"), namespace: nil, now: F.t0 + 9).events, prefix: prefix) == ["availability.restored"])
    }

    @Test func annotationsAndOptOutApply() throws {
        var deriver = ArgoCDApplicationDeriver()
        let annotated = F.application(
            phase: "Succeeded", revision: F.shaA, history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z")],
            annotations: ["pacer.dev/app": "storefront", "pacer.dev/environment": "production", "pacer.dev/repository": "https://git.example/shop"])
        let data = F.data(try deriver.observe(annotated, namespace: nil, now: F.t0).events.last)
        #expect(data["app"] == "storefront")
        #expect(data["environment"] == "production")
        #expect(data["repository"] == "https://git.example/shop", "the annotation wins over the synced repoURL")
        var other = ArgoCDApplicationDeriver()
        let optedOut = F.application(phase: "Succeeded", revision: F.shaA, annotations: ["pacer.dev/track": "false"])
        #expect(try other.observe(optedOut, namespace: nil, now: F.t0).events.isEmpty)
    }

    @Test func deletionIsOneEvent() throws {
        var deriver = ArgoCDApplicationDeriver()
        let app = F.application(phase: "Succeeded", revision: F.shaA, history: [F.entry(0, F.shaA, "2026-09-21T10:01:00Z")])
        _ = try deriver.observe(app, namespace: nil, now: F.t0)
        let deleted = try deriver.delete(app, namespace: nil, now: F.t0 + 10)
        #expect(deleted.events.map(\.id) == ["app-uid/deleted"])
        #expect(deriver.trackedCount == 0)
    }
}

@Suite("FluxEventDeriver")
struct FluxEventDeriverTests {
    typealias F = GitOpsFixtures

    @Test func appliedRevisionsWithReadyTrueAreDeployments() throws {
        var deriver = FluxEventDeriver(kind: .fluxKustomization)
        let prefix = "dev.pacer.kustomization"
        // Reconciling, nothing applied yet.
        var observed = try deriver.observe(F.flux(ready: "Unknown", reason: "Progressing", attempted: "main@sha1:\(F.shaA)"), namespace: nil, now: F.t0)
        #expect(F.facts(observed.events, prefix: prefix) == ["created"])
        // Applied A, Ready=True: the first deployment, commit A, environment = the target namespace.
        let a = F.flux(applied: "main@sha1:\(F.shaA)", attempted: "main@sha1:\(F.shaA)")
        observed = try deriver.observe(a, namespace: nil, now: F.t0 + 10)
        #expect(F.facts(observed.events, prefix: prefix) == ["revision@main@sha1:aa", "rollout.completed@main@sha1:aa"])
        let data = F.data(observed.events.last)
        #expect(data["commit"]?.stringValue == F.shaA)
        #expect(data["kind"] == "Kustomization")
        #expect(data["environment"] == "web-prod")
        #expect(data["previousRevision"] == .null)
        #expect(observed.events.last?.id == "flux-uid/main@sha1:\(F.shaA)/rollout.completed")
        #expect(observed.events.last?.source == "/k8s/default/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/web")
        #expect(try deriver.observe(a, namespace: nil, now: F.t0 + 20).events.isEmpty, "relist: nothing new")

        // B fails its health check: a failed deployment of B (attempted B, applied still A).
        let failed = F.flux(ready: "False", reason: "HealthCheckFailed", applied: "main@sha1:\(F.shaA)", attempted: "main@sha1:\(F.shaB)",
                            since: "2026-09-21T10:30:00Z")
        observed = try deriver.observe(failed, namespace: nil, now: F.t0 + 1800)
        #expect(F.facts(observed.events, prefix: prefix) == ["rollout.failed@main@sha1:bb"])
        #expect(F.data(observed.events.first)["reason"] == "HealthCheckFailed")
        #expect(F.data(observed.events.first)["commit"]?.stringValue == F.shaB)
        #expect(observed.events.first?.time == "2026-09-21T10:30:00.000Z")
        #expect(try deriver.observe(failed, namespace: nil, now: F.t0 + 1900).events.isEmpty)

        // Still progressing (not a failure reason): nothing.
        #expect(try deriver.observe(F.flux(ready: "False", reason: "DependencyNotReady", applied: "main@sha1:\(F.shaA)", attempted: "main@sha1:\(F.shaC)"),
                                    namespace: nil, now: F.t0 + 2000).events.isEmpty)
        // C applied: an upgrade from A.
        observed = try deriver.observe(F.flux(applied: "main@sha1:\(F.shaC)", attempted: "main@sha1:\(F.shaC)"), namespace: nil, now: F.t0 + 2100)
        #expect(F.facts(observed.events, prefix: prefix) == ["revision@main@sha1:cc", "rollout.completed@main@sha1:cc"])
        #expect(F.data(observed.events.last)["previousRevision"]?.stringValue == "main@sha1:\(F.shaA)")
        #expect(F.data(observed.events.last)["rollback"] == false)
        // Back to A: a rollback, with ids of its own.
        observed = try deriver.observe(a, namespace: nil, now: F.t0 + 2200)
        #expect(F.facts(observed.events, prefix: prefix) == ["revision@main@sha1:aa", "rollout.completed@main@sha1:aa"])
        #expect(F.data(observed.events.last)["rollback"] == true)
        #expect(observed.events.last?.id != "flux-uid/main@sha1:\(F.shaA)/rollout.completed")
    }

    @Test func aStatusOfAnOlderGenerationIsNotRead() throws {
        var deriver = FluxEventDeriver(kind: .fluxKustomization)
        let stale = F.flux(generation: 2, observed: 1, applied: "main@sha1:\(F.shaA)")
        #expect(F.facts(try deriver.observe(stale, namespace: nil, now: F.t0).events, prefix: "dev.pacer.kustomization") == ["created"])
    }

    @Test func helmReleaseChartVersionsAreVersionsNotCommits() throws {
        var deriver = FluxEventDeriver(kind: .fluxHelmRelease)
        let release = F.flux(kind: "HelmRelease", reason: "UpgradeSucceeded", applied: "1.4.2", attempted: "1.4.2")
        let events = try deriver.observe(release, namespace: nil, now: F.t0).events
        #expect(F.facts(events, prefix: "dev.pacer.helmrelease") == ["created", "revision@1.4.2", "rollout.completed@1.4.2"])
        #expect(F.data(events.last)["commit"] == nil)
        #expect(F.data(events.last)["version"] == "1.4.2")
        // An upgrade that failed: Ready=False, UpgradeFailed, attempted 1.5.0.
        let failed = F.flux(kind: "HelmRelease", ready: "False", reason: "UpgradeFailed", applied: "1.4.2", attempted: "1.5.0")
        #expect(F.facts(try deriver.observe(failed, namespace: nil, now: F.t0 + 60).events, prefix: "dev.pacer.helmrelease") == ["rollout.failed@1.5.0"])
    }
}

@Suite("GitOpsRevision")
struct GitOpsRevisionTests {
    @Test func commits() {
        let sha = "0123456789abcdef0123456789abcdef01234567"
        #expect(GitOpsRevision.commit("main@sha1:\(sha)") == sha)
        #expect(GitOpsRevision.commit("sha1:\(sha)") == sha)
        #expect(GitOpsRevision.commit("refs/heads/main@sha1:\(sha)") == sha)
        #expect(GitOpsRevision.commit("main/\(sha)") == sha)
        #expect(GitOpsRevision.commit(sha.uppercased()) == sha)
        #expect(GitOpsRevision.commit("latest@sha256:\(sha)\(sha.prefix(24))") == nil)
        #expect(GitOpsRevision.commit("1.4.2") == nil)
        #expect(GitOpsRevision.commit("HEAD") == nil)
    }

    @Test func repositories() {
        #expect(GitOpsRevision.repository("https://github.com/acme/shop.git") == "https://github.com/acme/shop")
        #expect(GitOpsRevision.repository("https://github.com/acme/shop/") == "https://github.com/acme/shop")
        #expect(GitOpsRevision.repository("git@github.com:acme/shop.git") == "https://github.com/acme/shop")
        #expect(GitOpsRevision.repository("ssh://git@gitlab.example/acme/shop.git") == "https://gitlab.example/acme/shop")
        #expect(GitOpsRevision.repository("https://charts.example/stable") == "https://charts.example/stable")
        #expect(GitOpsRevision.repository("  ") == nil)
    }
}
