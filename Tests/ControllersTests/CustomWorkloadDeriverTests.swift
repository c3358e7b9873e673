import Controllers
import EventModel
import Foundation
import KubeCore
import PacerCore
import Testing

/// Argo Rollouts and Knative Service objects as their controllers write them, built by hand.
enum CustomWorkloadFixtures {
    static let created = RevisionFixtures.created
    static let t0 = RevisionFixtures.t0

    /// A canary Rollout of `cart` (3 replicas). `hash` is `status.currentPodHash`, `stable` `status.stableRS`.
    static func rollout(
        generation: Int64 = 1, observed: String? = "1", image: String = "cart:1", hash: String? = "h1", stable: String? = "h1",
        phase: String = "Healthy", abort: Bool = false, message: String? = nil, progressing: (reason: String, message: String)? = nil,
        available: Int64 = 3
    ) -> JSONValue {
        var status: JSONValue = ["phase": .string(phase), "replicas": 3, "availableReplicas": .int(available), "readyReplicas": .int(available)]
        if let observed { status["observedGeneration"] = .string(observed) }
        if let hash { status["currentPodHash"] = .string(hash) }
        if let stable { status["stableRS"] = .string(stable) }
        if abort { status["abort"] = true }
        if let message { status["message"] = .string(message) }
        if let progressing {
            status["conditions"] = [["type": "Progressing", "status": "False", "reason": .string(progressing.reason), "message": .string(progressing.message)]]
        }
        return [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout",
            "metadata": [
                "name": "cart", "namespace": "shop", "uid": "ro-uid", "generation": .int(generation), "creationTimestamp": .string(created),
                "annotations": ["pacer.dev/commit": "c1"],
            ],
            "spec": [
                "replicas": 3, "selector": ["matchLabels": ["app": "cart"]],
                "strategy": ["canary": ["steps": [["setWeight": 20], ["pause": [:]]]]],
                "template": ["metadata": ["labels": ["app": "cart"]], "spec": ["containers": [["name": "cart", "image": .string(image)]]]],
            ],
            "status": status,
        ]
    }

    /// A Knative Service `hello`. `configurations`/`routes` are the `ConfigurationsReady`/`RoutesReady` statuses.
    static func service(
        generation: Int64 = 1, observed: Int64 = 1, image: String = "hello:1", latestCreated: String? = "hello-00001",
        latestReady: String? = "hello-00001", configurations: String = "True", reason: String? = nil, message: String? = nil,
        routes: String = "True"
    ) -> JSONValue {
        var configurationsCondition: JSONValue = ["type": "ConfigurationsReady", "status": .string(configurations)]
        if let reason { configurationsCondition["reason"] = .string(reason) }
        if let message { configurationsCondition["message"] = .string(message) }
        let ready = configurations == "True" && routes == "True" ? "True" : configurations == "False" || routes == "False" ? "False" : "Unknown"
        var status: JSONValue = [
            "observedGeneration": .int(observed),
            "conditions": [configurationsCondition, ["type": "RoutesReady", "status": .string(routes)], ["type": "Ready", "status": .string(ready)]],
        ]
        if let latestCreated { status["latestCreatedRevisionName"] = .string(latestCreated) }
        if let latestReady { status["latestReadyRevisionName"] = .string(latestReady) }
        return [
            "apiVersion": "serving.knative.dev/v1", "kind": "Service",
            "metadata": [
                "name": "hello", "namespace": "shop", "uid": "ksvc-uid", "generation": .int(generation), "creationTimestamp": .string(created),
                "annotations": ["pacer.dev/commit": "k1"],
            ],
            "spec": ["template": ["metadata": ["labels": ["app": "hello"]], "spec": ["containers": [["image": .string(image)]]]]],
            "status": status,
        ]
    }
}

@Suite("Argo Rollouts and Knative Service derivers")
struct CustomWorkloadDeriverTests {
    typealias F = CustomWorkloadFixtures
    let shop = Namespace(metadata: ObjectMeta(name: "shop", annotations: ["pacer.dev/environment": "production"]))

    func rollouts() -> ArgoRolloutEventDeriver { ArgoRolloutEventDeriver(configuration: .init(clusterName: "c1")) }
    func services() -> KnativeServiceEventDeriver { KnativeServiceEventDeriver(configuration: .init(clusterName: "c1")) }

    @Test func aRolloutIsDeployedWhenHealthyAtItsNewHashAndPausesAreNotFailures() throws {
        var deriver = rollouts()
        // First revision h1, still progressing through its steps.
        let first = try deriver.observe(F.rollout(stable: nil, phase: "Progressing", available: 1), namespace: shop, now: F.t0).events
        #expect(facts(first) == ["created", "revision@h1"])
        #expect(first[0].type == "dev.pacer.rollout.created")
        #expect(first[0].source == "/k8s/c1/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts/cart")
        #expect(first[1].id == "ro-uid/h1/revision")
        #expect(first[1].dataObject["kind"] == "Rollout")
        #expect(first[1].dataObject["commit"] == "c1")
        #expect(first[1].dataObject["version"] == "1", "the image tag")
        #expect(first[1].dataObject["strategy"] == "canary")
        let healthy = try deriver.observe(F.rollout(), namespace: shop, now: F.t0 + 30).events
        #expect(facts(healthy) == ["rollout.completed@h1"])
        #expect(try deriver.observe(F.rollout(), namespace: shop, now: F.t0 + 31).events.isEmpty, "a relist")

        // Upgrade to h2: the canary pauses at its step (phase Paused, stableRS still h1) for an hour.
        let paused = F.rollout(generation: 2, observed: "2", image: "cart:2", hash: "h2", stable: "h1", phase: "Paused")
        let upgrade = try deriver.observe(paused, namespace: shop, now: F.t0 + 100).events
        #expect(facts(upgrade) == ["revision@h2"])
        #expect(upgrade.first?.dataObject["previousRevision"] == "h1")
        #expect(upgrade.first?.dataObject["rollback"] == false)
        #expect(deriver.tick(now: F.t0 + 100 + 3600).isEmpty, "no Pacer deadline: Argo Rollouts fails rollouts itself")
        #expect(try deriver.observe(paused, namespace: shop, now: F.t0 + 3700).events.isEmpty, "a pause is not a failure")
        // Promoted: Healthy with stableRS h2.
        let promoted = F.rollout(generation: 2, observed: "2", image: "cart:2", hash: "h2", stable: "h2")
        #expect(facts(try deriver.observe(promoted, namespace: shop, now: F.t0 + 3800).events) == ["rollout.completed@h2"])
    }

    @Test func anAbortedRolloutFailsOnceAndItsUndoIsARollback() throws {
        var deriver = rollouts()
        _ = try deriver.observe(F.rollout(), namespace: shop, now: F.t0)
        let upgrading = F.rollout(generation: 2, observed: "2", image: "cart:2", hash: "h2", stable: "h1", phase: "Progressing")
        #expect(facts(try deriver.observe(upgrading, namespace: shop, now: F.t0 + 100).events) == ["revision@h2"])
        // `kubectl argo rollouts abort cart`: abort, phase Degraded, traffic back on h1.
        let aborted = F.rollout(
            generation: 2, observed: "2", image: "cart:2", hash: "h2", stable: "h1", phase: "Degraded", abort: true,
            message: "RolloutAborted: Rollout aborted update to revision 2")
        let failed = try deriver.observe(aborted, namespace: shop, now: F.t0 + 160).events
        #expect(facts(failed) == ["rollout.failed@h2"])
        #expect(failed.first?.id == "ro-uid/h2/rollout.failed")
        #expect(failed.first?.dataObject["reason"] == "RolloutAborted")
        #expect(failed.first?.dataObject["message"] == "RolloutAborted: Rollout aborted update to revision 2")
        #expect(failed.first?.time == RFC3339.format(F.t0 + 160, fractionalDigits: 3))
        #expect(try deriver.observe(aborted, namespace: shop, now: F.t0 + 170).events.isEmpty, "failed once")

        // `kubectl argo rollouts undo cart`: the template of h1 again (generation 3), its hash h1 again.
        let undone = F.rollout(generation: 3, observed: "3", image: "cart:1", hash: "h1", stable: "h1")
        let back = try deriver.observe(undone, namespace: shop, now: F.t0 + 200).events
        #expect(facts(back) == ["revision@h1", "rollout.completed@h1"])
        #expect(back.first?.id == "ro-uid/h1@g3/revision", "a return to a hash seen before gets the generation in its id")
        #expect(back.first?.dataObject["rollback"] == true, "the template of an earlier revision")
        #expect(back.first?.dataObject["previousRevision"] == "h2")
    }

    @Test func aDegradedRolloutPastItsOwnDeadlineFailsWithArgosReason() throws {
        var deriver = rollouts()
        _ = try deriver.observe(F.rollout(), namespace: shop, now: F.t0)
        _ = try deriver.observe(F.rollout(generation: 2, observed: "2", image: "cart:2", hash: "h2", stable: "h1", phase: "Progressing"), namespace: shop, now: F.t0 + 10)
        let degraded = F.rollout(
            generation: 2, observed: "2", image: "cart:2", hash: "h2", stable: "h1", phase: "Degraded",
            progressing: (reason: "ProgressDeadlineExceeded", message: "ReplicaSet \"cart-h2\" has timed out progressing."))
        let failed = try deriver.observe(degraded, namespace: shop, now: F.t0 + 620).events
        #expect(facts(failed) == ["rollout.failed@h2"])
        #expect(failed.first?.dataObject["reason"] == "ProgressDeadlineExceeded")
        #expect(failed.first?.dataObject["message"] == "ReplicaSet \"cart-h2\" has timed out progressing.")
        // A status that has not observed generation 2 yet says nothing about h2.
        var fresh = rollouts()
        _ = try fresh.observe(F.rollout(), namespace: shop, now: F.t0)
        let stale = F.rollout(generation: 2, observed: "1", image: "cart:2", hash: "h1", stable: "h1")
        #expect(try fresh.observe(stale, namespace: shop, now: F.t0 + 5).events.isEmpty)
    }

    @Test func aKnativeServiceIsDeployedWhenItsNewRevisionIsReady() throws {
        var deriver = services()
        // Created: revision hello-00001 created, not ready yet.
        let starting = F.service(latestReady: nil, configurations: "Unknown", routes: "Unknown")
        let first = try deriver.observe(starting, namespace: shop, now: F.t0).events
        #expect(facts(first) == ["created", "revision@hello-00001"])
        #expect(first[0].type == "dev.pacer.knativeservice.created")
        #expect(first[0].source == "/k8s/c1/apis/serving.knative.dev/v1/namespaces/shop/services/hello")
        #expect(first[1].dataObject["kind"] == "Service")
        #expect(first[1].dataObject["commit"] == "k1")
        #expect(first[1].dataObject["replicas"] == nil, "Knative scales the pods itself")
        #expect(first[1].dataObject["images"] == ["user-container": "hello:1"], "Knative's name for an unnamed container")
        let ready = try deriver.observe(F.service(), namespace: shop, now: F.t0 + 20).events
        #expect(facts(ready) == ["rollout.completed@hello-00001"])
        #expect(try deriver.observe(F.service(), namespace: shop, now: F.t0 + 21).events.isEmpty, "a relist")

        // A new template: revision hello-00002 created while hello-00001 still serves.
        let rolling = F.service(generation: 2, observed: 2, image: "hello:2", latestCreated: "hello-00002", configurations: "Unknown")
        let upgrade = try deriver.observe(rolling, namespace: shop, now: F.t0 + 100).events
        #expect(facts(upgrade) == ["revision@hello-00002"])
        #expect(upgrade.first?.dataObject["previousRevision"] == "hello-00001")
        #expect(deriver.tick(now: F.t0 + 100_000).isEmpty, "no Pacer deadline: Knative fails revisions itself")
        let done = F.service(generation: 2, observed: 2, image: "hello:2", latestCreated: "hello-00002", latestReady: "hello-00002")
        #expect(facts(try deriver.observe(done, namespace: shop, now: F.t0 + 100_001).events) == ["rollout.completed@hello-00002"])
    }

    @Test func aKnativeRevisionThatNeverBecomesReadyFailsWhileTrafficStaysServed() throws {
        var deriver = services()
        _ = try deriver.observe(F.service(), namespace: shop, now: F.t0)
        let rolling = F.service(generation: 2, observed: 2, image: "hello:2", latestCreated: "hello-00002", configurations: "Unknown")
        _ = try deriver.observe(rolling, namespace: shop, now: F.t0 + 100)
        let failing = F.service(
            generation: 2, observed: 2, image: "hello:2", latestCreated: "hello-00002", configurations: "False", reason: "RevisionFailed",
            message: "Revision \"hello-00002\" failed with message: Back-off pulling image \"hello:2\".")
        let failed = try deriver.observe(failing, namespace: shop, now: F.t0 + 160).events
        #expect(facts(failed) == ["rollout.failed@hello-00002"], "no availability loss: RoutesReady stays True on hello-00001")
        #expect(failed.first?.dataObject["reason"] == "RevisionFailed")
        #expect(failed.first?.dataObject["latestReadyRevision"] == "hello-00001")

        // The routes lose their ready revision, then get it back.
        let down = F.service(generation: 2, observed: 2, image: "hello:2", latestCreated: "hello-00002", configurations: "False", routes: "False")
        #expect(facts(try deriver.observe(down, namespace: shop, now: F.t0 + 200).events) == ["availability.lost"])
        let up = F.service(generation: 2, observed: 2, image: "hello:2", latestCreated: "hello-00002", configurations: "False", routes: "True")
        #expect(facts(try deriver.observe(up, namespace: shop, now: F.t0 + 260).events) == ["availability.restored"])
    }
}
