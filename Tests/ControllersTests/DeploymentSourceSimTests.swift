import Controllers
import EventModel
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSim
import Logging
import ServiceLifecycle
import PacerCore
import Testing

@Suite("DeploymentSource against kube-sim", .serialized)
struct DeploymentSourceSimTests {
    static let annotations = [
        "pacer.dev/app": "storefront", "pacer.dev/commit": "4f2a9c1", "pacer.dev/commit-time": "2026-11-20T09:30:00Z",
        "pacer.dev/repository": "https://git.example/shop/web",
    ]

    @Test func createUpdateFailAndDeleteGiveEachEventOnce() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await env.client.resource(Deployment.self, namespace: "quiet").create(SimEnvironment.deployment("hidden", namespace: "quiet", image: "web:1"))
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "registry.example/web:1.0.0", annotations: Self.annotations))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }

                _ = try await env.deployments.patch("web", mergePatch: ["spec": ["replicas": 4]])
                // The simulated controller settles the scale, then a marker orders every event about it before ours.
                try await eventually("scaled") {
                    guard let current = try? await env.deployments.get("web") else { return false }
                    return current.status?.observedGeneration == current.metadata.generation && current.status?.replicas == 4
                }
                try await env.marker("after-scale", sink: sink)
                #expect(sink.summary(of: "shop/web") == ["created", "revision@1", "rollout.completed@1"], "a scale is not a deployment")

                _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("registry.example/web:1.1.0"))
                try await eventually("second rollout") { sink.contains("rollout.completed@2") }

                _ = try await env.deployments.patch(
                    "web", mergePatch: SimEnvironment.imagePatch("registry.example/web:1.2.0", annotations: ["kube-sim.pacer.dev/fail-rollout": "true"]))
                try await eventually("failed rollout") { sink.contains("rollout.failed@3") }

                try await env.deployments.delete("web")
                try await eventually("deleted") { sink.contains("deleted") }
                try await env.marker("after-delete", sink: sink)
            }
            #expect(sink.summary(of: "shop/web") == [
                "created", "revision@1", "rollout.completed@1", "revision@2", "rollout.completed@2", "revision@3", "rollout.failed@3", "deleted",
            ])
            let events = sink.events.filter { $0.subject == "shop/web" }
            #expect(!sink.events.contains { $0.subject == "quiet/hidden" }, "namespace opted out")
            #expect(Set(events.map(\.id)).count == events.count)
            for event in events {
                #expect(throws: Never.self) { try event.validate() }
                #expect(event.source == "/k8s/sim/apis/apps/v1/namespaces/shop/deployments/web")
                #expect(event.subject == "shop/web")
                let data = event.dataObject
                #expect(data["app"] == "storefront")
                #expect(data["environment"] == "production")
                #expect(data["team"] == "payments")
                #expect(data["commit"] == "4f2a9c1")
                #expect(data["commitTime"] == "2026-11-20T09:30:00Z")
                #expect(data["repository"] == "https://git.example/shop/web")
            }
            let revision2 = try #require(events.first { $0.type == DeploymentEventType.revision.rawValue && $0.dataObject["revision"] == 2 })
            #expect(revision2.dataObject["previousRevision"] == 1)
            #expect(revision2.dataObject["images"] == ["app": "registry.example/web:1.1.0"])
            #expect(revision2.dataObject["previousImages"] == ["app": "registry.example/web:1.0.0"])
            #expect(revision2.dataObject["version"] == "1.1.0")
            #expect(revision2.dataObject["rollback"] == false)
        }
    }

    @Test func kubectlRolloutRestartIsNoDeployment() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "registry.example/web:1.0.0"))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }
                // The patch `kubectl rollout restart deployment/web` sends.
                _ = try await env.deployments.patch(
                    "web", mergePatch: ["spec": ["template": ["metadata": ["annotations": ["kubectl.kubernetes.io/restartedAt": "2026-12-02T10:00:00Z"]]]]])
                try await eventually("the restart in the cluster") {
                    guard let current = try? await env.deployments.get("web") else { return false }
                    let completed = current.status?.conditions?.contains { $0.reason == "NewReplicaSetAvailable" } ?? false
                    return completed && current.metadata.annotations?[WorkloadAnnotations.revision] == "2"
                        && current.status?.observedGeneration == current.metadata.generation
                }
                try await eventually("restarted@2") { sink.contains("restarted@2") }
                _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("registry.example/web:1.1.0"))
                try await eventually("the upgrade") { sink.contains("rollout.completed@3") }
                try await env.marker(sink: sink)
            }
            // Revision 2 (the restart) is one `restarted` event, revision 3 (a new image) a deployment.
            #expect(sink.summary(of: "shop/web") == ["created", "revision@1", "rollout.completed@1", "restarted@2", "revision@3", "rollout.completed@3"])
            let upgrade = try #require(sink.events.first { $0.subject == "shop/web" && $0.type == DeploymentEventType.revision.rawValue && $0.dataObject["revision"] == 3 })
            #expect(upgrade.dataObject["previousRevision"] == 2)
            #expect(upgrade.dataObject["previousImages"] == ["app": "registry.example/web:1.0.0"])
        }
    }

    @Test func aRestartReDerivesWithoutDuplicatesAndCatchesUp() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }
            }
            // While no source runs, a new revision is rolled out.
            _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("web:2"))
            try await eventually("rollout of revision 2 in the cluster") {
                guard let current = try? await env.deployments.get("web") else { return false }
                let completed = current.status?.conditions?.contains { $0.reason == "NewReplicaSetAvailable" } ?? false
                return completed && current.metadata.annotations?[WorkloadAnnotations.revision] == "2"
                    && current.status?.updatedReplicas == current.status?.replicas
            }
            try await env.running(env.makeSource(sink: sink)) {
                try await eventually("catch-up after restart") { sink.contains("rollout.completed@2") }
                try await env.marker(sink: sink)
            }
            #expect(sink.summary(of: "shop/web") == ["created", "revision@1", "rollout.completed@1", "revision@2", "rollout.completed@2"])
            #expect(sink.duplicates >= 1, "the second source re-derived created with the same id")
        }
    }

    @Test func droppedWatchesAndAForcedRelistLoseAndRepeatNothing() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }

                env.sim.faults.dropWatches()
                _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("web:2"))
                try await eventually("rollout after a dropped watch") { sink.contains("rollout.completed@2") }

                env.sim.faults.compactHistory()
                env.sim.faults.dropWatches()
                _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("web:1"))
                try await eventually("rollout after a relist") { sink.contains("rollout.completed@3") }

                env.sim.faults.compactHistory()
                env.sim.faults.dropWatches()
                try await env.deployments.delete("web")
                try await eventually("delete seen through a relist") { sink.contains("deleted") }
                try await env.marker(sink: sink)
            }
            #expect(sink.summary(of: "shop/web") == [
                "created", "revision@1", "rollout.completed@1", "revision@2", "rollout.completed@2", "revision@3", "rollout.completed@3", "deleted",
            ])
            let revision3 = try #require(sink.events.first { $0.id.hasSuffix("/3/revision") })
            #expect(revision3.dataObject["rollback"] == true, "web:1 again is a rollback to revision 1's template")
        }
    }

    @Test func aSinkOutageDelaysButLosesNothing() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            sink.setFailing(true)
            let source = env.makeSource(sink: sink)
            try await env.running(source) {
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                try await eventually("retries against the failing sink") { sink.failures >= 3 }
                try await eventually("events buffered") { source.pendingEvents >= 3 }
                #expect(sink.events.isEmpty)
                sink.setFailing(false)
                try await eventually("delivery after the outage") { sink.contains("rollout.completed@1") }
                try await eventually("buffer drained") { source.pendingEvents == 0 }
            }
            #expect(sink.summary == ["created", "revision@1", "rollout.completed@1"])
        }
    }

    @Test func unavailabilityIsLostThenRestored() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }
                _ = try await env.deployments.patch("web", mergePatch: ["metadata": ["annotations": ["kube-sim.pacer.dev/unavailable": "true"]]])
                try await eventually("availability lost") { sink.contains("availability.lost") }
                // Not synchronisation (the loss was waited for above): Kubernetes condition times have one-second
                // precision and the restored event's time must be after the loss, so the clock has to move on. kube-sim
                // stamps conditions with the real clock; there is no clock to inject.
                try await Task.sleep(for: .milliseconds(1100))
                _ = try await env.deployments.patch("web", mergePatch: ["metadata": ["annotations": ["kube-sim.pacer.dev/unavailable": nil]]])
                try await eventually("availability restored") { sink.contains("availability.restored") }
                try await env.marker(sink: sink)
            }
            #expect(sink.summary(of: "shop/web") == ["created", "revision@1", "rollout.completed@1", "availability.lost", "availability.restored"])
        }
    }

    /// Kubernetes bumps a Deployment's generation on an annotation-only change (apps/v1 strategy); the controller then
    /// observes it with the same revision. Pacer must see neither a revision nor a rollout in that.
    @Test func anAnnotationOnlyGenerationBumpIsNoRollout() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }
                let patched = try await env.deployments.patch("web", mergePatch: ["metadata": ["annotations": ["example.com/note": "audited"]]])
                #expect(patched.metadata.generation == 2)
                try await eventually("generation 2 observed") {
                    guard let current = try? await env.deployments.get("web") else { return false }
                    return current.status?.observedGeneration == 2
                }
                try await env.marker(sink: sink)
                let current = try await env.deployments.get("web")
                #expect(current.metadata.annotations?["deployment.kubernetes.io/revision"] == "1")
            }
            #expect(sink.summary(of: "shop/web") == ["created", "revision@1", "rollout.completed@1"])
        }
    }
}

@Suite("DeploymentSource lifecycle and scoping", .serialized)
struct DeploymentSourceLifecycleTests {
    @Test func gracefulShutdownReturnsPromptly() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            // Watches last 10 minutes: a shutdown that waited for them (instead of ending them) would not return
            // within the generous minute allowed here.
            let source = env.makeSource(sink: sink, watchTimeoutSeconds: 600)
            let group = ServiceGroup(services: [source], gracefulShutdownSignals: [], cancellationSignals: [], logger: Logger(label: "test.group"))
            let stopped = Flag()
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask {
                    try await group.run()
                    stopped.set()
                }
                _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                try await eventually("first rollout") { sink.contains("rollout.completed@1") }
                await group.triggerGracefulShutdown()
                try await eventually("the source returned after graceful shutdown", 60) { stopped.isSet }
                try await tasks.waitForAll()
            }
        }
    }

    @Test func twoReplicasStoreEachEventOnce() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            let first = env.makeSource(sink: sink)
            let second = env.makeSource(sink: sink)
            try await env.running(first) {
                try await env.running(second) {
                    // Both watching before the first change: a replica that starts late lists the Deployment at a
                    // later revision and (correctly) derives fewer events, which this test is not about.
                    await first.waitUntilWatching()
                    await second.waitUntilWatching()
                    _ = try await env.deployments.create(SimEnvironment.deployment("web", image: "web:1"))
                    try await eventually("first rollout") { sink.contains("rollout.completed@1") }
                    _ = try await env.deployments.patch("web", mergePatch: SimEnvironment.imagePatch("web:2"))
                    try await eventually("second rollout") { sink.contains("rollout.completed@2") }
                    // The other replica derives the same five events with the same ids, each stored once. Waited
                    // for, not slept for: on a loaded machine it can lag the first by more than a fixed pause.
                    try await eventually("the other replica's five events", 30) { sink.duplicates >= 5 }
                    // Both replicas have delivered the marker, so everything they derived about web before it.
                    try await env.marker(sink: sink, replicas: 2)
                }
            }
            #expect(sink.summary(of: "shop/web") == ["created", "revision@1", "rollout.completed@1", "revision@2", "rollout.completed@2"])
            #expect(sink.duplicates(of: "shop/web") == 5, "the other replica derived the same ids")
        }
    }

    @Test func watchNamespacesAndLabelSelectorLimitWhatIsWatched() async throws {
        try await SimEnvironment.with { env in
            _ = try await env.client.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "other")))
            let sink = InMemorySink()
            var configuration = DeploymentSourceConfiguration(clusterName: "sim", watchNamespaces: ["shop"], labelSelector: "pacer=yes")
            configuration.namespaceSyncTimeout = .seconds(5)
            var watcher = WatcherConfiguration(watchTimeoutSeconds: 30, backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500), jitter: 0))
            watcher.minimumHealthyWatch = .zero
            configuration.watcher = watcher
            let source = DeploymentSource(client: env.client, sink: sink, configuration: configuration)
            try await env.running(source) {
                var selected = SimEnvironment.deployment("selected", image: "web:1")
                selected.metadata.labels = ["pacer": "yes"]
                var elsewhere = SimEnvironment.deployment("elsewhere", namespace: "other", image: "web:1")
                elsewhere.metadata.labels = ["pacer": "yes"]
                _ = try await env.client.resource(Deployment.self, namespace: "other").create(elsewhere)
                _ = try await env.deployments.create(SimEnvironment.deployment("unlabelled", image: "web:1"))
                _ = try await env.deployments.create(selected)
                try await eventually("selected rollout") { sink.contains("rollout.completed@1") }
                // A selected marker created after the others: had they been watched, their events would be first.
                try await env.marker(sink: sink, labels: ["pacer": "yes"])
            }
            #expect(Set(sink.events.compactMap(\.subject)) == ["shop/selected", "shop/marker"])
        }
    }
}
