import KubeCore
import PacerCore

/// A StatefulSet's rollout: the revision is `status.updateRevision`; complete as `kubectl rollout status` decides it:
/// the status observed the spec, `readyReplicas >= spec.replicas`, and `updatedReplicas >= spec.replicas - partition`
/// (the pods at ordinal >= partition run the new revision), with `currentRevision == updateRevision` too when
/// nothing is partitioned.
public enum StatefulSetRollout: RolloutReader {
    public static let kind = WorkloadKind.statefulSet

    public static func read(_ object: JSONValue) -> RolloutReading? {
        let status = object["status"] ?? [:]
        guard let update = status["updateRevision"]?.stringValue, !update.isEmpty else { return nil }
        let current = status["currentRevision"]?.stringValue
        let generation = object["metadata"]?["generation"]?.intValue ?? 0
        let caughtUp = (status["observedGeneration"]?.intValue ?? -1) >= generation
        let replicas = replicas(object) ?? 1
        let strategy = object["spec"]?["updateStrategy"]
        let onDelete = strategy?["type"]?.stringValue == "OnDelete"
        let partition = onDelete ? 0 : max(0, min(replicas, strategy?["rollingUpdate"]?["partition"]?.intValue ?? 0))
        let ready = status["readyReplicas"]?.intValue ?? 0
        let updated = status["updatedReplicas"]?.intValue ?? 0
        let complete = caughtUp && ready >= replicas && updated >= replicas - partition && (partition > 0 || current == update)
        // Without the MaxUnavailableStatefulSet feature the controller replaces one pod at a time.
        let maxUnavailable = onDelete ? 1 : max(1, IntOrPercent.scaled(strategy?["rollingUpdate"]?["maxUnavailable"], of: replicas) ?? 1)
        var extra: [String: JSONValue] = ["updateStrategy": .string(onDelete ? "OnDelete" : "RollingUpdate")]
        if partition > 0 { extra["partition"] = .int(partition) }
        return RolloutReading(
            revision: .string(update), revisionKey: update, replacing: current.flatMap { $0 == update || $0.isEmpty ? nil : .string($0) },
            caughtUp: caughtUp, complete: complete, desired: replicas, available: status["availableReplicas"]?.intValue ?? ready,
            maxUnavailable: maxUnavailable, onDelete: onDelete, extra: extra)
    }

    public static func replicas(_ object: JSONValue) -> Int64? { object["spec"]?["replicas"]?.intValue ?? 1 }
}

/// The pure StatefulSet deriver.
public typealias StatefulSetEventDeriver = RolloutStatusDeriver<StatefulSetRollout>
