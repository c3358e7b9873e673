import EventStore
import Logging
import PostgresNIO

/// Maintains the calculator's fact tables from `cdevents_raw` through the durable cursor `calculate`.
///
/// Every method runs on a connection inside the caller's transaction: the caller locks the cursor row
/// (``lockCursor(on:)``), applies facts and results, and advances the cursor in the same transaction, so a crash
/// or a second replica never applies a row twice or skips one (docs/storage.md, "Why ingest_xid").
struct MetricFactStore: Sendable {
    static let cursorName = "calculate"
    let cursor: StageCursor
    let logger: Logger
    /// What the previous incremental batch of this process read and judged (``HistoryCache``).
    let cache = HistoryCache()

    init(logger: Logger) {
        self.cursor = StageCursor(Self.cursorName, over: .cdEvents, logger: logger)
        self.logger = logger
    }

    func run(_ sql: String, on connection: PostgresConnection) async throws {
        try await connection.runTraced(PostgresQuery(unsafeSQL: sql), logger: logger)
    }

    /// Sets the transaction's calculator settings, then creates the cursor row when missing and locks it
    /// (`FOR UPDATE`) until the transaction ends; returns it, with the transaction that last moved it
    /// (``StageCursor/lockWithWriter(on:)``).
    func lockCursor(on connection: PostgresConnection) async throws -> (position: CursorPosition, writer: Int64) {
        try await applySettings(on: connection)
        return try await cursor.lockWithWriter(on: connection)
    }

    /// The calculator's settings, for the transaction on `connection` (`SET LOCAL`).
    func applySettings(on connection: PostgresConnection) async throws {
        // The calculator's statements are many short-lived aggregates: JIT compilation costs more than it saves,
        // and sorts for grouping sets fit in memory.
        try await run("SET LOCAL jit = off", on: connection)
        // The temporary tables exist after a session's first step: no notice for each CREATE … IF NOT EXISTS.
        try await run("SET LOCAL client_min_messages = warning", on: connection)
        try await run("SET LOCAL work_mem = '64MB'", on: connection)
        // Buckets (date_trunc) and interval arithmetic in UTC.
        try await run("SET LOCAL TimeZone = 'UTC'", on: connection)
    }

    /// The position of the `limit`-th settled row after `after` (or of the last settled one when `limit` is nil)
    /// and the number of rows up to it; nil when there is none. Settled: written by a transaction below the
    /// commit horizon of this database (`CommitHorizon`), so no row can still appear before it.
    func batchEnd(after: CursorPosition?, limit: Int?, on connection: PostgresConnection) async throws -> (CursorPosition, Int)? {
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
            return (CursorPosition(xid: Int64(xid) ?? 0, id: seq), Int(count))
        }
        return nil
    }

    /// Adds the facts of the rows in (`from`, `to`]; touch points land in the temporary table `calc_touch`.
    /// `cache`: what the previous batch left (``HistoryCache``); on return what this one read and judged, to be stored
    /// with the position `to`.
    func applyIncremental(from: CursorPosition, to: CursorPosition, cache: inout HistoryCache.State?, on connection: PostgresConnection) async throws {
        for statement in MetricFactSQL.incrementalFacts(from: from, to: to) {
            try await run(statement, on: connection)
        }
        try await rejudgeTouched(cache: &cache, position: to, on: connection)
        for statement in MetricFactSQL.incrementalResults() {
            try await run(statement, on: connection)
        }
    }

    /// Rebuilds the fact tables from the rows up to `to`, all in the caller's transaction. The deployments' failure
    /// facts and the lead times come from one ordered pass in memory (``loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)``).
    ///
    /// `kept` nil: every table is truncated, its keys and indexes (as the migrations made them) dropped, loaded from the
    /// CDEvents' documents, and its keys and indexes built again. A position (the `calculate` cursor): what the
    /// calculator extracted from each CDEvent up to it is kept (`changes`, `incident_events`, `incidents`, the
    /// deployments' reports) and extended with the rows after it as an incremental step does; the deployments are
    /// judged again from their reports and updated where their facts differ, and `lead_times` is written whole, or,
    /// with nothing after `kept`, left as it is when the pass computes the rows it holds (``RowsDigest``). No
    /// document up to `kept` is read. Both give the same rows, because the fact tables hold up to the cursor what the
    /// current rules extract: a migration that changes the rules empties the facts and removes the cursor.
    ///
    /// `samples`, when given, gets the pass's samples (``loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)``) while the tables
    /// are still to be written. `readers`, when given, reads the kept incidents and changes on connections of their own
    /// while the reports are sorted, when there is nothing after `kept` (this transaction then writes no fact the
    /// pass reads before the pass).
    func rebuild(
        upTo to: CursorPosition, keeping kept: CursorPosition?, samples: ((PointSamples, _ writing: Bool) -> Void)? = nil, readers: PostgresClient? = nil,
        on connection: PostgresConnection
    ) async throws {
        cache.clear()
        let tables = kept == nil ? FactTableIndexes.tables : ["lead_times"]
        let indexes = try await FactTableIndexes.read(of: tables, on: connection, logger: logger)
        let truncate = "TRUNCATE " + tables.joined(separator: ", ")
        let start = ContinuousClock.now
        var rewritten = true
        if let kept {
            // The rows after `kept` are extracted as an incremental step extracts them (what it records for its
            // touch points is left unused; the temporary tables are emptied at commit).
            for statement in MetricFactSQL.incrementalFacts(from: kept, to: to) {
                try await run(statement, on: connection)
            }
            // With nothing after the cursor, `lead_times` is left as it is when the pass computes the rows it holds.
            rewritten = try await loadDeployments(
                from: .stored, prepare: [truncate] + indexes.drops, keepUnchangedLeadTimes: kept == to, samples: samples,
                readers: kept == to ? readers : nil, on: connection)
        } else {
            for statement in [truncate] + indexes.drops + MetricFactSQL.load(upTo: to) {
                try await run(statement, on: connection)
            }
            try await loadDeployments(from: .documents(upTo: to), prepare: [], samples: samples, on: connection)
        }
        logger.trace("calculator deployments pass", metadata: ["duration": "\(ContinuousClock.now - start)"])
        // Kept: `lead_times` is written again from the same facts (or left as it is), and the statistics it had still
        // describe it (autovacuum refreshes them after a rewrite); it is analyzed here only when it has none.
        let analyzed = kept == nil ? ["deployments", "lead_times"] : try await hasStatistics("lead_times", on: connection) ? [] : ["lead_times"]
        for statement in (analyzed.isEmpty ? [] : [MetricFactSQL.analyze(analyzed)]) + (rewritten ? indexes.creates : []) {
            try await run(statement, on: connection)
        }
    }

    /// Whether PostgreSQL has column statistics of `table` (of the current schema).
    private func hasStatistics(_ table: String, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(
            "SELECT EXISTS (SELECT 1 FROM pg_stats WHERE schemaname = current_schema() AND tablename = \(table))", logger: logger)
        for try await exists in rows.decode(Bool.self) { return exists }
        return false
    }

    /// Whether the fact tables hold one row for each CDEvent up to `position` they are extracted from
    /// (``MetricFactSQL/extractedFactsComplete(upTo:)``).
    func extractedFactsComplete(upTo position: CursorPosition, on connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: MetricFactSQL.extractedFactsComplete(upTo: position)), logger: logger)
        for try await complete in rows.decode(Bool.self) { return complete }
        return false
    }

    /// Moves the cursor to `position`; returns this transaction's id as the cursor row records it.
    @discardableResult
    func advance(to position: CursorPosition, on connection: PostgresConnection) async throws -> Int64 {
        try await cursor.advance(to: position, on: connection)
    }

    /// Rows of `cdevents_raw` not yet processed (settled or not) and the age of the first of them.
    func lag(client: PostgresClient) async throws -> StageLag {
        try await cursor.lag(after: try await cursor.read(client: client), client: client)
    }
}
