import Controllers
import EventModel
import Foundation
import KubeCore
import PacerCore
import Testing

/// StatefulSet and DaemonSet objects as the API server shows them, built by hand.
enum RevisionFixtures {
    static let created = "2026-09-21T10:00:00Z"
    /// Five seconds after the creation.
    static let t0 = RFC3339.parse(created)! + 5

    static func statefulSet(
        generation: Int64 = 1, observed: Int64? = 1, image: String = "db:1", replicas: Int64 = 3, partition: Int64? = nil,
        onDelete: Bool = false, update: String? = "db-aaa", current: String? = "db-aaa", updated: Int64 = 3, ready: Int64 = 3,
        annotations: [String: String] = ["pacer.dev/commit": "c1"]
    ) -> JSONValue {
        var strategy: JSONValue = onDelete ? ["type": "OnDelete"] : ["type": "RollingUpdate", "rollingUpdate": ["partition": .int(partition ?? 0)]]
        if onDelete { strategy["rollingUpdate"] = nil }
        var status: JSONValue = ["replicas": .int(replicas), "readyReplicas": .int(ready), "availableReplicas": .int(ready), "updatedReplicas": .int(updated)]
        if let observed { status["observedGeneration"] = .int(observed) }
        if let update { status["updateRevision"] = .string(update) }
        if let current { status["currentRevision"] = .string(current) }
        return [
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": [
                "name": "db", "namespace": "shop", "uid": "sts-uid", "generation": .int(generation), "creationTimestamp": .string(created),
                "annotations": .object(annotations.mapValues(JSONValue.string)),
            ],
            "spec": [
                "replicas": .int(replicas), "updateStrategy": strategy, "selector": ["matchLabels": ["app": "db"]],
                "template": ["metadata": ["labels": ["app": "db"]], "spec": ["containers": [["name": "db", "image": .string(image)]]]],
            ],
            "status": status,
        ]
    }

    static func daemonSet(
        generation: Int64 = 1, observed: Int64 = 1, templateGeneration: Int64 = 1, image: String = "agent:1", desired: Int64 = 3,
        updated: Int64 = 3, available: Int64 = 3, annotations: [String: String] = [:]
    ) -> JSONValue {
        var all = annotations
        all["deprecated.daemonset.template.generation"] = String(templateGeneration)
        return [
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": [
                "name": "agent", "namespace": "shop", "uid": "ds-uid", "generation": .int(generation), "creationTimestamp": .string(created),
                "annotations": .object(all.mapValues(JSONValue.string)),
            ],
            "spec": [
                "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1]], "selector": ["matchLabels": ["app": "agent"]],
                "template": ["metadata": ["labels": ["app": "agent"]], "spec": ["containers": [["name": "agent", "image": .string(image)]]]],
            ],
            "status": [
                "observedGeneration": .int(observed), "desiredNumberScheduled": .int(desired), "currentNumberScheduled": .int(desired),
                "updatedNumberScheduled": .int(updated), "numberAvailable": .int(available), "numberReady": .int(available),
            ],
        ]
    }
}

/// `fact@revision` per event (`created`, `revision@db-aaa`, `availability.lost`...).
func facts(_ events: [CloudEvent]) -> [String] {
    events.map { event in
        let fact = event.type.split(separator: ".").dropFirst(3).joined(separator: ".")
        switch fact {
        case "revision", "rollout.completed", "rollout.failed":
            let revision = event.dataObject["revision"]
            return "\(fact)@\(revision?.stringValue ?? revision?.intValue.map(String.init) ?? "?")"
        default: return fact
        }
    }
}

@Suite("StatefulSet and DaemonSet derivers")
struct RolloutStatusDeriverTests {
    typealias F = RevisionFixtures
    let shop = Namespace(metadata: ObjectMeta(name: "shop", annotations: ["pacer.dev/environment": "production", "pacer.dev/team": "data"]))

    func statefulSets() -> StatefulSetEventDeriver { StatefulSetEventDeriver(configuration: .init(clusterName: "c1")) }

    @Test func statefulSetRolloutsGiveTheDeploymentFactsOnceAndNothingNewOnRelistOrRestart() throws {
        var deriver = statefulSets()
        // Created and rolling out its first revision: 2 of 3 pods ready.
        let rolling = F.statefulSet(updated: 2, ready: 2)
        let first = try deriver.observe(rolling, namespace: shop, now: F.t0).events
        #expect(facts(first) == ["created", "revision@db-aaa"])
        let created = try #require(first.first)
        #expect(created.type == "dev.pacer.statefulset.created")
        #expect(created.source == "/k8s/c1/apis/apps/v1/namespaces/shop/statefulsets/db")
        #expect(created.subject == "shop/db")
        #expect(created.id == "sts-uid/created")
        let revision = first[1]
        #expect(revision.id == "sts-uid/db-aaa/revision")
        #expect(revision.dataObject["kind"] == "StatefulSet")
        #expect(revision.dataObject["environment"] == "production")
        #expect(revision.dataObject["team"] == "data")
        #expect(revision.dataObject["commit"] == "c1")
        #expect(revision.dataObject["version"] == "1", "the image tag")
        #expect(revision.dataObject["replicas"] == 3)
        #expect(revision.dataObject["previousRevision"] == nil, "a first rollout")
        #expect(revision.time == "2026-09-21T10:00:00.000Z", "a first revision seen on creation dates from the creation")

        let settled = F.statefulSet()
        let done = try deriver.observe(settled, namespace: shop, now: F.t0 + 30).events
        #expect(facts(done) == ["rollout.completed@db-aaa"])
        #expect(done.first?.id == "sts-uid/db-aaa/rollout.completed")
        #expect(try deriver.observe(settled, namespace: shop, now: F.t0 + 60).events.isEmpty, "a relist or resync")

        // Upgrade: the controller observes generation 2, updateRevision db-bbb, currentRevision still db-aaa.
        let upgrading = F.statefulSet(generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-aaa", updated: 1, ready: 2)
        let upgrade = try deriver.observe(upgrading, namespace: shop, now: F.t0 + 100).events
        #expect(facts(upgrade) == ["revision@db-bbb"])
        #expect(upgrade.first?.dataObject["previousRevision"] == "db-aaa")
        #expect(upgrade.first?.dataObject["previousImages"] == ["db": "db:1"])
        #expect(upgrade.first?.dataObject["rollback"] == false)
        // Every pod updated and ready, but currentRevision not yet switched: not complete (kubectl's rule).
        let almost = F.statefulSet(generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-aaa")
        #expect(try deriver.observe(almost, namespace: shop, now: F.t0 + 110).events.isEmpty)
        let upgraded = F.statefulSet(generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-bbb")
        let completed = try deriver.observe(upgraded, namespace: shop, now: F.t0 + 120).events
        #expect(facts(completed) == ["rollout.completed@db-bbb"])
        #expect(completed.first?.dataObject["previousRevision"] == "db-aaa", "the completion says what it replaced")

        // A restarted Pacer (a new deriver) relisting the same state derives the same ids only.
        var restarted = statefulSets()
        let again = try restarted.observe(upgraded, namespace: shop, now: F.t0 + 500).events
        #expect(Set(again.map(\.id)).isSubset(of: Set((first + done + upgrade + completed).map(\.id))), "\(again.map(\.id))")
        #expect(try restarted.observe(upgraded, namespace: shop, now: F.t0 + 501).events.isEmpty)
    }

    @Test func aStatusThatHasNotObservedTheSpecDerivesNoRevision() throws {
        var deriver = statefulSets()
        _ = try deriver.observe(F.statefulSet(), namespace: shop, now: F.t0)
        let stale = F.statefulSet(generation: 2, observed: 1, image: "db:2", update: "db-aaa", current: "db-aaa")
        #expect(try deriver.observe(stale, namespace: shop, now: F.t0 + 1).events.isEmpty)
        // A scale is a new generation with the same revision: no deployment.
        let scaled = F.statefulSet(generation: 2, observed: 2, replicas: 5, updated: 5, ready: 5)
        #expect(try deriver.observe(scaled, namespace: shop, now: F.t0 + 2).events.isEmpty)
    }

    @Test func aPartitionedRolloutIsCompleteWhenThePodsFromThePartitionOnAreUpdated() throws {
        var deriver = statefulSets()
        _ = try deriver.observe(F.statefulSet(replicas: 4, updated: 4, ready: 4), namespace: shop, now: F.t0)
        // Partition 2 of 4 replicas: ordinals 2 and 3 get db-bbb; currentRevision stays db-aaa by design.
        let one = F.statefulSet(generation: 2, observed: 2, image: "db:2", replicas: 4, partition: 2, update: "db-bbb", current: "db-aaa", updated: 1, ready: 4)
        #expect(facts(try deriver.observe(one, namespace: shop, now: F.t0 + 10).events) == ["revision@db-bbb"])
        let two = F.statefulSet(generation: 2, observed: 2, image: "db:2", replicas: 4, partition: 2, update: "db-bbb", current: "db-aaa", updated: 2, ready: 4)
        let done = try deriver.observe(two, namespace: shop, now: F.t0 + 20).events
        #expect(facts(done) == ["rollout.completed@db-bbb"])
        #expect(done.first?.dataObject["partition"] == 2)
        // Lowering the partition rolls the same revision further: nothing new.
        let all = F.statefulSet(generation: 3, observed: 3, image: "db:2", replicas: 4, partition: 0, update: "db-bbb", current: "db-bbb", updated: 4, ready: 4)
        #expect(try deriver.observe(all, namespace: shop, now: F.t0 + 30).events.isEmpty)
    }

    @Test func aRolloutNotCompleteByItsDeadlineFailsOnceAndMayStillComplete() throws {
        var deriver = statefulSets()
        _ = try deriver.observe(F.statefulSet(), namespace: shop, now: F.t0)
        let annotations = ["pacer.dev/progress-deadline-seconds": "30"]
        let stuck = F.statefulSet(generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-aaa", updated: 1, ready: 2, annotations: annotations)
        #expect(facts(try deriver.observe(stuck, namespace: shop, now: F.t0 + 100).events) == ["revision@db-bbb"])
        #expect(deriver.tick(now: F.t0 + 129).isEmpty, "29 s of 30")
        let failed = deriver.tick(now: F.t0 + 130)
        #expect(facts(failed) == ["rollout.failed@db-bbb"])
        #expect(failed.first?.id == "sts-uid/db-bbb/rollout.failed")
        #expect(failed.first?.time == RFC3339.format(F.t0 + 130, fractionalDigits: 3), "revision seen + deadline")
        #expect(failed.first?.dataObject["reason"] == "ProgressDeadlineExceeded")
        #expect(deriver.tick(now: F.t0 + 500).isEmpty)
        #expect(try deriver.observe(stuck, namespace: shop, now: F.t0 + 501).events.isEmpty)
        // Fixed in place (the fault removed): the same revision completes after all.
        let fixed = F.statefulSet(generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-bbb", annotations: annotations)
        #expect(facts(try deriver.observe(fixed, namespace: shop, now: F.t0 + 600).events) == ["rollout.completed@db-bbb"])
    }

    @Test func theDefaultDeadlineIs600SecondsAndOnDeleteHasNone() throws {
        var deriver = statefulSets()
        _ = try deriver.observe(F.statefulSet(), namespace: shop, now: F.t0)
        let stuck = F.statefulSet(generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-aaa", updated: 1, ready: 2)
        _ = try deriver.observe(stuck, namespace: shop, now: F.t0 + 100)
        #expect(deriver.tick(now: F.t0 + 699).isEmpty)
        #expect(facts(deriver.tick(now: F.t0 + 700)) == ["rollout.failed@db-bbb"])

        var onDelete = statefulSets()
        _ = try onDelete.observe(F.statefulSet(onDelete: true), namespace: shop, now: F.t0)
        let waiting = F.statefulSet(generation: 2, observed: 2, image: "db:2", onDelete: true, update: "db-bbb", current: "db-aaa", updated: 0, ready: 3)
        #expect(facts(try onDelete.observe(waiting, namespace: shop, now: F.t0 + 100).events) == ["revision@db-bbb"])
        #expect(onDelete.tick(now: F.t0 + 100_000).isEmpty, "an OnDelete update waits for pods to be deleted")
        let replaced = F.statefulSet(generation: 2, observed: 2, image: "db:2", onDelete: true, update: "db-bbb", current: "db-bbb")
        #expect(facts(try onDelete.observe(replaced, namespace: shop, now: F.t0 + 200_000).events) == ["rollout.completed@db-bbb"])
    }

    @Test func anInvalidDeadlineAnnotationIsReportedAndTheDefaultApplies() throws {
        var deriver = statefulSets()
        _ = try deriver.observe(F.statefulSet(), namespace: shop, now: F.t0)
        let stuck = F.statefulSet(
            generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-aaa", updated: 1, ready: 2,
            annotations: ["pacer.dev/progress-deadline-seconds": "soon"])
        let observation = try deriver.observe(stuck, namespace: shop, now: F.t0)
        #expect(observation.warnings.contains { $0.contains("pacer.dev/progress-deadline-seconds") && $0.contains("soon") }, "\(observation.warnings)")
        #expect(deriver.tick(now: F.t0 + 599).isEmpty)
        #expect(facts(deriver.tick(now: F.t0 + 600)) == ["rollout.failed@db-bbb"])
    }

    @Test func aRollbackToAnEarlierTemplateIsANewRolloutMarkedAsRollback() throws {
        var deriver = statefulSets()
        _ = try deriver.observe(F.statefulSet(), namespace: shop, now: F.t0)
        _ = try deriver.observe(F.statefulSet(generation: 2, observed: 2, image: "db:2", update: "db-bbb", current: "db-bbb"), namespace: shop, now: F.t0 + 10)
        // Back to db:1: Kubernetes reuses the revision db-aaa.
        let back = F.statefulSet(generation: 3, observed: 3, image: "db:1", update: "db-aaa", current: "db-bbb", updated: 1, ready: 2)
        let events = try deriver.observe(back, namespace: shop, now: F.t0 + 20).events
        #expect(events.map(\.id) == ["sts-uid/db-aaa@g3/revision"])
        #expect(events.first?.dataObject["rollback"] == true)
        #expect(events.first?.dataObject["previousRevision"] == "db-bbb")
        let done = try deriver.observe(F.statefulSet(generation: 3, observed: 3, image: "db:1", update: "db-aaa", current: "db-aaa"), namespace: shop, now: F.t0 + 30).events
        #expect(done.map(\.id) == ["sts-uid/db-aaa@g3/rollout.completed"])
        #expect(done.first?.dataObject["rollback"] == true)
    }

    @Test func daemonSetsUseTheTemplateGenerationAndTheirScheduledCounts() throws {
        var deriver = DaemonSetEventDeriver(configuration: .init(clusterName: "c1"))
        let first = try deriver.observe(F.daemonSet(updated: 2, available: 2), namespace: shop, now: F.t0).events
        #expect(facts(first) == ["created", "revision@1"])
        #expect(first.first?.source == "/k8s/c1/apis/apps/v1/namespaces/shop/daemonsets/agent")
        #expect(first.first?.type == "dev.pacer.daemonset.created")
        #expect(first.last?.id == "ds-uid/1/revision")
        #expect(facts(try deriver.observe(F.daemonSet(), namespace: shop, now: F.t0 + 10).events) == ["rollout.completed@1"])

        let rolling = F.daemonSet(generation: 2, observed: 2, templateGeneration: 2, image: "agent:2", updated: 1, available: 2)
        let upgrade = try deriver.observe(rolling, namespace: shop, now: F.t0 + 20).events
        #expect(facts(upgrade) == ["revision@2"])
        #expect(upgrade.first?.dataObject["previousRevision"] == 1)
        // All updated but one not yet available: not complete.
        #expect(try deriver.observe(F.daemonSet(generation: 2, observed: 2, templateGeneration: 2, image: "agent:2", available: 2), namespace: shop, now: F.t0 + 25).events.isEmpty)
        let done = F.daemonSet(generation: 2, observed: 2, templateGeneration: 2, image: "agent:2")
        #expect(facts(try deriver.observe(done, namespace: shop, now: F.t0 + 30).events) == ["rollout.completed@2"])

        // No pod available outside a rollout: lost; back: restored (ids carry the observation time).
        let down = F.daemonSet(generation: 2, observed: 2, templateGeneration: 2, image: "agent:2", available: 0)
        let lost = try deriver.observe(down, namespace: shop, now: F.t0 + 40).events
        #expect(facts(lost) == ["availability.lost"])
        #expect(lost.first?.id == "ds-uid/availability.lost/\(RFC3339.format(F.t0 + 40, fractionalDigits: 3))")
        #expect(try deriver.observe(down, namespace: shop, now: F.t0 + 41).events.isEmpty)
        // 2 of 3 with maxUnavailable 1 is enough.
        let back = F.daemonSet(generation: 2, observed: 2, templateGeneration: 2, image: "agent:2", available: 2)
        #expect(facts(try deriver.observe(back, namespace: shop, now: F.t0 + 50).events) == ["availability.restored"])

        // On first sight after a restart, a DaemonSet at template generation 3 was upgraded from 2.
        var restarted = DaemonSetEventDeriver(configuration: .init(clusterName: "c1"))
        let later = F.daemonSet(generation: 3, observed: 3, templateGeneration: 3, image: "agent:3")
        let seen = try restarted.observe(later, namespace: shop, now: F.t0 + 60).events
        #expect(facts(seen) == ["created", "revision@3", "rollout.completed@3"])
        #expect(seen[1].dataObject["previousRevision"] == 2)

        let deleted = try deriver.delete(done, namespace: shop, now: F.t0 + 70).events
        #expect(deleted.map(\.id) == ["ds-uid/deleted"])
        #expect(deleted.first?.type == "dev.pacer.daemonset.deleted")
    }

    @Test func optedOutWorkloadsDeriveNothing() throws {
        var deriver = statefulSets()
        let quiet = Namespace(metadata: ObjectMeta(name: "shop", annotations: ["pacer.dev/track": "false"]))
        #expect(try deriver.observe(F.statefulSet(), namespace: quiet, now: F.t0).events.isEmpty)
        #expect(try deriver.delete(F.statefulSet(), namespace: quiet, now: F.t0).events.isEmpty)
    }
}
