import Foundation
import KubeCore
import PacerCore

/// A DaemonSet's rollout: the revision is the template generation the API server keeps in
/// `deprecated.daemonset.template.generation` (bumped on every template change, rollbacks too); complete as
/// `kubectl rollout status` decides it: the status observed the spec, and `updatedNumberScheduled` and
/// `numberAvailable` reach `desiredNumberScheduled`.
public enum DaemonSetRollout: RolloutReader {
    public static let kind = WorkloadKind.daemonSet

    public static func read(_ object: JSONValue) -> RolloutReading? {
        let annotation = object["metadata"]?["annotations"]?[WorkloadAnnotations.daemonSetTemplateGeneration]?.stringValue
        guard let text = annotation, let templateGeneration = Int64(text.trimmingCharacters(in: .whitespaces)) else { return nil }
        let status = object["status"] ?? [:]
        let generation = object["metadata"]?["generation"]?.intValue ?? 0
        let caughtUp = (status["observedGeneration"]?.intValue ?? -1) >= generation
        let desired = status["desiredNumberScheduled"]?.intValue ?? 0
        let updated = status["updatedNumberScheduled"]?.intValue ?? 0
        let available = status["numberAvailable"]?.intValue ?? 0
        let strategy = object["spec"]?["updateStrategy"]
        let onDelete = strategy?["type"]?.stringValue == "OnDelete"
        let maxUnavailable = max(1, IntOrPercent.scaled(strategy?["rollingUpdate"]?["maxUnavailable"], of: desired) ?? 1)
        return RolloutReading(
            revision: .int(templateGeneration), revisionKey: String(templateGeneration), replacing: nil, caughtUp: caughtUp,
            complete: caughtUp && updated >= desired && available >= desired, desired: desired, available: available,
            maxUnavailable: maxUnavailable, onDelete: onDelete,
            extra: ["updateStrategy": .string(onDelete ? "OnDelete" : "RollingUpdate"), "desiredNumberScheduled": .int(desired)])
    }

    public static func replicas(_ object: JSONValue) -> Int64? { object["status"]?["desiredNumberScheduled"]?.intValue }
}

/// The pure DaemonSet deriver.
public typealias DaemonSetEventDeriver = RolloutStatusDeriver<DaemonSetRollout>
