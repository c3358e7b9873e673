import Foundation
import Logging
import PacerCore
import PostgresNIO

/// The SQL of the router/transformer stage: reads `cloudevents_raw` after a durable gap-free cursor and commits
/// a batch's outputs (CDEvents, errors, per-transform counts) together with the cursor advance.
///
/// Exactly-once: `commitTransformBatch` locks the cursor row (`SELECT … FOR UPDATE`) and writes only when the
/// cursor is still where the batch was read from; otherwise another replica committed that batch and nothing is
/// written. Because the outputs and the cursor commit in one transaction, a crash leaves either both or neither.
public struct PipelineStore: Sendable {
    public let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The cursor `name`, created at ``PipelineCursor/start`` when absent.
    public func cursor(_ name: String) async throws -> PipelineCursor {
        try await client.query("INSERT INTO pipeline_cursors (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING", logger: logger)
        let rows = try await client.query(
            "SELECT last_xid::text, last_id FROM pipeline_cursors WHERE name = \(name)", logger: logger
        ).decode((String, Int64).self)
        for try await (xid, id) in rows { return PipelineCursor(xid: Int64(xid) ?? 0, id: id) }
        return .start
    }

    /// A transaction id below which every transaction of THIS database has ended (see `CommitHorizon`):
    /// unlike `pg_snapshot_xmin`, transactions of other databases of the cluster do not hold it back.
    public func readHorizon() async throws -> Int64 {
        try await client.withConnection { try await CommitHorizon.current(on: $0, logger: logger) }
    }

    /// Up to `limit` CloudEvents after `cursor` in commit order, only from transactions that have ended (`ingest_xid`
    /// below `horizon` from ``readHorizon()`` or below the snapshot's xmin), so a later read never finds a row
    /// before the cursor.
    public func cloudEvents(after cursor: PipelineCursor, limit: Int, horizon: Int64 = 0) async throws -> [RawCloudEventRecord] {
        let xid = String(cursor.xid)
        let rows = try await client.query(
            """
            SELECT event_id, ingest_xid::text, event_timestamp, content::text FROM cloudevents_raw
            WHERE (ingest_xid, event_id) > (\(xid)::xid8, \(cursor.id))
              AND ingest_xid < greatest(\(String(horizon))::xid8, pg_snapshot_xmin(pg_current_snapshot()))
            ORDER BY ingest_xid, event_id
            LIMIT \(limit)
            """, logger: logger
        ).decode((Int64, String, Date, String).self)
        var records: [RawCloudEventRecord] = []
        records.reserveCapacity(limit)
        for try await (id, xid, storedAt, content) in rows {
            records.append(RawCloudEventRecord(eventId: id, xid: Int64(xid) ?? 0, storedAt: storedAt, content: content))
        }
        return records
    }

    /// In one transaction: checks that cursor `name` is still at `expected` (locking it), inserts `produced` into
    /// `cdevents_raw` (`ON CONFLICT DO NOTHING`), `errors` into `pipeline_errors`, adds the counts to
    /// `pipeline_transform_stats` (produced = rows actually inserted; failed = errors of stage `transform`), and
    /// moves the cursor to `next`. When the cursor has moved, writes nothing and returns where it is.
    public func commitTransformBatch(
        cursor name: String, expected: PipelineCursor, next: PipelineCursor, produced: [ProducedCDEvent], errors: [PipelineFailure]
    ) async throws -> CursorCommitResult {
        let logger = self.logger
        return try await client.withTransaction(logger: logger) { connection -> CursorCommitResult in
            let current = try await Self.lockCursor(name, on: connection, logger: logger)
            guard current == expected else { return .moved(to: current) }
            let insertedBy = try await Self.insert(produced, on: connection, logger: logger)
            try await Self.insert(errors, on: connection, logger: logger)
            try await Self.addStats(produced: insertedBy, errors: errors, on: connection, logger: logger)
            try await connection.query(
                """
                UPDATE pipeline_cursors SET last_xid = \(String(next.xid))::xid8, last_id = \(next.id), updated_at = now()
                WHERE name = \(name)
                """, logger: logger)
            return .committed(inserted: insertedBy.values.reduce(0, +))
        }
    }

    /// How many CloudEvents are stored after `cursor`, and how long ago the oldest of them was stored.
    /// The count stops at `countLimit` (it is read every second; a huge backlog must not make that a long scan);
    /// the age is that of the first row after the cursor in commit order.
    public func lag(after cursor: PipelineCursor, countLimit: Int64 = 1_000_000) async throws -> PipelineLag {
        let xid = String(cursor.xid)
        let rows = try await client.query(
            """
            SELECT
                (SELECT count(*) FROM (SELECT 1 FROM cloudevents_raw
                                       WHERE (ingest_xid, event_id) > (\(xid)::xid8, \(cursor.id)) LIMIT \(countLimit)) behind)::bigint,
                COALESCE((SELECT EXTRACT(EPOCH FROM now() - event_timestamp) FROM cloudevents_raw
                          WHERE (ingest_xid, event_id) > (\(xid)::xid8, \(cursor.id))
                          ORDER BY ingest_xid, event_id LIMIT 1), 0)::float8
            """, logger: logger
        ).decode((Int64, Double).self)
        for try await (events, seconds) in rows { return PipelineLag(events: events, seconds: max(0, seconds)) }
        return PipelineLag(events: 0, seconds: 0)
    }

    /// Every `pipeline_transform_stats` row, by namespace and name.
    public func transformStats() async throws -> [TransformStatsRow] {
        let rows = try await client.query(
            """
            SELECT namespace, name, produced, failed, last_error, last_error_event, last_error_at
            FROM pipeline_transform_stats ORDER BY namespace, name
            """, logger: logger
        ).decode((String, String, Int64, Int64, String?, String?, Date?).self)
        var stats: [TransformStatsRow] = []
        for try await (namespace, name, produced, failed, lastError, lastErrorEvent, lastErrorAt) in rows {
            stats.append(
                TransformStatsRow(
                    namespace: namespace, name: name, produced: produced, failed: failed, lastError: lastError,
                    lastErrorEvent: lastErrorEvent, lastErrorAt: lastErrorAt))
        }
        return stats
    }

    // MARK: - statements of the commit transaction

    private static func lockCursor(_ name: String, on connection: PostgresConnection, logger: Logger) async throws -> PipelineCursor {
        try await connection.query("INSERT INTO pipeline_cursors (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING", logger: logger)
        let rows = try await connection.query(
            "SELECT last_xid::text, last_id FROM pipeline_cursors WHERE name = \(name) FOR UPDATE", logger: logger
        ).decode((String, Int64).self)
        for try await (xid, id) in rows { return PipelineCursor(xid: Int64(xid) ?? 0, id: id) }
        return .start
    }

    /// Inserts the CDEvents; returns how many were new per transform.
    private static func insert(_ produced: [ProducedCDEvent], on connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        guard !produced.isEmpty else { return [:] }
        let ids = produced.map(\.row.id)
        let sources = produced.map(\.row.source)
        let types = produced.map(\.row.type)
        let timestamps = produced.map { RFC3339.format($0.row.timestamp, fractionalDigits: 6) }
        let subjectIds = produced.map(\.row.subjectId)
        let subjectSources = produced.map { $0.row.subjectSource ?? "" }
        let contents = produced.map(\.row.content)
        let origins = produced.map(\.originEventId)
        let transforms = produced.map(\.originTransform)
        let query: PostgresQuery = """
            INSERT INTO cdevents_raw (cd_id, cd_source, cd_type, cd_timestamp, cd_subject_id, cd_subject_source, content,
                                      origin_event_id, origin_transform)
            SELECT i, s, t, ts::timestamptz, sid, NULLIF(ss, ''), c::jsonb, o, tr
            FROM unnest(\(ids)::text[], \(sources)::text[], \(types)::text[], \(timestamps)::text[], \(subjectIds)::text[],
                        \(subjectSources)::text[], \(contents)::text[], \(origins)::bigint[], \(transforms)::text[])
                AS r(i, s, t, ts, sid, ss, c, o, tr)
            ORDER BY o
            ON CONFLICT (cd_source, cd_id) DO NOTHING
            RETURNING origin_transform
            """
        var counts: [String: Int] = [:]
        for try await transform in try await connection.query(query, logger: logger).decode(String.self) {
            counts[transform, default: 0] += 1
        }
        return counts
    }

    private static func insert(_ errors: [PipelineFailure], on connection: PostgresConnection, logger: Logger) async throws {
        guard !errors.isEmpty else { return }
        let stages = errors.map(\.stage)
        let eventIds = errors.map { $0.eventId.map(String.init) ?? "" }
        let sources = errors.map { $0.cloudEventSource ?? "" }
        let ids = errors.map { $0.cloudEventId ?? "" }
        let components = errors.map(\.component)
        let messages = errors.map(\.message)
        let times = errors.map { RFC3339.format($0.occurredAt, fractionalDigits: 6) }
        try await connection.query(
            """
            INSERT INTO pipeline_errors (stage, event_id, ce_source, ce_id, component, message, occurred_at)
            SELECT st, NULLIF(e, '')::bigint, NULLIF(s, ''), NULLIF(i, ''), c, m, t::timestamptz
            FROM unnest(\(stages)::text[], \(eventIds)::text[], \(sources)::text[], \(ids)::text[], \(components)::text[],
                        \(messages)::text[], \(times)::text[]) AS r(st, e, s, i, c, m, t)
            """, logger: logger)
    }

    private static func addStats(
        produced: [String: Int], errors: [PipelineFailure], on connection: PostgresConnection, logger: Logger
    ) async throws {
        var deltas: [String: (produced: Int64, failed: Int64, last: PipelineFailure?)] = [:]
        for (transform, count) in produced { deltas[transform, default: (0, 0, nil)].produced += Int64(count) }
        for error in errors where error.stage == "transform" {
            deltas[error.component, default: (0, 0, nil)].failed += 1
            deltas[error.component]?.last = error
        }
        guard !deltas.isEmpty else { return }
        let keys = deltas.keys.sorted()  // a fixed lock order, so concurrent commits cannot deadlock
        let split = keys.map { key -> (String, String) in
            guard let slash = key.firstIndex(of: "/") else { return ("", key) }
            return (String(key[..<slash]), String(key[key.index(after: slash)...]))
        }
        let namespaces = split.map(\.0)
        let names = split.map(\.1)
        let producedCounts = keys.map { deltas[$0]?.produced ?? 0 }
        let failedCounts = keys.map { deltas[$0]?.failed ?? 0 }
        let lastErrors = keys.map { deltas[$0]?.last?.message ?? "" }
        let lastEvents = keys.map { deltas[$0]?.last?.cloudEventId ?? "" }
        let lastTimes = keys.map { deltas[$0]?.last.map { RFC3339.format($0.occurredAt, fractionalDigits: 6) } ?? "" }
        try await connection.query(
            """
            INSERT INTO pipeline_transform_stats AS st (namespace, name, produced, failed, last_error, last_error_event, last_error_at, updated_at)
            SELECT ns, n, p, f, NULLIF(le, ''), NULLIF(lv, ''), NULLIF(lt, '')::timestamptz, now()
            FROM unnest(\(namespaces)::text[], \(names)::text[], \(producedCounts)::bigint[], \(failedCounts)::bigint[],
                        \(lastErrors)::text[], \(lastEvents)::text[], \(lastTimes)::text[]) AS r(ns, n, p, f, le, lv, lt)
            ON CONFLICT (namespace, name) DO UPDATE SET
                produced = st.produced + EXCLUDED.produced,
                failed = st.failed + EXCLUDED.failed,
                last_error = COALESCE(EXCLUDED.last_error, st.last_error),
                last_error_event = CASE WHEN EXCLUDED.last_error IS NULL THEN st.last_error_event ELSE EXCLUDED.last_error_event END,
                last_error_at = COALESCE(EXCLUDED.last_error_at, st.last_error_at),
                updated_at = now()
            """, logger: logger)
    }
}
