import Logging
import PostgresNIO

/// A stage's durable, gap-free cursor over a raw table: one `pipeline_cursors` row, `(last_xid, last_id)` in the
/// table's commit order `(ingest_xid, id)`. A stage reads rows after it (below the `CommitHorizon`, so no row can
/// still appear behind it) and moves it in the transaction that commits what it made of them: a crash or a second
/// replica never applies a row twice or skips one (docs/storage.md, "Why ingest_xid").
public struct StageCursor: Sendable {
    /// The raw table a cursor reads.
    public enum Table: Sendable {
        /// `cloudevents_raw`, in `(ingest_xid, event_id)` order; a row's age is its `event_timestamp`.
        case cloudEvents
        /// `cdevents_raw`, in `(ingest_xid, seq)` order; a row's age is its `received_at`.
        case cdEvents

        // Identifiers, spliced as text: SQL cannot bind a table or column name.
        var name: String { self == .cloudEvents ? "cloudevents_raw" : "cdevents_raw" }
        var idColumn: String { self == .cloudEvents ? "event_id" : "seq" }
        var storedAtColumn: String { self == .cloudEvents ? "event_timestamp" : "received_at" }
    }

    /// `pipeline_cursors.name`.
    public let name: String
    public let table: Table
    private let logger: Logger

    public init(_ name: String, over table: Table, logger: Logger) {
        self.name = name
        self.table = table
        self.logger = logger
    }

    /// The cursor's position, created at ``CursorPosition/start`` when absent.
    public func read(client: PostgresClient) async throws -> CursorPosition {
        try await client.withConnection { try await position(on: $0, forUpdate: false).position }
    }

    /// Creates the cursor row when missing and locks it (`FOR UPDATE`) until the caller's transaction ends; returns
    /// its position. Every writer of a stage's outputs holds this lock, so they never interleave.
    public func lock(on connection: PostgresConnection) async throws -> CursorPosition {
        try await position(on: connection, forUpdate: true).position
    }

    /// ``lock(on:)``, with the id of the transaction that last wrote the cursor row (its `xmin`): a stage that keeps
    /// state between its transactions compares it with what ``advance(to:on:)`` returned to know that no other
    /// transaction moved the cursor since, even back to the same position (e.g. `pacer recompute`).
    public func lockWithWriter(on connection: PostgresConnection) async throws -> (position: CursorPosition, writer: Int64) {
        try await position(on: connection, forUpdate: true)
    }

    /// Moves the cursor to `position`, in the caller's transaction (after ``lock(on:)``); returns the transaction's
    /// id as the cursor row records it (see ``lockWithWriter(on:)``).
    @discardableResult
    public func advance(to position: CursorPosition, on connection: PostgresConnection) async throws -> Int64 {
        let rows = try await connection.query(
            """
            UPDATE pipeline_cursors SET last_xid = \(String(position.xid))::xid8, last_id = \(position.id), updated_at = now()
            WHERE name = \(name) RETURNING xmin::text
            """, logger: logger
        ).decode(String.self)
        for try await writer in rows { return Int64(writer) ?? -1 }
        throw EventStoreError(.unavailable, "the pipeline cursor \(name) is gone")
    }

    /// How many rows are stored after `position`, and how long ago the first of them (in commit order) was stored.
    /// The count stops at `countLimit`: it is read every second, and a huge backlog must not make that a long scan.
    public func lag(after position: CursorPosition, countLimit: Int64 = 1_000_000, client: PostgresClient) async throws -> StageLag {
        let (table, id, storedAt, xid) = (self.table.name, self.table.idColumn, self.table.storedAtColumn, String(position.xid))
        let rows = try await client.query(
            """
            SELECT
                (SELECT count(*) FROM (SELECT 1 FROM \(unescaped: table)
                                       WHERE (ingest_xid, \(unescaped: id)) > (\(xid)::xid8, \(position.id)) LIMIT \(countLimit)) behind)::bigint,
                COALESCE((SELECT EXTRACT(EPOCH FROM now() - \(unescaped: storedAt)) FROM \(unescaped: table)
                          WHERE (ingest_xid, \(unescaped: id)) > (\(xid)::xid8, \(position.id))
                          ORDER BY ingest_xid, \(unescaped: id) LIMIT 1), 0)::float8
            """, logger: logger
        ).decode((Int64, Double).self)
        for try await (events, seconds) in rows { return StageLag(events: events, seconds: max(0, seconds)) }
        return StageLag(events: 0, seconds: 0)
    }

    private func position(on connection: PostgresConnection, forUpdate: Bool) async throws -> (position: CursorPosition, writer: Int64) {
        try await connection.query("INSERT INTO pipeline_cursors (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING", logger: logger)
        let rows = try await connection.query(
            "SELECT last_xid::text, last_id, xmin::text FROM pipeline_cursors WHERE name = \(name) \(unescaped: forUpdate ? "FOR UPDATE" : "")",
            logger: logger
        ).decode((String, Int64, String).self)
        for try await (xid, id, writer) in rows { return (CursorPosition(xid: Int64(xid) ?? 0, id: id), Int64(writer) ?? -1) }
        throw EventStoreError(.unavailable, "the pipeline cursor \(name) could not be created")
    }
}
