import EventModel
import Foundation
import KubeCore
import PacerCore

/// The pure deriver of the workload kinds whose rollouts are read from replica counts (StatefulSet, DaemonSet; see
/// ``RolloutReader``): the same facts and workload context as ``DeploymentEventDeriver``, level-based with
/// deterministic ids (`<uid>/created`, `<uid>/<revision>/revision`, `<uid>/<revision>/rollout.completed`,
/// `<uid>/<revision>/rollout.failed`, `<uid>/deleted`), so a relist, a restart or a second replica derives nothing
/// new.
///
/// These kinds have no progress deadline of their own: a rollout that is not complete
/// ``Configuration/progressDeadline`` seconds (or the workload's `pacer.dev/progress-deadline-seconds`) after its
/// revision was first seen is failed, once; `OnDelete` rollouts have no default deadline. Availability: lost when
/// fewer pods are available than the update strategy allows (`desired - maxUnavailable`, and at least one outside a
/// rollout), restored when enough are again; both are derived only from transitions seen while watching.
public struct RolloutStatusDeriver<Reader: RolloutReader>: Sendable {
    public struct Configuration: Sendable, Hashable {
        public var clusterName: String
        public var historyLimit: Int
        /// On first sight, a workload created at least this long ago that is unavailable counts as an open loss
        /// (its restore is then derived).
        public var availabilityGrace: TimeInterval
        /// Seconds a rollout may take (overridden per workload by `pacer.dev/progress-deadline-seconds`).
        public var progressDeadline: TimeInterval

        public init(clusterName: String = "default", historyLimit: Int = 20, availabilityGrace: TimeInterval = 10, progressDeadline: TimeInterval = 600) {
            self.clusterName = clusterName
            self.historyLimit = historyLimit
            self.availabilityGrace = availabilityGrace
            self.progressDeadline = progressDeadline
        }
    }

    struct Record: Sendable {
        var revision: JSONValue?
        var revisionKey: String?
        var images: [String: String] = [:]
        /// Template hash → revision key, oldest first.
        var history: [(hash: UInt64, key: String)] = []
        /// Revision keys seen while watching: a return to one (a rollback to an identical template reuses a
        /// StatefulSet's revision name) gets the generation in its key.
        var seen: Set<String> = []
        var emitted: Set<String> = []
        var transition: [String: JSONValue] = [:]
        /// When the current revision was first seen, its deadline, and whether it completed or failed.
        var startedAt: Date?
        var deadline: TimeInterval?
        var settled = false
        var wasAvailable = false
        var lostOpen = false
        /// The latest state, for events that fall due with time alone.
        var builder: WorkloadEventBuilder?
    }

    public let configuration: Configuration
    private var records: [String: Record] = [:]

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    public var trackedCount: Int { records.count }

    /// The events implied by an added, updated, relisted or resynced object.
    public mutating func observe(_ object: JSONValue, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        let (metadata, template) = try Self.decode(object)
        guard let uid = metadata.uid else { return WorkloadObservation(events: []) }
        let context = WorkloadContext.resolve(metadata: metadata, template: template, namespace: namespace)
        guard context.tracked else {
            records[uid] = nil
            return WorkloadObservation(events: [])
        }
        let firstSight = records[uid] == nil
        var record = records[uid] ?? Record()
        let builder = WorkloadEventBuilder(
            kind: Reader.kind, metadata: metadata, template: template, replicas: Reader.replicas(object), context: context,
            clusterName: configuration.clusterName)
        var warnings = context.warnings
        var events: [CloudEvent] = []
        func emit(_ event: CloudEvent) {
            guard record.emitted.insert(event.id).inserted else { return }
            events.append(event)
        }
        let created = metadata.creationTimestamp?.date
        emit(builder.event(.created, id: "\(uid)/created", time: created ?? now, revision: record.revision))

        let reading = Reader.read(object)
        if let reading, reading.caughtUp, reading.revision != record.revision {
            var key = reading.revisionKey
            if record.seen.contains(key) { key += "@g\(metadata.generation ?? 0)" }
            let hash = TemplateHash.of(raw: object["spec"]?["template"] ?? .null)
            var extra = reading.extra
            extra["rollback"] = .bool(record.history.contains { $0.hash == hash && $0.key != key })
            if let previous = record.revision {
                extra["previousRevision"] = previous
                extra["previousImages"] = .object(record.images.mapValues(JSONValue.string))
            } else if let replacing = reading.replacing {
                extra["previousRevision"] = replacing
            } else if case .int(let number) = reading.revision, number > 1 {
                extra["previousRevision"] = .int(number - 1)  // template generations count every rollout
            }
            record.transition = extra
            let firstRevision = firstSight && extra["previousRevision"] == nil
            emit(builder.event(.revision, id: "\(uid)/\(key)/revision", time: firstRevision ? (created ?? now) : now, revision: reading.revision, extra: extra))
            record.revision = reading.revision
            record.revisionKey = key
            record.seen.insert(reading.revisionKey)
            record.images = builder.images
            record.history.removeAll { $0.hash == hash }
            record.history.append((hash, key))
            if record.history.count > max(1, configuration.historyLimit) { record.history.removeFirst() }
            record.startedAt = firstRevision ? (created ?? now) : now
            record.settled = false
            let (deadline, warning) = deadline(metadata, noDefault: reading.onDelete || reading.failsItself)
            record.deadline = deadline
            if let warning { warnings.append(warning) }
        }

        if let reading, let key = record.revisionKey, reading.caughtUp, reading.revision == record.revision, reading.complete {
            record.settled = true
            emit(builder.event(.rolloutCompleted, id: "\(uid)/\(key)/rollout.completed", time: now, revision: record.revision, extra: record.transition))
        }
        if let reading, let key = record.revisionKey, let failure = reading.failure, !record.settled, reading.caughtUp,
            reading.revision == record.revision, !reading.complete
        {
            var extra = record.transition
            extra["reason"] = .string(failure.reason)
            extra["message"] = .string(failure.message)
            record.settled = true
            emit(builder.event(.rolloutFailed, id: "\(uid)/\(key)/rollout.failed", time: now, revision: record.revision, extra: extra))
        }
        if let event = Self.failure(uid: uid, record: record, builder: builder, now: now) {
            record.settled = true
            emit(event)
        }

        if let reading {
            let rolling = record.revisionKey != nil && !record.settled
            let needed = reading.desired <= 0 ? 0 : max(rolling ? 0 : 1, reading.desired - reading.maxUnavailable)
            let fields: [String: JSONValue] = ["availableReplicas": .int(reading.available), "desiredReplicas": .int(reading.desired)]
            if reading.available < needed {
                let grace = created.map { now.timeIntervalSince($0) >= configuration.availabilityGrace } ?? false
                if record.wasAvailable, !record.lostOpen {
                    emit(builder.event(.availabilityLost, id: "\(uid)/availability.lost/\(RFC3339.format(now, fractionalDigits: 3))", time: now,
                                       revision: record.revision, extra: fields))
                    record.lostOpen = true
                } else if firstSight, grace {
                    record.lostOpen = true
                }
                record.wasAvailable = false
            } else {
                if record.lostOpen {
                    emit(builder.event(.availabilityRestored, id: "\(uid)/availability.restored/\(RFC3339.format(now, fractionalDigits: 3))", time: now,
                                       revision: record.revision, extra: fields))
                }
                record.lostOpen = false
                if reading.available > 0 { record.wasAvailable = true }
            }
        }

        record.builder = builder
        if record.emitted.count > 256 { record.emitted = ["\(uid)/created"] }
        records[uid] = record
        return WorkloadObservation(events: events, warnings: events.isEmpty ? [] : warnings)
    }

    /// Failed rollouts whose deadline passed with no new observation.
    public mutating func tick(now: Date) -> [CloudEvent] {
        var events: [CloudEvent] = []
        for (uid, var record) in records {
            guard let builder = record.builder, let event = Self.failure(uid: uid, record: record, builder: builder, now: now) else { continue }
            record.settled = true
            if record.emitted.insert(event.id).inserted { events.append(event) }
            records[uid] = record
        }
        return events.sorted { $0.id < $1.id }
    }

    /// The event of the object's deletion; forgets it.
    public mutating func delete(_ object: JSONValue, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        let (metadata, template) = try Self.decode(object)
        guard let uid = metadata.uid else { return WorkloadObservation(events: []) }
        let record = records.removeValue(forKey: uid)
        let context = WorkloadContext.resolve(metadata: metadata, template: template, namespace: namespace)
        guard context.tracked else { return WorkloadObservation(events: []) }
        let builder = WorkloadEventBuilder(
            kind: Reader.kind, metadata: metadata, template: template, replicas: Reader.replicas(object), context: context,
            clusterName: configuration.clusterName)
        let revision = record?.revision ?? Reader.read(object)?.revision
        return WorkloadObservation(
            events: [builder.event(.deleted, id: "\(uid)/deleted", time: metadata.deletionTimestamp?.date ?? now, revision: revision)],
            warnings: context.warnings)
    }

    private static func failure(uid: String, record: Record, builder: WorkloadEventBuilder, now: Date) -> CloudEvent? {
        guard !record.settled, let key = record.revisionKey, let start = record.startedAt, let deadline = record.deadline,
            now.timeIntervalSince(start) >= deadline
        else { return nil }
        var extra = record.transition
        extra["reason"] = "ProgressDeadlineExceeded"
        extra["message"] = .string("rollout of revision \(key) not complete after \(Int(deadline)) s")
        return builder.event(.rolloutFailed, id: "\(uid)/\(key)/rollout.failed", time: start + deadline, revision: record.revision, extra: extra)
    }

    /// The progress deadline of a rollout: the workload's annotation, else the default (none for `OnDelete`, nor for
    /// kinds whose controller fails rollouts itself).
    private func deadline(_ metadata: ObjectMeta, noDefault: Bool) -> (TimeInterval?, String?) {
        let fallback = noDefault ? nil : configuration.progressDeadline
        if let text = metadata.annotations?[WorkloadAnnotations.progressDeadline] {
            if let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds > 0, seconds.isFinite { return (seconds, nil) }
            return (fallback, "\(WorkloadAnnotations.progressDeadline) on \(metadata.namespace ?? "")/\(metadata.name ?? "") is not a positive number of seconds: \(text)")
        }
        return (fallback, nil)
    }

    private static func decode(_ object: JSONValue) throws -> (ObjectMeta, Deployment.PodTemplate?) {
        let metadata = try ObjectMeta(jsonTree: object["metadata"] ?? [:])
        let template = try Reader.podTemplate(object).map { try $0.decode(as: Deployment.PodTemplate.self) }
        return (metadata, template)
    }
}

extension RolloutStatusDeriver: WorkloadEventDeriver {
    public var kind: WorkloadKind { Reader.kind }

    public mutating func observe(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        try observe(object.raw, namespace: namespace, now: now)
    }

    public mutating func delete(_ object: DynamicObject, namespace: Namespace?, now: Date) throws -> WorkloadObservation {
        try delete(object.raw, namespace: namespace, now: now)
    }
}
