import Controllers
import Foundation
import KubeClient
import KubeCore
import PacerCore
import Testing

/// kube-sim keeps a Deployment's ReplicaSets as the real Deployment controller does, and the workload source reads the
/// previous revision's template from them when it first sees a Deployment (docs/deployment-source.md, "Restarts").
@Suite("ReplicaSets: kube-sim's history and restart detection across a Pacer restart", .serialized)
struct ReplicaSetHistorySimTests {
    /// `revision` annotation → ReplicaSet of the Deployment `web` in `shop`.
    static func replicaSets(_ env: SimEnvironment, ownerUID: String) async throws -> [Int: DynamicObject] {
        let list = try await env.client.resource(DynamicObject.self, descriptor: .replicaSets, namespace: "shop").list()
        var byRevision: [Int: DynamicObject] = [:]
        for replicaSet in list.items where (replicaSet["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains(where: {
            $0["uid"]?.stringValue == ownerUID && $0["controller"] == true && $0["kind"] == "Deployment"
        }) {
            if let revision = replicaSet["metadata"]?["annotations"]?[WorkloadAnnotations.revision]?.stringValue.flatMap({ Int($0) }) {
                byRevision[revision] = replicaSet
            }
        }
        return byRevision
    }

    static func rolledOut(_ env: SimEnvironment, revision: String) async throws {
        try await eventually("revision \(revision) rolled out in the cluster") {
            guard let current = try? await env.deployments.get("web") else { return false }
            let completed = current.status?.conditions?.contains { $0.reason == "NewReplicaSetAvailable" } ?? false
            return completed && current.metadata.annotations?[WorkloadAnnotations.revision] == revision
                && current.status?.observedGeneration == current.metadata.generation
        }
    }

    @Test func oldReplicaSetsAreKeptUpToTheHistoryLimitAndARollbackReusesOne() async throws {
        try await SimEnvironment.with { env in
            var deployment = try JSONValue(encoding: SimEnvironment.deployment("web", image: "web:1"))
            deployment["apiVersion"] = "apps/v1"
            deployment["kind"] = "Deployment"
            deployment["spec"]?["revisionHistoryLimit"] = 2
            let created = try await env.client.resource(DynamicObject.self, descriptor: .deployments, namespace: "shop").create(DynamicObject(deployment))
            let uid = try #require(created.metadata.uid)
            try await Self.rolledOut(env, revision: "1")
            for (index, image) in ["web:2", "web:3", "web:4"].enumerated() {
                _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch(image))
                try await Self.rolledOut(env, revision: String(index + 2))
            }
            // Revision 4 is current; of the old ones the newest 2 (revisionHistoryLimit) are kept, scaled to 0.
            var sets = try await Self.replicaSets(env, ownerUID: uid)
            #expect(Set(sets.keys) == [2, 3, 4])
            #expect(sets[4]?["spec"]?["replicas"] == 2 && sets[3]?["spec"]?["replicas"] == 0 && sets[2]?["spec"]?["replicas"] == 0)
            let hash = try #require(sets[3]?["metadata"]?["labels"]?["pod-template-hash"]?.stringValue)
            #expect(sets[3]?["metadata"]?["name"]?.stringValue == "web-\(hash)")
            #expect(sets[3]?["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.first?["image"] == "web:3")
            #expect(sets[3]?["spec"]?["selector"]?["matchLabels"] == ["app": "web", "pod-template-hash": .string(hash)])
            // Back to revision 3's template: Kubernetes numbers it 5 and reuses revision 3's ReplicaSet.
            let reused = sets[3]?["metadata"]?["name"]
            _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("web:3"))
            try await Self.rolledOut(env, revision: "5")
            sets = try await Self.replicaSets(env, ownerUID: uid)
            #expect(Set(sets.keys) == [2, 4, 5])
            #expect(sets[5]?["metadata"]?["name"] == reused)
            // Deleting the Deployment deletes its ReplicaSets.
            try await env.deployments.delete("web")
            try await eventually("ReplicaSets deleted with the Deployment") { (try? await Self.replicaSets(env, ownerUID: uid).isEmpty) == true }
        }
    }

    @Test func aRestartRolledOutWhilePacerWasDownIsNoDeployment() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }
            }
            // No source runs: `kubectl rollout restart deployment/web`.
            _ = try await env.deployments.patch(
                "web", mergePatch: ["spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "2026-12-02T10:00:00Z"]]]]])
            try await Self.rolledOut(env, revision: "2")
            // A new Pacer first sees revision 2: revision 1's ReplicaSet shows that only restartedAt changed.
            let fresh = InMemorySink()
            try await env.running(env.makeSource(sink: fresh)) {
                try await eventually("restarted@2 after the restart") { fresh.contains("restarted@2") }
                try await env.marker("after-first-restart", sink: fresh)
            }
            #expect(fresh.summary(of: "shop/web") == ["created", "restarted@2"])
            // The same Deployment then gets a new image: a deployment again.
            let later = InMemorySink()
            _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("web:2"))
            try await Self.rolledOut(env, revision: "3")
            try await env.running(env.makeSource(sink: later)) {
                try await eventually("rollout.completed@3 after the restart") { later.contains("rollout.completed@3") }
                try await env.marker("after-second-restart", sink: later)
            }
            #expect(later.summary(of: "shop/web") == ["created", "revision@3", "rollout.completed@3"])
        }
    }
}
