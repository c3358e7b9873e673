import KubeCore
import PacerCore

/// An Argo Rollouts `Rollout` (`argoproj.io/v1alpha1`), read as its controller reports it
/// (https://argo-rollouts.readthedocs.io, "Rollout Specification" and the status fields `kubectl argo rollouts
/// status` reads):
/// - the revision is `status.currentPodHash`, the pod template hash of the ReplicaSet being rolled out (a rollback
///   to an earlier template returns to its hash);
/// - the status describes the spec when `status.observedGeneration` (a string in this API) reaches
///   `metadata.generation`;
/// - complete when `status.phase` is `Healthy` and `status.stableRS` is the current hash: every canary step or the
///   blue-green promotion is done;
/// - failed when `status.abort` is true or the phase is `Degraded` (an abort, or the Rollout's own
///   `progressDeadlineSeconds` passed) before it completed; a pause (`Paused`, a canary step's pause, a blue-green
///   rollout waiting for promotion) is neither, and Pacer sets no deadline of its own;
/// - availability: `status.availableReplicas` against `spec.replicas` less the canary's `maxUnavailable` (25 % by
///   default, at least 1).
public enum ArgoRolloutReading: RolloutReader {
    public static let kind = WorkloadKind.argoRollout

    public static func read(_ object: JSONValue) -> RolloutReading? {
        let status = object["status"] ?? [:]
        guard let hash = status["currentPodHash"]?.stringValue, !hash.isEmpty else { return nil }
        let generation = object["metadata"]?["generation"]?.intValue ?? 0
        let observed = status["observedGeneration"].flatMap { $0.intValue ?? $0.stringValue.flatMap { Int64($0) } } ?? -1
        let caughtUp = observed >= generation
        let phase = status["phase"]?.stringValue ?? ""
        let stable = status["stableRS"]?.stringValue
        let complete = caughtUp && phase == "Healthy" && stable == hash
        let replicas = replicas(object) ?? 1
        let strategy = object["spec"]?["strategy"]
        let canary = strategy?["canary"]
        let maxUnavailable = max(1, IntOrPercent.scaled(canary?["maxUnavailable"] ?? "25%", of: replicas) ?? 1)
        var failure: RolloutFailure?
        if !complete {
            let message = status["message"]?.stringValue ?? ""
            if status["abort"]?.boolValue == true {
                failure = RolloutFailure(reason: "RolloutAborted", message: message.isEmpty ? "rollout aborted" : message)
            } else if phase == "Degraded" {
                let progressing = status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Progressing" }
                failure = RolloutFailure(
                    reason: progressing?["reason"]?.stringValue ?? "Degraded",
                    message: message.isEmpty ? (progressing?["message"]?.stringValue ?? "rollout degraded") : message)
            }
        }
        var extra: [String: JSONValue] = ["strategy": .string(canary != nil ? "canary" : strategy?["blueGreen"] != nil ? "blueGreen" : "")]
        if !phase.isEmpty { extra["phase"] = .string(phase) }
        return RolloutReading(
            revision: .string(hash), revisionKey: hash, replacing: stable.flatMap { $0 == hash || $0.isEmpty ? nil : .string($0) },
            caughtUp: caughtUp, complete: complete, desired: replicas, available: status["availableReplicas"]?.intValue ?? 0,
            maxUnavailable: maxUnavailable, onDelete: false, extra: extra, failsItself: true, failure: failure)
    }

    public static func replicas(_ object: JSONValue) -> Int64? { object["spec"]?["replicas"]?.intValue ?? 1 }
}

/// The pure Argo Rollouts deriver.
public typealias ArgoRolloutEventDeriver = RolloutStatusDeriver<ArgoRolloutReading>
