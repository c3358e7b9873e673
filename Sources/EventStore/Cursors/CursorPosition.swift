/// A position in a raw table's commit order `(ingest_xid, id)`: the last row a stage consumed
/// (`pipeline_cursors.last_xid`, `last_id`). `id` is `event_id` in `cloudevents_raw` and `seq` in `cdevents_raw`.
public struct CursorPosition: Sendable, Hashable, CustomStringConvertible {
    /// `ingest_xid` (an `xid8`, below 2^63 in practice).
    public var xid: Int64
    /// The row's id in the table's commit order.
    public var id: Int64

    public init(xid: Int64, id: Int64) {
        self.xid = xid
        self.id = id
    }

    /// Before every row.
    public static let start = CursorPosition(xid: 0, id: 0)

    public var description: String { "(\(xid), \(id))" }
}
