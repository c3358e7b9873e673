import EventModel
import Foundation
import KubeCore
import PacerCore

/// The pure deriver of Flux `Kustomization`s (`kustomize.toolkit.fluxcd.io/v1`) and `HelmRelease`s
/// (`helm.toolkit.fluxcd.io/v2`), read from the status their controllers write (docs/deployment-source.md, "Flux"):
///
/// - `Ready=True` with a `status.lastAppliedRevision` not seen before for the object is a deployment (`revision` and
///   `rollout.completed`); a Git revision (`main@sha1:<sha>`) gives `commit` = the sha; any other (a chart version)
///   gives `version` when the object has no version annotation;
/// - `Ready=False` with a failure reason (one ending in `Failed`, or `RetriesExceeded`) while
///   `status.lastAttemptedRevision` differs from the applied one is a failed deployment of the attempted revision
///   (`rollout.failed`).
///
/// Only a status that describes the current spec counts (`status.observedGeneration >= metadata.generation`). Ids:
/// `<uid>/<revision>/revision|rollout.completed`, `<uid>/<attempted revision>/rollout.failed`, `<uid>/created`,
/// `<uid>/deleted`; a relist or a restart derives the same ids. A return to a revision applied earlier while watching
/// is a rollback (its ids get the observation time, so it is not taken for the first deployment of that revision).
public struct FluxEventDeriver: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var clusterName: String

        public init(clusterName: String = "default") {
            self.clusterName = clusterName
        }
    }

    struct Record: Sendable {
        /// Revisions applied while watching, oldest first.
        var applied: [String] = []
        var emitted: Set<String> = []
    }

    public let kind: WorkloadKind
    public let configuration: Configuration
    private var records: [String: Record] = [:]

    /// A deriver of `kind` (``WorkloadKind/fluxKustomization`` or ``WorkloadKind/fluxHelmRelease``).
    public init(kind: WorkloadKind, configuration: Configuration = Configuration()) {
        precondition(kind == .fluxKustomization || kind == .fluxHelmRelease, "FluxEventDeriver reads Flux kinds only, not \(kind)")
        self.kind = kind
        self.configuration = configuration
    }

    public var trackedCount: Int { records.count }

    /// `spec.targetNamespace`, else the object's own namespace: the environment's fallback.
    public static func targetNamespace(_ object: JSONValue) -> String? {
        GitOpsRevision.string(object["spec"]?["targetNamespace"]) ?? GitOpsRevision.string(object["metadata"]?["namespace"])
    }

    /// A reason of `Ready=False` that means the attempt failed (not that it is still in progress).
    public static func isFailure(reason: String) -> Bool {
        reason.hasSuffix("Failed") || reason == "RetriesExceeded"
    }

    /// The events implied by an added, updated, relisted or resynced object.
    public mutating func observe(_ object: JSONValue, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        let metadata = try ObjectMeta(jsonTree: object["metadata"] ?? [:])
        guard let uid = metadata.uid else { return WorkloadObservation(events: []) }
        let context = WorkloadContext.resolve(metadata: metadata, template: nil, namespace: namespace, namespaceName: Self.targetNamespace(object))
        guard context.tracked else {
            records[uid] = nil
            return WorkloadObservation(events: [])
        }
        var record = records[uid] ?? Record()
        let firstSight = records[uid] == nil
        var events: [CloudEvent] = []
        func emit(_ event: CloudEvent) {
            guard record.emitted.insert(event.id).inserted else { return }
            events.append(event)
        }
        let created = metadata.creationTimestamp?.date
        emit(builder(metadata, context: context, revision: nil).event(.created, id: "\(uid)/created", time: created ?? now, revision: JSONValue?.none))

        let status = object["status"] ?? .null
        let observed = status["observedGeneration"]?.intValue
        let caughtUp = observed.map { $0 >= (metadata.generation ?? 0) } ?? false
        let ready = (status["conditions"]?.arrayValue ?? []).first { $0["type"]?.stringValue == "Ready" }
        let readyStatus = GitOpsRevision.string(ready?["status"])
        let reason = GitOpsRevision.string(ready?["reason"]) ?? ""
        let readySince = GitOpsRevision.time(ready?["lastTransitionTime"])
        let applied = Self.appliedRevision(status)
        let attempted = GitOpsRevision.string(status["lastAttemptedRevision"])

        if caughtUp, readyStatus == "True", let applied, record.applied.last != applied {
            let previous = record.applied.last
            let rollback = record.applied.contains(applied)
            // First sight: the Ready condition's last transition is the best time known; while watching, now.
            let time = firstSight ? (readySince ?? now) : now
            let key = rollback ? "\(applied)@\(RFC3339.format(now, fractionalDigits: 3))" : applied
            let extra: [String: JSONValue] = [
                "previousRevision": previous.map(JSONValue.string) ?? .null, "rollback": .bool(rollback), "reason": .string(reason),
            ]
            let deployed = builder(metadata, context: context, revision: applied)
            emit(deployed.event(.revision, id: "\(uid)/\(key)/revision", time: time, revision: .string(applied), extra: extra))
            emit(deployed.event(.rolloutCompleted, id: "\(uid)/\(key)/rollout.completed", time: time, revision: .string(applied), extra: extra))
            record.applied.removeAll { $0 == applied }
            record.applied.append(applied)
            if record.applied.count > 20 { record.applied.removeFirst() }
        }

        if caughtUp, readyStatus == "False", Self.isFailure(reason: reason), let attempted, attempted != applied {
            var extra: [String: JSONValue] = ["reason": .string(reason), "previousRevision": applied.map(JSONValue.string) ?? .null]
            if let message = GitOpsRevision.string(ready?["message"]) { extra["message"] = .string(message) }
            let failed = builder(metadata, context: context, revision: attempted)
            emit(failed.event(.rolloutFailed, id: "\(uid)/\(attempted)/rollout.failed", time: readySince ?? now, revision: .string(attempted), extra: extra))
        }

        if record.emitted.count > 256 { record.emitted = ["\(uid)/created"] }
        records[uid] = record
        return WorkloadObservation(events: events, warnings: events.isEmpty ? [] : context.warnings)
    }

    /// The event of the object's deletion; forgets it.
    public mutating func delete(_ object: JSONValue, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        let metadata = try ObjectMeta(jsonTree: object["metadata"] ?? [:])
        guard let uid = metadata.uid else { return WorkloadObservation(events: []) }
        let record = records.removeValue(forKey: uid)
        let context = WorkloadContext.resolve(metadata: metadata, template: nil, namespace: namespace, namespaceName: Self.targetNamespace(object))
        guard context.tracked else { return WorkloadObservation(events: []) }
        let revision = record?.applied.last ?? Self.appliedRevision(object["status"] ?? .null)
        return WorkloadObservation(
            events: [
                builder(metadata, context: context, revision: revision).event(
                    .deleted, id: "\(uid)/deleted", time: metadata.deletionTimestamp?.date ?? now, revision: revision.map(JSONValue.string))
            ],
            warnings: context.warnings)
    }

    /// `status.lastAppliedRevision`; for a HelmRelease without it, the chart version of the newest release in
    /// `status.history` whose status is `deployed`.
    static func appliedRevision(_ status: JSONValue) -> String? {
        GitOpsRevision.string(status["lastAppliedRevision"])
            ?? (status["history"]?.arrayValue ?? []).first { $0["status"]?.stringValue == "deployed" }.flatMap { GitOpsRevision.string($0["chartVersion"]) }
    }

    private func builder(_ metadata: ObjectMeta, context: WorkloadContext, revision: String?) -> WorkloadEventBuilder {
        var context = context
        if let revision {
            if let commit = GitOpsRevision.commit(revision) {
                context.commit = commit
            } else if context.version == nil {
                context.version = revision
            }
        }
        return WorkloadEventBuilder(kind: kind, metadata: metadata, template: nil, replicas: nil, context: context, clusterName: configuration.clusterName)
    }
}

extension FluxEventDeriver: WorkloadEventDeriver {
    public func contextNamespace(of object: DynamicObject) -> String? { Self.targetNamespace(object.raw) }

    public mutating func observe(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        try observe(object.raw, namespace: namespace, now: now)
    }

    public mutating func delete(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        try delete(object.raw, namespace: namespace, now: now)
    }
}
