import EventModel
import Foundation
import PacerCore

/// A CloudEvent ready for `cloudevents_raw`: its indexed attributes and its JSON-format content.
public struct CloudEventRow: Sendable {
    public var id: String
    public var source: String
    public var type: String
    public var subject: String?
    public var time: Date?
    /// The event in the CloudEvents JSON format, as JSON text.
    public var content: String

    public init(_ event: CloudEvent) {
        id = event.id
        source = event.source
        type = event.type
        subject = event.subject
        time = event.timestamp
        content = event.jsonFormat.jsonString()
    }

    /// Identity for deduplication: CloudEvents says `source` + `id` identify an event.
    public var key: EventKey { EventKey(source: source, id: id) }
}

/// A CDEvent ready for `cdevents_raw` (the seed tutorial's columns).
public struct CDEventRow: Sendable {
    public var id: String
    public var source: String
    public var type: String
    public var timestamp: Date
    public var subjectId: String
    public var subjectSource: String?
    /// The whole CDEvent as JSON text.
    public var content: String

    public init(id: String, source: String, type: String, timestamp: Date, subjectId: String, subjectSource: String?, content: String) {
        self.id = id
        self.source = source
        self.type = type
        self.timestamp = timestamp
        self.subjectId = subjectId
        self.subjectSource = subjectSource
        self.content = content
    }

    /// The row for a (normalised) CDEvent: the seed's columns plus the whole event as JSON.
    public init(_ event: CDEvent) {
        self.init(
            id: event.context.id, source: event.context.source, type: event.context.type.description,
            timestamp: event.context.timestamp.date, subjectId: event.subject.id, subjectSource: event.subject.source,
            content: event.jsonValue.jsonString())
    }

    public var key: EventKey { EventKey(source: source, id: id) }
}

/// Where a CDEvent made by the pipeline came from (`cdevents_raw.origin_event_id`, `origin_transform`); CDEvents
/// ingested as CDEvents have none.
public struct CDEventOrigin: Sendable, Hashable {
    /// `cloudevents_raw.event_id` of the CloudEvent it was made of.
    public var eventId: Int64
    /// `namespace/name` of the CDEventTransform.
    public var transform: String

    public init(eventId: Int64, transform: String) {
        self.eventId = eventId
        self.transform = transform
    }
}

/// `source` + `id`, the identity of a CloudEvent or a CDEvent.
public struct EventKey: Hashable, Sendable {
    public var source: String
    public var id: String
    public init(source: String, id: String) {
        self.source = source
        self.id = id
    }
}
