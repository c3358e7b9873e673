import KubeCore
import PacerCore

/// A Knative Service (`serving.knative.dev/v1`), read as Knative Serving reports it (https://knative.dev/docs,
/// "Serving API": the Service's `status` and conditions):
/// - the revision is `status.latestCreatedRevisionName`: every change of `spec.template` creates a Revision;
/// - the status describes the spec when `status.observedGeneration` reaches `metadata.generation`;
/// - a deployment is complete when that revision is ready: `status.latestReadyRevisionName` is it and the
///   `ConfigurationsReady` condition is `True`;
/// - failed when `ConfigurationsReady` is `False` while the latest created revision is not the ready one (the
///   revision could not start, or Knative's own progress deadline passed); Pacer sets no deadline of its own;
/// - availability is the `RoutesReady` condition: traffic is served (by the previous ready revision while a new
///   one fails). A Service scaled to zero is still available.
public enum KnativeServiceReading: RolloutReader {
    public static let kind = WorkloadKind.knativeService

    public static func read(_ object: JSONValue) -> RolloutReading? {
        let status = object["status"] ?? [:]
        guard let created = status["latestCreatedRevisionName"]?.stringValue, !created.isEmpty else { return nil }
        let generation = object["metadata"]?["generation"]?.intValue ?? 0
        let caughtUp = (status["observedGeneration"]?.intValue ?? -1) >= generation
        let ready = status["latestReadyRevisionName"]?.stringValue
        func condition(_ type: String) -> JSONValue? { status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type } }
        let configurations = condition("ConfigurationsReady")
        let complete = caughtUp && ready == created && configurations?["status"]?.stringValue == "True"
        var failure: RolloutFailure?
        if !complete, ready != created, configurations?["status"]?.stringValue == "False" {
            failure = RolloutFailure(
                reason: configurations?["reason"]?.stringValue ?? "RevisionFailed",
                message: configurations?["message"]?.stringValue ?? "revision \(created) did not become ready")
        }
        let serving = condition("RoutesReady")?["status"]?.stringValue == "True"
        var extra: [String: JSONValue] = [:]
        if let ready, !ready.isEmpty { extra["latestReadyRevision"] = .string(ready) }
        return RolloutReading(
            revision: .string(created), revisionKey: created, replacing: ready.flatMap { $0 == created || $0.isEmpty ? nil : .string($0) },
            caughtUp: caughtUp, complete: complete, desired: 1, available: serving ? 1 : 0, maxUnavailable: 0, onDelete: false,
            extra: extra, failsItself: true, failure: failure)
    }

    /// `spec.template`, with Knative's name `user-container` for a container that has none (a single container
    /// usually has none; Knative names it so in the pod).
    public static func podTemplate(_ object: JSONValue) -> JSONValue? {
        guard var template = object["spec"]?["template"] else { return nil }
        if let containers = template["spec"]?["containers"]?.arrayValue {
            template["spec"]?["containers"] = .array(containers.enumerated().map { index, container in
                guard container["name"]?.stringValue == nil, case .object = container else { return container }
                var named = container
                named["name"] = .string(index == 0 ? "user-container" : "user-container-\(index)")
                return named
            })
        }
        return template
    }

    /// Knative scales a Service's pods itself: no replica count.
    public static func replicas(_ object: JSONValue) -> Int64? { nil }
}

/// The pure Knative Service deriver.
public typealias KnativeServiceEventDeriver = RolloutStatusDeriver<KnativeServiceReading>
