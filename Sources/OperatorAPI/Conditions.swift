import Foundation
import KubeCore
import PacerRules

extension Condition {
    /// `Ready=True` with the given reason (e.g. `Compiled`).
    public static func ready(reason: String = "Ready", message: String? = nil, generation: Int64?, at time: Date = Date()) -> Condition {
        Condition(
            type: PacerAPI.readyCondition, status: "True", observedGeneration: generation, lastTransitionTime: KubeTime(time),
            reason: reason, message: message)
    }

    /// `Ready=False` with a reason (e.g. `InvalidSpec`) and a message.
    public static func notReady(reason: String, message: String, generation: Int64?, at time: Date = Date()) -> Condition {
        Condition(
            type: PacerAPI.readyCondition, status: "False", observedGeneration: generation, lastTransitionTime: KubeTime(time),
            reason: reason, message: message)
    }

    /// `Ready=False, reason InvalidSpec` listing every spec error, one per line.
    public static func invalidSpec(_ errors: SpecErrors, generation: Int64?, at time: Date = Date()) -> Condition {
        notReady(reason: "InvalidSpec", message: errors.description, generation: generation, at: time)
    }

    /// Whether this is a `True` condition.
    public var isTrue: Bool { status == "True" }
}

extension Array where Element == Condition {
    /// Whether the `Ready` condition is present and `True`.
    public var isReady: Bool { self[type: PacerAPI.readyCondition]?.isTrue ?? false }
}
