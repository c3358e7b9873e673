import Logging
import PostgresNIO

/// Maintains the calculator's fact tables from `cdevents_raw` through the durable cursor `calculate`.
///
/// Every method runs on a connection inside the caller's transaction: the caller locks the cursor row
/// (``lockCursor(on:)``), applies facts and results, and advances the cursor in the same transaction, so a crash
/// or a second replica never applies a row twice or skips one (docs/storage.md, "Why ingest_xid").
public struct MetricFactStore: Sendable {
    public static let cursorName = "calculate"
    let logger: Logger

    public init(logger: Logger) {
        self.logger = logger
    }

    func run(_ sql: String, on connection: PostgresConnection) async throws {
        let start = ContinuousClock.now
        try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        logger.trace("calculator statement", metadata: ["duration": "\(ContinuousClock.now - start)", "sql": "\(sql)"])
    }

    /// Creates the cursor row when missing and locks it (`FOR UPDATE`) until the transaction ends; returns it.
    public func lockCursor(on connection: PostgresConnection) async throws -> MetricFactSQL.Position {
        // The calculator's statements are many short-lived aggregates: JIT compilation costs more than it saves,
        // and sorts for grouping sets fit in memory.
        try await run("SET LOCAL jit = off", on: connection)
        try await run("SET LOCAL work_mem = '64MB'", on: connection)
        // Buckets (date_trunc) and interval arithmetic in UTC.
        try await run("SET LOCAL TimeZone = 'UTC'", on: connection)
        try await connection.query(
            "INSERT INTO pipeline_cursors (name) VALUES (\(Self.cursorName)) ON CONFLICT (name) DO NOTHING", logger: logger)
        let rows = try await connection.query(
            "SELECT last_xid::text, last_id FROM pipeline_cursors WHERE name = \(Self.cursorName) FOR UPDATE", logger: logger)
        for try await (xid, id) in rows.decode((String, Int64).self) {
            return MetricFactSQL.Position(xid: xid, seq: id)
        }
        throw EventStoreError(.unavailable, "the pipeline cursor \(Self.cursorName) could not be created")
    }

    /// The position of the `limit`-th settled row after `after` (or of the last settled one when `limit` is nil)
    /// and the number of rows up to it; nil when there is none. Settled: written by a transaction below the
    /// commit horizon of this database (`CommitHorizon`), so no row can still appear before it.
    public func batchEnd(
        after: MetricFactSQL.Position?, limit: Int?, on connection: PostgresConnection
    ) async throws -> (MetricFactSQL.Position, Int)? {
        let lower = after.map { "(ingest_xid, seq) > \($0.sql) AND" } ?? ""
        let horizon = try await CommitHorizon.current(on: connection, logger: logger)
        let sql = """
            WITH b AS (
                SELECT ingest_xid, seq FROM cdevents_raw
                WHERE \(lower) ingest_xid < greatest('\(horizon)'::xid8, pg_snapshot_xmin(pg_current_snapshot())) ORDER BY ingest_xid, seq \(limit.map { "LIMIT \(max(1, $0))" } ?? "")
            )
            SELECT ingest_xid::text, seq, (SELECT count(*) FROM b) FROM b ORDER BY ingest_xid DESC, seq DESC LIMIT 1
            """
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode((String, Int64, Int64).self)
        for try await (xid, seq, count) in rows {
            return (MetricFactSQL.Position(xid: xid, seq: seq), Int(count))
        }
        return nil
    }

    /// Adds the facts of the rows in (`from`, `to`]; touch points land in the temporary table `calc_touch`.
    public func applyIncremental(from: MetricFactSQL.Position, to: MetricFactSQL.Position, on connection: PostgresConnection) async throws {
        for statement in MetricFactSQL.incremental(from: from, to: to) {
            try await run(statement, on: connection)
        }
    }

    /// Rebuilds every fact table from the rows up to `to`.
    public func rebuild(upTo to: MetricFactSQL.Position, on connection: PostgresConnection) async throws {
        for statement in MetricFactSQL.rebuild(upTo: to) {
            try await run(statement, on: connection)
        }
    }

    /// Moves the cursor to `position`.
    public func advance(to position: MetricFactSQL.Position, on connection: PostgresConnection) async throws {
        try await run(
            "UPDATE pipeline_cursors SET last_xid = '\(position.xid)'::xid8, last_id = \(position.seq), updated_at = now() WHERE name = '\(Self.cursorName)'",
            on: connection)
    }

    /// Rows of `cdevents_raw` not yet processed (settled or not) and the age in seconds of the oldest of them.
    public func lag(client: PostgresClient) async throws -> (events: Int64, seconds: Double) {
        let rows = try await client.query(
            """
            SELECT count(*), coalesce(extract(epoch FROM now() - min(r.received_at))::float8, 0) FROM cdevents_raw r
            WHERE (r.ingest_xid, r.seq) > (SELECT last_xid, last_id FROM pipeline_cursors WHERE name = \(Self.cursorName))
            """, logger: logger)
        for try await (count, seconds) in rows.decode((Int64, Double).self) {
            return (count, seconds)
        }
        return (0, 0)
    }
}
