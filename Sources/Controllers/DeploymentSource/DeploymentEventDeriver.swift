import EventModel
import Foundation
import KubeCore
import PacerCore

/// The pure core of the Deployment source: given what it remembers about a Deployment (the old
/// state) and a newly observed Deployment (the new state), which CloudEvents follow.
///
/// Derivation is level-based: every event is implied by the observed state and gets a
/// deterministic id (`<uid>/created`, `<uid>/<revision>/revision`, `<uid>/<revision>/rollout.completed`,
/// `<uid>/<revision>/rollout.failed`, `<uid>/availability.lost/<transition time>`, …), so re-observing a
/// state (status churn, a relist, a restart, a second replica) derives nothing new, or the same ids,
/// which the store drops. Scale changes and replica-count churn imply no new events.
public struct DeploymentEventDeriver: Sendable {
    /// Knobs of the derivation.
    public struct Configuration: Sendable, Hashable {
        /// The cluster name in `source` (`/k8s/<clusterName>/apis/apps/v1/...`).
        public var clusterName: String
        /// Templates remembered per Deployment for rollback detection.
        public var historyLimit: Int
        /// On first sight (after a restart), an Available condition that changed at least this long after
        /// creation is taken as a real loss/restore rather than the initial "not yet available".
        public var availabilityGrace: TimeInterval
        /// A new revision whose pod template differs from the previous revision's only in the
        /// `kubectl.kubernetes.io/restartedAt` annotation (`kubectl rollout restart`) is a restart. False (the
        /// default): it derives one `restarted` event and no `revision`/`rollout.*` events, so it is not a
        /// deployment. True: it derives the usual events, marked `restart: true`.
        public var countRestarts: Bool

        public init(clusterName: String = "default", historyLimit: Int = 20, availabilityGrace: TimeInterval = 10, countRestarts: Bool = false) {
            self.clusterName = clusterName
            self.historyLimit = historyLimit
            self.availabilityGrace = availabilityGrace
            self.countRestarts = countRestarts
        }
    }

    public let configuration: Configuration
    private var records: [String: DeploymentRecord] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// Number of Deployments remembered.
    public var trackedCount: Int { records.count }

    /// The events implied by an added, updated, relisted or resynced Deployment.
    /// - Parameters:
    ///   - namespace: the Deployment's Namespace (for its annotations), when known.
    ///   - rawTemplate: the full `spec.template` JSON when known (better rollback detection than the
    ///     typed subset); pass it consistently for a Deployment or not at all.
    ///   - previousTemplate: the pod template of the revision before the current one (its ReplicaSet's), as
    ///     `rawTemplate` is passed (raw JSON when `rawTemplate` is given, else decoded); used for restart detection
    ///     when the deriver has not seen that revision itself (first sight, after a restart of Pacer).
    ///   - now: the time used when the object carries no better time.
    public mutating func observe(
        _ deployment: Deployment, namespace: Namespace?, rawTemplate: JSONValue? = nil, previousTemplate: JSONValue? = nil, now: Date
    ) -> [CloudEvent] {
        guard let uid = deployment.metadata.uid else { return [] }
        let context = WorkloadContext.resolve(deployment: deployment, namespace: namespace)
        guard context.tracked else {
            records[uid] = nil
            return []
        }
        let firstSight = records[uid] == nil
        var record = records[uid] ?? DeploymentRecord()
        let builder = Self.builder(deployment, context: context, clusterName: configuration.clusterName)
        var events: [CloudEvent] = []
        @discardableResult
        func emit(_ event: CloudEvent) -> Bool {
            guard record.emitted.insert(event.id).inserted else { return false }
            events.append(event)
            return true
        }

        emit(builder.event(.created, id: "\(uid)/created", time: deployment.metadata.creationTimestamp?.date ?? now, revision: record.revision))

        let status = deployment.status
        let caughtUp = (status?.observedGeneration ?? -1) >= (deployment.metadata.generation ?? 0)
        let progressing = status?.conditions?.first { $0.type == "Progressing" }
        if let revision = Self.revision(of: deployment), caughtUp, revision != record.revision {
            let hash = rawTemplate.map { TemplateHash.of(raw: $0) } ?? TemplateHash.of(deployment.spec?.template)
            let restartHash = rawTemplate.map { TemplateHash.of(raw: $0, ignoringRestart: true) } ?? TemplateHash.of(deployment.spec?.template, ignoringRestart: true)
            let previousRestartHash = record.revision != nil ? record.restartHash : previousTemplate.flatMap { Self.restartHash(of: $0, raw: rawTemplate != nil) }
            let previousHash = record.revision != nil ? record.history.last?.hash : previousTemplate.flatMap { Self.hash(of: $0, raw: rawTemplate != nil) }
            // Same template but for restartedAt, and not the same template: `kubectl rollout restart`.
            let restart = revision > 1 && previousRestartHash == restartHash && previousHash != nil && previousHash != hash
            let time: Date =
                !firstSight ? now : revision == 1 ? (deployment.metadata.creationTimestamp?.date ?? now) : (progressing?.lastUpdateTime?.date ?? now)
            var extra: [String: JSONValue] = ["rollback": .bool(!restart && record.earlierRevision(with: hash, before: revision) != nil)]
            if restart { extra["restart"] = .bool(true) }
            if let previous = record.revision {
                extra["previousRevision"] = .int(previous)
                extra["previousImages"] = .object(record.images.mapValues(JSONValue.string))
            } else if revision > 1 {
                // First sight of a Deployment past its first revision (Pacer started later): Kubernetes numbers
                // every new rollout (rollbacks too) with the next revision.
                extra["previousRevision"] = .int(revision - 1)
            }
            record.transition = extra
            record.uncountedRestart = restart && !configuration.countRestarts
            if record.uncountedRestart {
                if let restartedAt = deployment.spec?.template?.metadata?.annotations?[TemplateHash.restartedAt] {
                    extra["restartedAt"] = .string(restartedAt)
                }
                emit(builder.event(.restarted, id: "\(uid)/\(revision)/restarted", time: time, revision: revision, extra: extra))
            } else {
                emit(builder.event(.revision, id: "\(uid)/\(revision)/revision", time: time, revision: revision, extra: extra))
            }
            record.revision = revision
            record.images = builder.images
            record.restartHash = restartHash
            record.remember(hash: hash, revision: revision, limit: configuration.historyLimit)
        }

        if let revision = record.revision, caughtUp, Self.revision(of: deployment) == revision, !record.uncountedRestart, let progressing {
            if progressing.status == "True", progressing.reason == "NewReplicaSetAvailable", Self.replicasSettled(status) {
                let time = progressing.lastUpdateTime?.date ?? progressing.lastTransitionTime?.date ?? now
                var extra = record.transition.merging(Self.conditionFields(progressing)) { $1 }
                // Revision 1 has no rollout before it; otherwise known only when this process derived that rollout.
                if let failed = record.lastRolloutFailed ?? (revision == 1 ? false : nil) { extra["previousRolloutFailed"] = .bool(failed) }
                if emit(builder.event(.rolloutCompleted, id: "\(uid)/\(revision)/rollout.completed", time: time, revision: revision, extra: extra)) {
                    record.lastRolloutFailed = false
                }
            }
            if progressing.status == "False", progressing.reason == "ProgressDeadlineExceeded" {
                let time = progressing.lastTransitionTime?.date ?? progressing.lastUpdateTime?.date ?? now
                if emit(builder.event(.rolloutFailed, id: "\(uid)/\(revision)/rollout.failed", time: time, revision: revision,
                                      extra: record.transition.merging(Self.conditionFields(progressing)) { $1 })) {
                    record.lastRolloutFailed = true
                }
            }
        }

        if let available = status?.conditions?.first(where: { $0.type == "Available" }), let transition = available.lastTransitionTime {
            let created = deployment.metadata.creationTimestamp?.date
            let lateTransition = created.map { transition.date.timeIntervalSince($0) >= configuration.availabilityGrace } ?? false
            if available.status == "False", record.wasAvailable || (firstSight && lateTransition) {
                record.lostOpen = true
                emit(builder.event(.availabilityLost, id: "\(uid)/availability.lost/\(transition)", time: transition.date,
                                   revision: record.revision, extra: Self.conditionFields(available)))
            } else if available.status == "True" {
                let completedAt = progressing?.reason == "NewReplicaSetAvailable" ? progressing?.lastUpdateTime : nil
                let restoredOnFirstSight = firstSight && lateTransition && completedAt.map { transition > $0 } ?? false
                if record.lostOpen || restoredOnFirstSight {
                    emit(builder.event(.availabilityRestored, id: "\(uid)/availability.restored/\(transition)", time: transition.date,
                                       revision: record.revision, extra: Self.conditionFields(available)))
                }
                record.lostOpen = false
                record.wasAvailable = true
            }
        }

        if record.emitted.count > 256 { record.emitted = ["\(uid)/created"] }
        records[uid] = record
        return events
    }

    /// The event implied by a Deployment's deletion (its last known state); forgets it.
    public mutating func delete(_ deployment: Deployment, namespace: Namespace?, now: Date) -> [CloudEvent] {
        guard let uid = deployment.metadata.uid else { return [] }
        let record = records.removeValue(forKey: uid)
        let context = WorkloadContext.resolve(deployment: deployment, namespace: namespace)
        guard context.tracked else { return [] }
        let builder = Self.builder(deployment, context: context, clusterName: configuration.clusterName)
        let revision = record?.revision ?? Self.revision(of: deployment)
        return [builder.event(.deleted, id: "\(uid)/deleted", time: deployment.metadata.deletionTimestamp?.date ?? now, revision: revision)]
    }

    static func builder(_ deployment: Deployment, context: WorkloadContext, clusterName: String) -> WorkloadEventBuilder {
        WorkloadEventBuilder(
            kind: .deployment, metadata: deployment.metadata, template: deployment.spec?.template,
            replicas: Int64(deployment.spec?.replicas ?? 1), context: context, clusterName: clusterName)
    }

    /// The restart-insensitive hash of a previous template given as raw JSON (`raw`) or as an encoded typed template.
    static func restartHash(of template: JSONValue, raw: Bool) -> UInt64? {
        if raw { return TemplateHash.of(raw: template, ignoringRestart: true) }
        return (try? template.decode(as: Deployment.PodTemplate.self)).map { TemplateHash.of($0, ignoringRestart: true) }
    }

    static func hash(of template: JSONValue, raw: Bool) -> UInt64? {
        if raw { return TemplateHash.of(raw: template) }
        return (try? template.decode(as: Deployment.PodTemplate.self)).map { TemplateHash.of($0) }
    }

    /// `deployment.kubernetes.io/revision` as a number.
    static func revision(of deployment: Deployment) -> Int64? {
        deployment.metadata.annotations?[WorkloadAnnotations.revision].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// `updatedReplicas == replicas == availableReplicas` (absent counts are 0, as the API omits zeros).
    static func replicasSettled(_ status: DeploymentStatus?) -> Bool {
        let replicas = status?.replicas ?? 0
        return (status?.updatedReplicas ?? 0) == replicas && (status?.availableReplicas ?? 0) == replicas
    }

    static func conditionFields(_ condition: DeploymentCondition) -> [String: JSONValue] {
        var fields: [String: JSONValue] = [:]
        if let reason = condition.reason { fields["reason"] = .string(reason) }
        if let message = condition.message { fields["message"] = .string(message) }
        return fields
    }
}

extension DeploymentEventDeriver: WorkloadEventDeriver {
    public var kind: WorkloadKind { .deployment }

    /// Reads the object as a Deployment; its whole `spec.template` JSON counts for rollback detection.
    public mutating func observe(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        try observe(object, namespace: namespace, templates: nil, now: now)
    }

    /// On first sight of a Deployment past its first revision, the previous revision's template comes from `templates`
    /// (its ReplicaSet), so a restart that happened before Pacer started is still told from a deployment.
    public mutating func observe(_ object: DynamicObject, namespace: Namespace?, templates: (any PodTemplateHistory)?, now: Date) throws -> WorkloadObservation {
        let deployment = try object.raw.decode(as: Deployment.self)
        var previous: JSONValue?
        if let templates, let uid = deployment.metadata.uid, records[uid] == nil, let revision = Self.revision(of: deployment), revision > 1 {
            previous = templates.template(namespace: deployment.metadata.namespace ?? "", ownerUID: uid, before: revision)
        }
        let events = observe(deployment, namespace: namespace, rawTemplate: object["spec"]?["template"], previousTemplate: previous, now: now)
        return WorkloadObservation(events: events, warnings: events.isEmpty ? [] : WorkloadContext.resolve(deployment: deployment, namespace: namespace).warnings)
    }

    public mutating func delete(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        let deployment = try object.raw.decode(as: Deployment.self)
        let events = delete(deployment, namespace: namespace, now: now)
        return WorkloadObservation(events: events, warnings: events.isEmpty ? [] : WorkloadContext.resolve(deployment: deployment, namespace: namespace).warnings)
    }
}

extension WorkloadEventBuilder {
    /// A Deployment event: revisions are `deployment.kubernetes.io/revision` numbers.
    func event(_ fact: WorkloadFact, id: String, time: Date, revision: Int64?, extra: [String: JSONValue] = [:]) -> CloudEvent {
        event(fact, id: id, time: time, revision: revision.map(JSONValue.int), extra: extra)
    }
}
