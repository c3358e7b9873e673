import EventModel
import Foundation
import KubeCore
import PacerCore

/// The pure deriver of Argo CD `Application`s (`argoproj.io/v1alpha1`), read from the status the Argo CD application
/// controller writes (docs/deployment-source.md, "Argo CD Applications"):
///
/// - a sync operation that succeeded (`status.operationState.phase: Succeeded`) to a revision other than the one
///   deployed before it (the previous entry of `status.history`, else the last one seen) is a deployment:
///   `revision` and `rollout.completed`, at `operationState.finishedAt`, with `commit` = the synced revision (when it
///   is a git sha) and `repository` = the synced source's `repoURL`;
/// - a sync operation that `Failed` or ended in `Error` is `rollout.failed` (reason = the phase, message = the
///   operation's);
/// - `status.health.status` going from `Healthy` to `Degraded` is `availability.lost`; back to `Healthy` is
///   `availability.restored`.
///
/// Ids are deterministic (`<uid>/<operation start>/revision|rollout.completed|rollout.failed`, `<uid>/created`,
/// `<uid>/deleted`): a relist or a restart derives the same ids, which the store drops.
public struct ArgoCDApplicationDeriver: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var clusterName: String
        /// On first sight, an Application created at least this long ago that is `Degraded` counts as an open loss
        /// (its restore is then derived).
        public var availabilityGrace: TimeInterval

        public init(clusterName: String = "default", availabilityGrace: TimeInterval = 10) {
            self.clusterName = clusterName
            self.availabilityGrace = availabilityGrace
        }
    }

    struct Record: Sendable {
        /// Revisions deployed while watching, oldest first (for the previous revision when `status.history` is empty).
        var deployed: [String] = []
        var emitted: Set<String> = []
        var wasHealthy = false
        var lostOpen = false
    }

    /// One sync operation, as `status.operationState` describes it.
    struct Operation {
        var key: String
        var phase: String
        /// The revision synced (`syncResult.revision`), else the one asked for (`operation.sync.revision`).
        var revision: String?
        var repoURL: String?
        var startedAt: Date?
        var finishedAt: Date?
        var message: String?
    }

    public let configuration: Configuration
    private var records: [String: Record] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var trackedCount: Int { records.count }

    /// The destination namespace (`spec.destination.namespace`), else the Application's own: the environment's
    /// fallback and the Namespace whose annotations apply.
    public static func destinationNamespace(_ object: JSONValue) -> String? {
        GitOpsRevision.string(object["spec"]?["destination"]?["namespace"]) ?? GitOpsRevision.string(object["metadata"]?["namespace"])
    }

    /// The events implied by an added, updated, relisted or resynced Application.
    public mutating func observe(_ object: JSONValue, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        let metadata = try ObjectMeta(jsonTree: object["metadata"] ?? [:])
        guard let uid = metadata.uid else { return WorkloadObservation(events: []) }
        let context = WorkloadContext.resolve(metadata: metadata, template: nil, namespace: namespace, namespaceName: Self.destinationNamespace(object))
        guard context.tracked else {
            records[uid] = nil
            return WorkloadObservation(events: [])
        }
        let firstSight = records[uid] == nil
        var record = records[uid] ?? Record()
        var events: [CloudEvent] = []
        func emit(_ event: CloudEvent) {
            guard record.emitted.insert(event.id).inserted else { return }
            events.append(event)
        }
        let created = metadata.creationTimestamp?.date
        let status = object["status"] ?? .null
        let plain = builder(metadata, context: context, object: object, revision: nil)
        emit(plain.event(.created, id: "\(uid)/created", time: created ?? now, revision: JSONValue?.none))

        if let operation = Self.operation(status) {
            switch operation.phase {
            case "Succeeded":
                if let revision = operation.revision {
                    // The revisions deployed before this sync, oldest first: from `status.history` (its entry for this
                    // sync has the operation's start as `deployStartedAt`), else from what was seen while watching.
                    let history = Self.history(status)
                    let index = history.lastIndex {
                        $0.revision == revision && ($0.startedAt == nil || operation.startedAt == nil || $0.startedAt == operation.startedAt)
                    }
                    let before: [String] =
                        if let index { history[..<index].map { $0.revision } } else if record.deployed.last == revision { Array(record.deployed.dropLast()) } else {
                            record.deployed
                        }
                    let previous = before.last
                    if previous != revision {
                        var extra: [String: JSONValue] = [
                            "previousRevision": previous.map(JSONValue.string) ?? .null,
                            "rollback": .bool(before.dropLast().contains(revision)),
                            "syncPhase": .string(operation.phase),
                        ]
                        if let started = operation.startedAt { extra["syncStartedAt"] = .string(RFC3339.format(started, fractionalDigits: 0)) }
                        let deployed = builder(metadata, context: context, object: object, revision: revision, repoURL: operation.repoURL)
                        let time = operation.finishedAt ?? now
                        emit(deployed.event(.revision, id: "\(uid)/\(operation.key)/revision", time: operation.startedAt ?? time, revision: .string(revision), extra: extra))
                        emit(deployed.event(.rolloutCompleted, id: "\(uid)/\(operation.key)/rollout.completed", time: time, revision: .string(revision), extra: extra))
                    }
                    if record.deployed.last != revision { record.deployed.append(revision) }
                    if record.deployed.count > 20 { record.deployed.removeFirst() }
                }
            case "Failed", "Error":
                let failed = builder(metadata, context: context, object: object, revision: operation.revision, repoURL: operation.repoURL)
                var extra: [String: JSONValue] = ["reason": .string("Sync\(operation.phase)"), "syncPhase": .string(operation.phase)]
                if let message = operation.message { extra["message"] = .string(message) }
                if let previous = record.deployed.last { extra["previousRevision"] = .string(previous) }
                emit(failed.event(.rolloutFailed, id: "\(uid)/\(operation.key)/rollout.failed", time: operation.finishedAt ?? now,
                                  revision: operation.revision.map(JSONValue.string), extra: extra))
            default:
                break  // Running, Terminating: not a fact yet
            }
        }

        let current = builder(metadata, context: context, object: object, revision: record.deployed.last)
        let revision = record.deployed.last.map(JSONValue.string)
        switch GitOpsRevision.string(status["health"]?["status"]) ?? "" {
        case "Degraded":
            let fields: [String: JSONValue] = ["healthStatus": "Degraded", "message": status["health"]?["message"] ?? .null]
            if record.wasHealthy, !record.lostOpen {
                emit(current.event(.availabilityLost, id: "\(uid)/availability.lost/\(RFC3339.format(now, fractionalDigits: 3))", time: now,
                                   revision: revision, extra: fields))
                record.lostOpen = true
            } else if firstSight, let created, now.timeIntervalSince(created) >= configuration.availabilityGrace {
                record.lostOpen = true
            }
            record.wasHealthy = false
        case "Healthy":
            if record.lostOpen {
                emit(current.event(.availabilityRestored, id: "\(uid)/availability.restored/\(RFC3339.format(now, fractionalDigits: 3))", time: now,
                                   revision: revision, extra: ["healthStatus": "Healthy"]))
            }
            record.lostOpen = false
            record.wasHealthy = true
        default:
            break  // Progressing, Suspended, Missing, Unknown: neither lost nor restored
        }

        if record.emitted.count > 256 { record.emitted = ["\(uid)/created"] }
        records[uid] = record
        return WorkloadObservation(events: events, warnings: events.isEmpty ? [] : context.warnings)
    }

    /// The event of the Application's deletion; forgets it.
    public mutating func delete(_ object: JSONValue, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        let metadata = try ObjectMeta(jsonTree: object["metadata"] ?? [:])
        guard let uid = metadata.uid else { return WorkloadObservation(events: []) }
        let record = records.removeValue(forKey: uid)
        let context = WorkloadContext.resolve(metadata: metadata, template: nil, namespace: namespace, namespaceName: Self.destinationNamespace(object))
        guard context.tracked else { return WorkloadObservation(events: []) }
        let revision = record?.deployed.last ?? GitOpsRevision.string(object["status"]?["sync"]?["revision"])
        let gone = builder(metadata, context: context, object: object, revision: revision)
        return WorkloadObservation(
            events: [gone.event(.deleted, id: "\(uid)/deleted", time: metadata.deletionTimestamp?.date ?? now, revision: revision.map(JSONValue.string))],
            warnings: context.warnings)
    }

    /// The event builder with `commit` = `revision` when it is a git sha (else `version` = it, when not annotated),
    /// and `repository` = the annotation, else the synced source's URL.
    private func builder(_ metadata: ObjectMeta, context: WorkloadContext, object: JSONValue, revision: String?, repoURL: String? = nil) -> WorkloadEventBuilder {
        var context = context
        if let revision {
            if let commit = GitOpsRevision.commit(revision) {
                context.commit = commit
            } else if context.version == nil {
                context.version = revision
            }
        }
        if context.repository == nil {
            let url = repoURL ?? GitOpsRevision.string(object["spec"]?["source"]?["repoURL"])
                ?? GitOpsRevision.string(object["spec"]?["sources"]?[0]?["repoURL"])
            context.repository = url.flatMap(GitOpsRevision.repository)
        }
        return WorkloadEventBuilder(
            kind: .argoCDApplication, metadata: metadata, template: nil, replicas: nil, context: context, clusterName: configuration.clusterName)
    }

    /// `status.operationState` (single or multi-source: the first revision and source of a multi-source sync).
    static func operation(_ status: JSONValue) -> Operation? {
        guard let state = status["operationState"], let phase = GitOpsRevision.string(state["phase"]) else { return nil }
        let result = state["syncResult"] ?? .null
        let requested = state["operation"]?["sync"] ?? .null
        let revision = GitOpsRevision.string(result["revision"]) ?? GitOpsRevision.string(result["revisions"]?[0])
            ?? GitOpsRevision.string(requested["revision"]) ?? GitOpsRevision.string(requested["revisions"]?[0])
        let repoURL = GitOpsRevision.string(result["source"]?["repoURL"]) ?? GitOpsRevision.string(result["sources"]?[0]?["repoURL"])
        let startedText = GitOpsRevision.string(state["startedAt"])
        // The operation's start names it; without one, its phase and revision do.
        let key = startedText.map { "sync@\($0)" } ?? "sync@\(revision ?? "unknown")"
        return Operation(
            key: key, phase: phase, revision: revision, repoURL: repoURL, startedAt: GitOpsRevision.time(state["startedAt"]),
            finishedAt: GitOpsRevision.time(state["finishedAt"]), message: GitOpsRevision.string(state["message"]))
    }

    /// `status.history`, oldest first (Argo CD appends one entry per successful sync).
    static func history(_ status: JSONValue) -> [(revision: String, startedAt: Date?)] {
        (status["history"]?.arrayValue ?? []).compactMap { entry in
            guard let revision = GitOpsRevision.string(entry["revision"]) ?? GitOpsRevision.string(entry["revisions"]?[0]) else { return nil }
            return (revision, GitOpsRevision.time(entry["deployStartedAt"]))
        }
    }
}

extension ArgoCDApplicationDeriver: WorkloadEventDeriver {
    public var kind: WorkloadKind { .argoCDApplication }

    public func contextNamespace(of object: DynamicObject) -> String? { Self.destinationNamespace(object.raw) }

    public mutating func observe(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        try observe(object.raw, namespace: namespace, now: now)
    }

    public mutating func delete(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        try delete(object.raw, namespace: namespace, now: now)
    }
}
