import EventStore

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

extension ProducedCDEvent {
    var origin: CDEventOrigin { CDEventOrigin(eventId: originEventId, transform: originTransform) }
}
