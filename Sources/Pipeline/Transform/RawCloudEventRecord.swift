import EventStore
import Foundation

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
    public var position: CursorPosition { CursorPosition(xid: xid, id: eventId) }
}
