import Foundation

/// A durable position in `cloudevents_raw` (or `cdevents_raw`): the last row a stage consumed, in commit order
/// `(ingest_xid, id)`. `pipeline_cursors(name, last_xid, last_id)`.
public struct PipelineCursor: Sendable, Hashable, CustomStringConvertible {
    /// `last_xid` (an `xid8`, below 2^63 in practice).
    public var xid: Int64
    /// `last_id` (`event_id` of `cloudevents_raw`).
    public var id: Int64

    public init(xid: Int64, id: Int64) {
        self.xid = xid
        self.id = id
    }

    /// Before every row.
    public static let start = PipelineCursor(xid: 0, id: 0)

    public var description: String { "(\(xid), \(id))" }
}

/// One stored CloudEvent as the router reads it.
public struct RawCloudEventRecord: Sendable {
    /// `event_id`.
    public var eventId: Int64
    /// `ingest_xid`.
    public var xid: Int64
    /// `event_timestamp`: when Pacer stored it.
    public var storedAt: Date
    /// `content`: the CloudEvents JSON format, as JSON text.
    public var content: String

    public init(eventId: Int64, xid: Int64, storedAt: Date, content: String) {
        self.eventId = eventId
        self.xid = xid
        self.storedAt = storedAt
        self.content = content
    }

    /// The cursor position just after this row.
    public var position: PipelineCursor { PipelineCursor(xid: xid, id: eventId) }
}

/// A CDEvent a transform produced, with its lineage (`cdevents_raw.origin_event_id`, `origin_transform`).
public struct ProducedCDEvent: Sendable {
    public var row: CDEventRow
    /// `cloudevents_raw.event_id` of the CloudEvent it was made of.
    public var originEventId: Int64
    /// `namespace/name` of the CDEventTransform.
    public var originTransform: String

    public init(row: CDEventRow, originEventId: Int64, originTransform: String) {
        self.row = row
        self.originEventId = originEventId
        self.originTransform = originTransform
    }
}

/// A `pipeline_errors` row: one (CloudEvent, route or transform) that failed; never retried.
public struct PipelineFailure: Sendable, Hashable {
    /// Which stage failed (`route`, `transform`). Errors of stage `transform` count as failures of the
    /// transform named by `component` in `pipeline_transform_stats`.
    public var stage: String
    public var eventId: Int64?
    public var cloudEventSource: String?
    public var cloudEventId: String?
    /// `namespace/name` of the route or transform.
    public var component: String
    public var message: String
    public var occurredAt: Date

    public init(
        stage: String, eventId: Int64?, cloudEventSource: String?, cloudEventId: String?, component: String, message: String,
        occurredAt: Date = Date()
    ) {
        self.stage = stage
        self.eventId = eventId
        self.cloudEventSource = cloudEventSource
        self.cloudEventId = cloudEventId
        self.component = component
        self.message = message
        self.occurredAt = occurredAt
    }
}

/// What happened when a batch was committed.
public enum CursorCommitResult: Sendable, Hashable {
    /// Outputs written and the cursor advanced; `inserted` CDEvents were new.
    case committed(inserted: Int)
    /// The cursor was not where this batch started (another replica committed it): nothing was written.
    case moved(to: PipelineCursor)
}

/// How far a stage is behind the newest stored row.
public struct PipelineLag: Sendable, Hashable {
    /// Rows after the cursor.
    public var events: Int64
    /// Age of the oldest row after the cursor (0 when caught up).
    public var seconds: Double

    public init(events: Int64, seconds: Double) {
        self.events = events
        self.seconds = seconds
    }
}

/// A `pipeline_transform_stats` row.
public struct TransformStatsRow: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var produced: Int64
    public var failed: Int64
    public var lastError: String?
    /// The `id` of the CloudEvent of the last failure.
    public var lastErrorEvent: String?
    public var lastErrorAt: Date?

    public init(
        namespace: String, name: String, produced: Int64, failed: Int64, lastError: String? = nil, lastErrorEvent: String? = nil,
        lastErrorAt: Date? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.produced = produced
        self.failed = failed
        self.lastError = lastError
        self.lastErrorEvent = lastErrorEvent
        self.lastErrorAt = lastErrorAt
    }
}
