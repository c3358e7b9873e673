import Foundation
import KubeCore
import PacerCore

/// What a StatefulSet or DaemonSet says about its rollout, read from the object alone (see docs/deployment-source.md,
/// "StatefulSets and DaemonSets").
public struct RolloutReading: Sendable, Hashable {
    /// The revision the controller rolls out (`data.revision`): a StatefulSet's `status.updateRevision`, a DaemonSet's
    /// template generation.
    public var revision: JSONValue
    /// The revision's text in event ids.
    public var revisionKey: String
    /// The revision the rollout replaces when the object says so (a StatefulSet's `status.currentRevision`).
    public var replacing: JSONValue?
    /// `status.observedGeneration >= metadata.generation`: the status describes the current spec.
    public var caughtUp: Bool
    /// The kind's completion rule holds.
    public var complete: Bool
    /// Pods that should run, and pods available.
    public var desired: Int64
    public var available: Int64
    /// Pods the update strategy lets be unavailable at once.
    public var maxUnavailable: Int64
    /// `OnDelete`: pods are replaced only when deleted by someone, so there is no default progress deadline.
    public var onDelete: Bool
    /// Further fields for the events (`partition`, `updateStrategy`, counts).
    public var extra: [String: JSONValue]
    /// The kind's controller fails a rollout itself (Argo Rollouts, Knative: their own progress deadlines), so
    /// Pacer sets no default deadline (the workload's `pacer.dev/progress-deadline-seconds` still applies).
    public var failsItself = false
    /// The rollout of ``revision`` failed, as the object says (an aborted or `Degraded` Argo Rollout, a Knative
    /// revision that did not become ready).
    public var failure: RolloutFailure?
}

/// Why a rollout failed, as the workload's status says it (`data.reason`, `data.message` of `rollout.failed`).
public struct RolloutFailure: Sendable, Hashable {
    public var reason: String
    public var message: String

    public init(reason: String, message: String) {
        self.reason = reason
        self.message = message
    }
}

/// Reads one kind's rollout.
public protocol RolloutReader: Sendable {
    static var kind: WorkloadKind { get }
    /// nil when the object carries no revision yet (its controller has not seen it).
    static func read(_ object: JSONValue) -> RolloutReading?
    /// The desired replica count written as `data.replicas`.
    static func replicas(_ object: JSONValue) -> Int64?
    /// The pod template the workload context and `images` are read from (default `spec.template`).
    static func podTemplate(_ object: JSONValue) -> JSONValue?
}

extension RolloutReader {
    public static func podTemplate(_ object: JSONValue) -> JSONValue? { object["spec"]?["template"] }
}

enum IntOrPercent {
    /// An int-or-string (`1`, `"25%"`) scaled against `total`, rounded up as the apps controllers do; nil when absent
    /// or unreadable.
    static func scaled(_ value: JSONValue?, of total: Int64) -> Int64? {
        if let int = value?.intValue { return int }
        guard let text = value?.stringValue, text.hasSuffix("%"), let percent = Int64(text.dropLast()) else { return nil }
        return (percent * total + 99) / 100
    }
}
