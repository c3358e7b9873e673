import Controllers
import EventModel
import Foundation
import KubeClient
import KubeCore
import KubeSim
import PacerCore
import Testing

/// The workload source with Argo Rollouts and Knative Services against kube-sim: their CRDs (hack/workload-crds,
/// written from the documented APIs) are applied after the source started; the test plays each controller by writing
/// the status subresource as it documents it.
@Suite("WorkloadSource: Argo Rollouts and Knative Services against kube-sim", .serialized)
struct CustomWorkloadSourceSimTests {
    static func crds() throws -> String {
        try ["argo-rollout.yaml", "knative-service.yaml"]
            .map { try String(contentsOf: GitOpsSourceSimTests.crdDirectory.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n---\n")
    }

    static func template(_ app: String, image: String) -> JSONValue {
        ["metadata": ["labels": ["app": .string(app)]], "spec": ["containers": [["name": .string(app), "image": .string(image)]]]]
    }

    @Test(.timeLimit(.minutes(5))) func rolloutsAndKnativeServicesGiveTheirFactsOnce() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            let source = env.makeSource(sink: sink) {
                $0.kinds = [.deployment, .argoRollout, .knativeService]
                $0.discoveryInterval = .milliseconds(200)
            }
            try await env.running(source) {
                await source.waitUntilWatching()
                #expect(Set(source.unservedKinds) == [.argoRollout, .knativeService])
                try await env.sim.apply(yaml: Self.crds())
                await source.waitUntilWatching(.argoRollout)
                await source.waitUntilWatching(.knativeService)

                // Argo Rollouts: cart at hash h1, Healthy; then h2 paused at a canary step, then aborted.
                let rollouts = env.client.resource(DynamicObject.self, descriptor: WorkloadKind.argoRollout.descriptor, namespace: "shop")
                let created = try await rollouts.create(DynamicObject([
                    "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
                    "metadata": ["name": "cart", "namespace": "shop", "annotations": ["pacer.dev/commit": "c1"]],
                    "spec": [
                        "replicas": 2, "selector": ["matchLabels": ["app": "cart"]], "template": Self.template("cart", image: "cart:1"),
                        "strategy": ["canary": ["steps": [["setWeight": 50], ["pause": [:]]]]],
                    ],
                ]))
                let generation = created.raw["metadata"]?["generation"]?.intValue ?? 1
                _ = try await rollouts.patchStatus("cart", mergePatch: ["status": [
                    "observedGeneration": .string(String(generation)), "currentPodHash": "h1", "stableRS": "h1", "phase": "Healthy",
                    "replicas": 2, "availableReplicas": 2,
                ]])
                try await eventually("Rollout h1 completed") { sink.events.contains { $0.type == "dev.pacer.rollout.rollout.completed" } }
                _ = try await rollouts.patch(
                    "cart", mergePatch: ["metadata": ["annotations": ["pacer.dev/commit": "c2"]], "spec": ["template": Self.template("cart", image: "cart:2")]])
                _ = try await rollouts.patchStatus("cart", mergePatch: ["status": [
                    "observedGeneration": .string(String(generation + 1)), "currentPodHash": "h2", "stableRS": "h1", "phase": "Paused",
                ]])
                try await eventually("Rollout h2 revision") { sink.events.contains { $0.id.hasSuffix("/h2/revision") } }
                _ = try await rollouts.patchStatus("cart", mergePatch: ["status": [
                    "phase": "Degraded", "abort": true, "message": "RolloutAborted: Rollout aborted update to revision 2",
                ]])
                try await eventually("Rollout h2 failed") { sink.events.contains { $0.type == "dev.pacer.rollout.rollout.failed" } }

                // Knative: hello-00001 ready, then hello-00002 fails while hello-00001 keeps serving.
                let services = env.client.resource(DynamicObject.self, descriptor: WorkloadKind.knativeService.descriptor, namespace: "shop")
                let service = try await services.create(DynamicObject([
                    "apiVersion": "serving.knative.dev/v1", "kind": "Service",
                    "metadata": ["name": "hello", "namespace": "shop"],
                    "spec": ["template": Self.template("hello", image: "hello:1")],
                ]))
                let serviceGeneration = service.raw["metadata"]?["generation"]?.intValue ?? 1
                func conditions(_ configurations: String, _ routes: String, reason: String? = nil) -> JSONValue {
                    var first: JSONValue = ["type": "ConfigurationsReady", "status": .string(configurations)]
                    if let reason { first["reason"] = .string(reason) }
                    return [first, ["type": "RoutesReady", "status": .string(routes)]]
                }
                _ = try await services.patchStatus("hello", mergePatch: ["status": [
                    "observedGeneration": .int(serviceGeneration), "latestCreatedRevisionName": "hello-00001",
                    "latestReadyRevisionName": "hello-00001", "conditions": conditions("True", "True"),
                ]])
                try await eventually("Knative hello-00001 ready") { sink.events.contains { $0.type == "dev.pacer.knativeservice.rollout.completed" } }
                _ = try await services.patch("hello", mergePatch: ["spec": ["template": Self.template("hello", image: "hello:2")]])
                _ = try await services.patchStatus("hello", mergePatch: ["status": [
                    "observedGeneration": .int(serviceGeneration + 1), "latestCreatedRevisionName": "hello-00002",
                    "conditions": conditions("False", "True", reason: "RevisionFailed"),
                ]])
                try await eventually("Knative hello-00002 failed") { sink.events.contains { $0.type == "dev.pacer.knativeservice.rollout.failed" } }
                try await env.marker("after", sink: sink)
            }
            func story(_ subject: String, _ prefix: String) -> [String] {
                sink.events.filter { $0.subject == subject }.map { String($0.type.dropFirst(prefix.count)) }
            }
            #expect(story("shop/cart", "dev.pacer.rollout.") == ["created", "revision", "rollout.completed", "revision", "rollout.failed"])
            #expect(story("shop/hello", "dev.pacer.knativeservice.") == ["created", "revision", "rollout.completed", "revision", "rollout.failed"])
            let failed = sink.events.first { $0.type == "dev.pacer.rollout.rollout.failed" }
            #expect(failed?.dataObject["reason"] == "RolloutAborted")
            #expect(failed?.dataObject["commit"] == "c2")
            #expect(failed?.dataObject["environment"] == "production", "the namespace's annotation")
            #expect(failed?.source == "/k8s/sim/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/cart")
            let knative = sink.events.first { $0.type == "dev.pacer.knativeservice.rollout.failed" }
            #expect(knative?.dataObject["reason"] == "RevisionFailed")
            #expect(knative?.dataObject["revision"] == "hello-00002")
            #expect(knative?.dataObject["version"] == "2", "the image tag")
            #expect(!sink.events.contains { $0.type.hasSuffix(".availability.lost") })
            for event in sink.events { #expect(throws: Never.self) { try event.validate() } }
        }
    }
}
