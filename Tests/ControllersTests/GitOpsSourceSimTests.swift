import Controllers
import EventModel
import Foundation
import KubeClient
import KubeCore
import KubeSim
import PacerCore
import Testing

/// The workload source and the GitOps kinds against kube-sim: the CRDs (hack/workload-crds, structural schemas written
/// from the documented APIs) are absent when the source starts and applied later; the test then plays Argo CD and
/// Flux by writing the status subresource as those controllers document it.
@Suite("WorkloadSource: Argo CD and Flux objects against kube-sim", .serialized)
struct GitOpsSourceSimTests {
    static let crdDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("hack/workload-crds")
    static let sha1 = "1111111111111111111111111111111111111111"
    static let sha2 = "2222222222222222222222222222222222222222"

    static func crds() throws -> String {
        try ["argocd-application.yaml", "flux-kustomization.yaml", "flux-helmrelease.yaml"]
            .map { try String(contentsOf: crdDirectory.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n---\n")
    }

    @Test(.timeLimit(.minutes(5))) func kindsWhoseCRDAppearsLaterAreWatchedThen() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            let source = env.makeSource(sink: sink) {
                $0.kinds = [.deployment, .argoCDApplication, .fluxKustomization]
                $0.discoveryInterval = .milliseconds(200)
            }
            try await env.running(source) {
                // Not served at start: skipped, and the source does not wait for them.
                await source.waitUntilWatching()
                #expect(Set(source.unservedKinds) == [.argoCDApplication, .fluxKustomization])
                try await env.sim.apply(yaml: Self.crds())
                await source.waitUntilWatching(.argoCDApplication)
                await source.waitUntilWatching(.fluxKustomization)
                #expect(source.unservedKinds.isEmpty)

                // Argo CD: an Application syncing sha1 (the controller's operationState, then the sync and history).
                let apps = env.client.resource(DynamicObject.self, descriptor: WorkloadKind.argoCDApplication.descriptor, namespace: "shop")
                _ = try await apps.create(DynamicObject([
                    "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                    "metadata": ["name": "guestbook", "namespace": "shop"],
                    "spec": [
                        "project": "default", "source": ["repoURL": "https://github.com/acme/guestbook.git", "path": "k8s", "targetRevision": "HEAD"],
                        "destination": ["server": "https://kubernetes.default.svc", "namespace": "shop"],
                    ],
                ]))
                _ = try await apps.patchStatus("guestbook", mergePatch: ["status": [
                    "health": ["status": "Progressing"],
                    "operationState": [
                        "phase": "Running", "startedAt": "2026-09-21T10:00:00Z",
                        "operation": ["sync": ["revision": .string(Self.sha1)]],
                    ],
                ]])
                _ = try await apps.patchStatus("guestbook", mergePatch: ["status": [
                    "health": ["status": "Healthy"],
                    "sync": ["status": "Synced", "revision": .string(Self.sha1)],
                    "history": [["id": 0, "revision": .string(Self.sha1), "deployStartedAt": "2026-09-21T10:00:00Z", "deployedAt": "2026-09-21T10:00:30Z"]],
                    "operationState": [
                        "phase": "Succeeded", "startedAt": "2026-09-21T10:00:00Z", "finishedAt": "2026-09-21T10:00:30Z",
                        "operation": ["sync": ["revision": .string(Self.sha1)]],
                        "syncResult": ["revision": .string(Self.sha1), "source": ["repoURL": "https://github.com/acme/guestbook.git"]],
                    ],
                ]])
                try await eventually("Argo CD sync to sha1 seen") { sink.events.contains { $0.type == "dev.pacer.application.rollout.completed" } }
                // A failed sync to sha2.
                _ = try await apps.patchStatus("guestbook", mergePatch: ["status": [
                    "operationState": [
                        "phase": "Failed", "startedAt": "2026-09-21T11:00:00Z", "finishedAt": "2026-09-21T11:01:00Z", "message": "hook failed",
                        "operation": ["sync": ["revision": .string(Self.sha2)]],
                        "syncResult": ["revision": .string(Self.sha2), "source": ["repoURL": "https://github.com/acme/guestbook.git"]],
                    ],
                ]])
                try await eventually("Argo CD failed sync seen") { sink.events.contains { $0.type == "dev.pacer.application.rollout.failed" } }

                // Flux: a Kustomization that applied main@sha1:<sha1>.
                let kustomizations = env.client.resource(DynamicObject.self, descriptor: WorkloadKind.fluxKustomization.descriptor, namespace: "shop")
                let created = try await kustomizations.create(DynamicObject([
                    "apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                    "metadata": ["name": "web", "namespace": "shop"],
                    "spec": ["interval": "5m", "path": "./deploy", "prune": true, "sourceRef": ["kind": "GitRepository", "name": "web"]],
                ]))
                _ = try await kustomizations.patchStatus("web", mergePatch: ["status": [
                    "observedGeneration": .int(created.raw["metadata"]?["generation"]?.intValue ?? 1),
                    "lastAppliedRevision": .string("main@sha1:\(Self.sha1)"), "lastAttemptedRevision": .string("main@sha1:\(Self.sha1)"),
                    "conditions": [[
                        "type": .string("Ready"), "status": .string("True"), "reason": .string("ReconciliationSucceeded"),
                        "message": .string("Applied revision: main@sha1:\(Self.sha1)"), "lastTransitionTime": .string("2026-09-21T10:05:00Z"),
                    ]],
                ]])
                try await eventually("Flux apply seen") { sink.events.contains { $0.type == "dev.pacer.kustomization.rollout.completed" } }
                try await env.marker("after", sink: sink)
            }
            let story = sink.events.filter { $0.subject == "shop/guestbook" }.map { String($0.type.dropFirst("dev.pacer.application.".count)) }
            #expect(story == ["created", "revision", "rollout.completed", "rollout.failed"], "\(story)")
            let completed = sink.events.first { $0.type == "dev.pacer.application.rollout.completed" }
            #expect(completed?.dataObject["commit"]?.stringValue == Self.sha1)
            #expect(completed?.dataObject["repository"] == "https://github.com/acme/guestbook")
            #expect(completed?.dataObject["environment"] == "production", "the destination namespace's annotation")
            #expect(completed?.dataObject["team"] == "payments")
            #expect(completed?.time == "2026-09-21T10:00:30.000Z")
            #expect(completed?.source == "/k8s/sim/apis/argoproj.io/v1alpha1/namespaces/shop/applications/guestbook")
            let failed = sink.events.first { $0.type == "dev.pacer.application.rollout.failed" }
            #expect(failed?.dataObject["revision"]?.stringValue == Self.sha2)
            #expect(failed?.dataObject["message"] == "hook failed")
            let applied = sink.events.first { $0.type == "dev.pacer.kustomization.rollout.completed" }
            #expect(applied?.dataObject["commit"]?.stringValue == Self.sha1)
            #expect(applied?.subject == "shop/web")
            for event in sink.events { #expect(throws: Never.self) { try event.validate() } }
        }
    }

    @Test(.timeLimit(.minutes(5))) func aGitOpsKindSwitchedOffIsNeitherCheckedNorWatched() async throws {
        try await SimEnvironment.with { env in
            try await env.sim.apply(yaml: Self.crds())
            let sink = InMemorySink()
            let source = env.makeSource(sink: sink) { $0.kinds = [.deployment, .fluxKustomization] }
            #expect(source.kinds == [.deployment, .fluxKustomization])
            try await env.running(source) {
                await source.waitUntilWatching()
                #expect(source.unservedKinds.isEmpty)
                _ = try await env.client.resource(DynamicObject.self, descriptor: WorkloadKind.argoCDApplication.descriptor, namespace: "shop")
                    .create(DynamicObject(["apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": ["name": "off", "namespace": "shop"],
                                           "spec": ["destination": ["namespace": "shop"]]]))
                try await env.marker("after", sink: sink)
            }
            #expect(!sink.events.contains { $0.type.hasPrefix("dev.pacer.application.") })
        }
    }
}
