import PacerCore

/// One step of a simulated StatefulSet or DaemonSet rollout.
struct SimulatedRollout: Sendable, Equatable {
    /// The template rolled out and its revision name (`<name>-<hash>`, equal for equal templates).
    var template: JSONValue
    var revision: String
    /// The revision the rollout replaces (nil for the first one).
    var previous: String?

    var initial: Bool { previous == nil }
}

/// What a simulated controller writes for one kind: the status while a rollout progresses, and once it settles.
protocol WorkloadSimulation: Sendable {
    static var key: TypeKey { get }
    static func status(_ object: JSONValue, rollout: SimulatedRollout, settled: Bool) -> JSONValue
    /// The rollout the stored object already shows (adopted after a kube-sim restart of the controller), if any.
    static func adopt(_ object: JSONValue) -> SimulatedRollout?
}

/// Fault annotations and the shape of the pods these controllers pretend to manage.
struct WorkloadFaults {
    var failed: Bool
    var unavailable: Bool
    var onDelete: Bool

    init(_ object: JSONValue) {
        let annotations = object["metadata"]?["annotations"]
        failed = annotations?[RolloutController.failAnnotation]?.stringValue == "true"
        unavailable = annotations?[RolloutController.unavailableAnnotation]?.stringValue == "true"
        onDelete = object["spec"]?["updateStrategy"]?["type"]?.stringValue == "OnDelete"
    }

    /// Pods updated and ready out of `target` pods to update among `total`: while progressing one is still being
    /// replaced; a failed rollout is stuck with its first new pod not ready; an OnDelete update replaces nothing (no
    /// pod is ever deleted here) except on creation.
    func counts(total: Int64, target: Int64, settled: Bool, initial: Bool) -> (updated: Int64, ready: Int64) {
        let target = onDelete && !initial ? 0 : max(0, min(total, target))
        var updated = target
        var ready = total
        if target > 0, !settled || failed {
            updated = failed ? 1 : target - 1
            ready = total - 1
        }
        return (updated, unavailable ? 0 : ready)
    }
}

/// `apps/v1` StatefulSets: `updateRevision`/`currentRevision`, partitions, OnDelete.
enum StatefulSetSimulation: WorkloadSimulation {
    static let key = StoreState.statefulSetsKey

    static func status(_ object: JSONValue, rollout: SimulatedRollout, settled: Bool) -> JSONValue {
        let faults = WorkloadFaults(object)
        let replicas = object["spec"]?["replicas"]?.intValue ?? 1
        let partition = faults.onDelete ? 0 : max(0, object["spec"]?["updateStrategy"]?["rollingUpdate"]?["partition"]?.intValue ?? 0)
        let (updated, ready) = faults.counts(total: replicas, target: replicas - partition, settled: settled, initial: rollout.initial)
        let allUpdated = updated >= replicas
        let current = allUpdated && settled ? rollout.revision : (rollout.previous ?? rollout.revision)
        return [
            "observedGeneration": .int(object["metadata"]?["generation"]?.intValue ?? 1), "replicas": .int(replicas),
            "readyReplicas": .int(ready), "availableReplicas": .int(ready),
            "currentReplicas": .int(current == rollout.revision ? replicas : replicas - updated), "updatedReplicas": .int(updated),
            "currentRevision": .string(current), "updateRevision": .string(rollout.revision), "collisionCount": 0,
        ]
    }

    static func adopt(_ object: JSONValue) -> SimulatedRollout? {
        guard let update = object["status"]?["updateRevision"]?.stringValue,
            object["status"]?["observedGeneration"]?.intValue == object["metadata"]?["generation"]?.intValue
        else { return nil }
        let current = object["status"]?["currentRevision"]?.stringValue
        return SimulatedRollout(template: object["spec"]?["template"] ?? .null, revision: update, previous: current == update ? nil : current)
    }
}

/// `apps/v1` DaemonSets on `kube-sim.pacer.dev/nodes` nodes (default 3).
enum DaemonSetSimulation: WorkloadSimulation {
    static let key = StoreState.daemonSetsKey
    static let nodesAnnotation = "kube-sim.pacer.dev/nodes"

    static func status(_ object: JSONValue, rollout: SimulatedRollout, settled: Bool) -> JSONValue {
        let faults = WorkloadFaults(object)
        let nodes = max(0, Int64(object["metadata"]?["annotations"]?[nodesAnnotation]?.stringValue ?? "") ?? 3)
        let (updated, ready) = faults.counts(total: nodes, target: nodes, settled: settled, initial: rollout.initial)
        var status: [String: JSONValue] = [
            "observedGeneration": .int(object["metadata"]?["generation"]?.intValue ?? 1), "desiredNumberScheduled": .int(nodes),
            "currentNumberScheduled": .int(nodes), "numberMisscheduled": 0, "numberReady": .int(ready), "numberAvailable": .int(ready),
            "updatedNumberScheduled": .int(updated),
        ]
        if nodes - ready > 0 { status["numberUnavailable"] = .int(nodes - ready) }
        for key in ["numberAvailable", "updatedNumberScheduled"] where status[key]?.intValue == 0 { status[key] = nil }  // omitempty
        return .object(status)
    }

    static func adopt(_ object: JSONValue) -> SimulatedRollout? {
        guard object["status"]?["observedGeneration"]?.intValue == object["metadata"]?["generation"]?.intValue,
            object["status"]?["desiredNumberScheduled"] != nil
        else { return nil }
        let template = object["spec"]?["template"] ?? .null
        return SimulatedRollout(template: template, revision: RevisionName.of(object, template: template), previous: nil)
    }
}
