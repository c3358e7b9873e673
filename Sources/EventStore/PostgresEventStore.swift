import EventModel
import Foundation
import Logging
import PacerCore
import PostgresNIO

/// Writes events to PostgreSQL: the raw CloudEvents and CDEvents tables.
///
/// Writes are set-based: one multi-row `INSERT … SELECT FROM unnest(…)` per call, `ON CONFLICT DO NOTHING`
/// on the (source, id) identity so a redelivered event is stored once. The caller (the group committer) decides
/// what goes into one transaction.
public struct PostgresEventStore: Sendable {
    public let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts CloudEvents in one statement and returns the keys that were new (not already stored).
    public func insert(cloudEvents rows: [CloudEventRow], on connection: PostgresConnection) async throws -> Set<EventKey> {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        let sources = rows.map(\.source)
        let types = rows.map(\.type)
        let subjects = rows.map { $0.subject ?? "" }
        let times = rows.map { $0.time.map { RFC3339.format($0, fractionalDigits: 6) } ?? "" }
        let contents = rows.map(\.content)
        let query: PostgresQuery = """
            INSERT INTO cloudevents_raw (ce_id, ce_source, ce_type, ce_subject, ce_time, content)
            SELECT i, s, t, NULLIF(sub, ''), NULLIF(tm, '')::timestamptz, c::jsonb
            FROM unnest(\(ids)::text[], \(sources)::text[], \(types)::text[], \(subjects)::text[], \(times)::text[], \(contents)::text[])
                AS r(i, s, t, sub, tm, c)
            ON CONFLICT (ce_source, ce_id) DO NOTHING
            RETURNING ce_source, ce_id
            """
        var inserted = Set<EventKey>()
        for try await (source, id) in try await connection.query(query, logger: logger).decode((String, String).self) {
            inserted.insert(EventKey(source: source, id: id))
        }
        return inserted
    }

    /// Inserts CDEvents in one statement and returns the keys that were new.
    public func insert(cdEvents rows: [CDEventRow], on connection: PostgresConnection) async throws -> Set<EventKey> {
        Set(try await Self.insert(cdEvents: rows, origins: nil, on: connection, logger: logger).map(\.key))
    }

    /// The one `cdevents_raw` insert, for ingest and for the transform stage: one `INSERT … SELECT FROM unnest(…)`,
    /// `ON CONFLICT DO NOTHING` on (source, id), in `origins` order (then `rows` order) so `seq` follows the
    /// CloudEvents the rows were made of. `origins` is nil or has one entry per row. Returns the rows that were
    /// new, with their transform.
    public static func insert(
        cdEvents rows: [CDEventRow], origins: [CDEventOrigin?]?, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(key: EventKey, transform: String?)] {
        guard !rows.isEmpty else { return [] }
        precondition(origins == nil || origins?.count == rows.count, "one origin per CDEvent row")
        let ids = rows.map(\.id)
        let sources = rows.map(\.source)
        let types = rows.map(\.type)
        let timestamps = rows.map { RFC3339.format($0.timestamp, fractionalDigits: 6) }
        let subjectIds = rows.map(\.subjectId)
        let subjectSources = rows.map { $0.subjectSource ?? "" }
        let contents = rows.map(\.content)
        let originEvents = origins?.map { $0.map { String($0.eventId) } ?? "" } ?? Array(repeating: "", count: rows.count)
        let originTransforms = origins?.map { $0?.transform ?? "" } ?? Array(repeating: "", count: rows.count)
        let query: PostgresQuery = """
            INSERT INTO cdevents_raw (cd_id, cd_source, cd_type, cd_timestamp, cd_subject_id, cd_subject_source, content,
                                      origin_event_id, origin_transform)
            SELECT i, s, t, ts::timestamptz, sid, NULLIF(ss, ''), c::jsonb, NULLIF(o, '')::bigint, NULLIF(tr, '')
            FROM unnest(\(ids)::text[], \(sources)::text[], \(types)::text[], \(timestamps)::text[], \(subjectIds)::text[],
                        \(subjectSources)::text[], \(contents)::text[], \(originEvents)::text[], \(originTransforms)::text[])
                WITH ORDINALITY AS r(i, s, t, ts, sid, ss, c, o, tr, n)
            ORDER BY NULLIF(o, '')::bigint, n
            ON CONFLICT (cd_source, cd_id) DO NOTHING
            RETURNING cd_source, cd_id, origin_transform
            """
        var inserted: [(key: EventKey, transform: String?)] = []
        for try await (source, id, transform) in try await connection.query(query, logger: logger).decode((String, String, String?).self) {
            inserted.append((EventKey(source: source, id: id), transform))
        }
        return inserted
    }

    /// Answers when the database takes a query within `timeout`.
    public func ping(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            return try await withDeadline(timeout) {
                try await client.query("SELECT 1", logger: logger)
                return true
            }
        } catch {
            return false
        }
    }
}
