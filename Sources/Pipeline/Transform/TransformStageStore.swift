import EventStore
import Foundation
import Logging
import PacerCore
import PostgresNIO

/// The SQL of the router/transformer stage: reads `cloudevents_raw` after its ``StageCursor`` and commits a batch's
/// outputs (CDEvents, errors, per-transform and per-route counts) together with the cursor advance.
///
/// Exactly-once: `commitTransformBatch` locks the cursor row (`SELECT … FOR UPDATE`) and writes only when the
/// cursor is still where the batch was read from; otherwise another replica committed that batch and nothing is
/// written. Because the outputs and the cursor commit in one transaction, a crash leaves either both or neither.
struct TransformStageStore: Sendable {
    let client: PostgresClient
    let cursor: StageCursor
    let logger: Logger

    /// `cursorName`: the stage's `pipeline_cursors` row (``TransformStage/Configuration/cursorName``).
    init(client: PostgresClient, cursorName: String, logger: Logger) {
        self.client = client
        self.cursor = StageCursor(cursorName, over: .cloudEvents, logger: logger)
        self.logger = logger
    }

    /// The cursor's position, created at ``CursorPosition/start`` when absent.
    func position() async throws -> CursorPosition {
        try await cursor.read(client: client)
    }

    /// A transaction id below which every transaction of THIS database has ended (see `CommitHorizon`):
    /// unlike `pg_snapshot_xmin`, transactions of other databases of the cluster do not hold it back.
    func readHorizon() async throws -> Int64 {
        try await client.withConnection { try await CommitHorizon.current(on: $0, logger: logger) }
    }

    /// Up to `limit` CloudEvents after `cursor` in commit order, only from transactions that have ended (`ingest_xid`
    /// below `horizon` from ``readHorizon()`` or below the snapshot's xmin), so a later read never finds a row
    /// before the cursor.
    func cloudEvents(after cursor: CursorPosition, limit: Int, horizon: Int64 = 0) async throws -> [RawCloudEventRecord] {
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
        return try await Self.records(rows, capacity: limit)
    }

    /// The rows of a `SELECT event_id, ingest_xid::text, event_timestamp, content::text` as records.
    static func records<Rows: AsyncSequence>(_ rows: Rows, capacity: Int) async throws -> [RawCloudEventRecord]
    where Rows.Element == (Int64, String, Date, String) {
        var records: [RawCloudEventRecord] = []
        records.reserveCapacity(capacity)
        for try await (id, xid, storedAt, content) in rows {
            records.append(RawCloudEventRecord(eventId: id, xid: Int64(xid) ?? 0, storedAt: storedAt, content: content))
        }
        return records
    }

    /// In one transaction: checks that the cursor is still at `expected` (locking it), inserts `produced` into
    /// `cdevents_raw` (`ON CONFLICT DO NOTHING`), `errors` into `pipeline_errors`, adds the counts to
    /// `pipeline_transform_stats` (produced = rows actually inserted; failed = errors of stage `transform`), adds
    /// `routeMatches` to `pipeline_route_stats`, and moves the cursor to `next`. When the cursor has moved, writes
    /// nothing and returns where it is.
    func commitTransformBatch(
        expected: CursorPosition, next: CursorPosition, produced: [ProducedCDEvent], errors: [PipelineFailure],
        routeMatches: [String: EventRouter.RouteMatches] = [:]
    ) async throws -> CursorCommitResult {
        let (logger, cursor) = (self.logger, self.cursor)
        return try await client.withTransaction(logger: logger) { connection -> CursorCommitResult in
            let current = try await cursor.lock(on: connection)
            guard current == expected else { return .moved(to: current) }
            let insertedBy = try await Self.insert(produced, on: connection, logger: logger)
            try await Self.insert(errors, on: connection, logger: logger)
            try await Self.addStats(produced: insertedBy, errors: errors, on: connection, logger: logger)
            try await Self.addRouteStats(routeMatches, on: connection, logger: logger)
            try await cursor.advance(to: next, on: connection)
            return .committed(inserted: insertedBy.values.reduce(0, +))
        }
    }

    /// How many CloudEvents are stored after `position` (up to a million) and how long ago the first of them was stored.
    func lag(after position: CursorPosition) async throws -> StageLag {
        try await cursor.lag(after: position, client: client)
    }

    /// Every `pipeline_transform_stats` row, by namespace and name.
    func transformStats() async throws -> [TransformStatsRow] {
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

    /// Every `pipeline_route_stats` row, by namespace and name.
    func routeStats() async throws -> [RouteStatsRow] {
        let rows = try await client.query(
            "SELECT namespace, name, matched, last_match_at FROM pipeline_route_stats ORDER BY namespace, name", logger: logger
        ).decode((String, String, Int64, Date?).self)
        var stats: [RouteStatsRow] = []
        for try await (namespace, name, matched, lastMatchAt) in rows {
            stats.append(RouteStatsRow(namespace: namespace, name: name, matched: matched, lastMatchAt: lastMatchAt))
        }
        return stats
    }

    // MARK: - statements of the commit transaction

    /// Inserts the CDEvents (``PostgresEventStore/insert(cdEvents:origins:on:logger:)``); returns how many were new
    /// per transform.
    static func insert(_ produced: [ProducedCDEvent], on connection: PostgresConnection, logger: Logger) async throws -> [String: Int] {
        let inserted = try await PostgresEventStore.insert(
            cdEvents: produced.map(\.row), origins: produced.map(\.origin), on: connection, logger: logger)
        var counts: [String: Int] = [:]
        for case (_, let transform?) in inserted { counts[transform, default: 0] += 1 }
        return counts
    }

    static func insert(_ errors: [PipelineFailure], on connection: PostgresConnection, logger: Logger) async throws {
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

    static func addStats(
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

    /// Adds each route's matches to `pipeline_route_stats`; `last_match_at` only moves forward.
    static func addRouteStats(
        _ matches: [String: EventRouter.RouteMatches], on connection: PostgresConnection, logger: Logger
    ) async throws {
        guard !matches.isEmpty else { return }
        let keys = matches.keys.sorted()  // a fixed lock order, so concurrent commits cannot deadlock
        let split = keys.map(splitKey)
        let namespaces = split.map(\.namespace)
        let names = split.map(\.name)
        let counts = keys.map { Int64(matches[$0]?.count ?? 0) }
        let times = keys.map { key in matches[key].map { RFC3339.format($0.lastStoredAt, fractionalDigits: 6) } ?? "" }
        try await connection.query(
            """
            INSERT INTO pipeline_route_stats AS st (namespace, name, matched, last_match_at, updated_at)
            SELECT ns, n, m, NULLIF(t, '')::timestamptz, now()
            FROM unnest(\(namespaces)::text[], \(names)::text[], \(counts)::bigint[], \(times)::text[]) AS r(ns, n, m, t)
            ON CONFLICT (namespace, name) DO UPDATE SET
                matched = st.matched + EXCLUDED.matched,
                last_match_at = GREATEST(st.last_match_at, EXCLUDED.last_match_at),
                updated_at = now()
            """, logger: logger)
    }

    /// `namespace/name` split at the first `/` (a key without one is a name in namespace `""`).
    private static func splitKey(_ key: String) -> (namespace: String, name: String) {
        guard let slash = key.firstIndex(of: "/") else { return ("", key) }
        return (String(key[..<slash]), String(key[key.index(after: slash)...]))
    }
}
