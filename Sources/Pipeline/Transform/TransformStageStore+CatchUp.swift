import EventStore
import Foundation
import Logging
import PacerCore
import PostgresNIO

/// One route version's catch-up: the stored CloudEvents up to `upto` (routed before this version existed) are
/// routed through it alone, after `position` (a row of `pipeline_route_catchups`).
struct RouteCatchUp: Sendable, Hashable {
    var namespace: String
    var name: String
    var version: String
    var upto: CursorPosition
    var position: CursorPosition
    var key: String { "\(namespace)/\(name)" }
}

/// The SQL of the route catch-up (docs/pipeline.md, "Routes that arrive after their events").
extension TransformStageStore {
    /// Records the Ready routes of a newly loaded configuration: a route (`namespace/name`) not seen before, or
    /// seen in another version, starts a catch-up up to the stage's cursor (locked, so no batch commits in
    /// between: every event up to it was routed without this version, every later one will be routed with it);
    /// rows of routes that are no longer Ready are removed, so a route that comes back catches up again.
    /// Returns the catch-ups started.
    func registerRoutes(_ routes: [(namespace: String, name: String, version: String)]) async throws -> Int {
        let (logger, cursor, stage) = (self.logger, self.cursor, self.cursor.name)
        let namespaces = routes.map(\.namespace)
        let names = routes.map(\.name)
        let versions = routes.map(\.version)
        return try await client.withTransaction(logger: logger) { connection -> Int in
            let upto = try await cursor.lock(on: connection)
            try await connection.query(
                """
                DELETE FROM pipeline_route_catchups
                WHERE stage = \(stage)
                  AND (namespace, name) NOT IN (SELECT ns, n FROM unnest(\(namespaces)::text[], \(names)::text[]) AS r(ns, n))
                """, logger: logger)
            // Nothing stored before it (a fresh stage): the catch-up is done as it starts.
            let rows = try await connection.query(
                """
                INSERT INTO pipeline_route_catchups AS c (stage, namespace, name, version, upto_xid, upto_id, finished_at)
                SELECT \(stage), ns, n, v, \(String(upto.xid))::xid8, \(upto.id),
                       CASE WHEN \(upto.id) = 0 THEN now() END
                FROM unnest(\(namespaces)::text[], \(names)::text[], \(versions)::text[]) AS r(ns, n, v)
                ON CONFLICT (stage, namespace, name) DO UPDATE SET
                    version = EXCLUDED.version, upto_xid = EXCLUDED.upto_xid, upto_id = EXCLUDED.upto_id,
                    pos_xid = '0', pos_id = 0, started_at = now(), finished_at = EXCLUDED.finished_at
                WHERE c.version <> EXCLUDED.version
                RETURNING finished_at IS NULL
                """, logger: logger
            ).decode(Bool.self)
            var started = 0
            for try await pending in rows where pending { started += 1 }
            return started
        }
    }

    /// The unfinished catch-ups of this stage, oldest first.
    func pendingCatchUps() async throws -> [RouteCatchUp] {
        let rows = try await client.query(
            """
            SELECT namespace, name, version, upto_xid::text, upto_id, pos_xid::text, pos_id FROM pipeline_route_catchups
            WHERE stage = \(cursor.name) AND finished_at IS NULL
            ORDER BY started_at, namespace, name
            """, logger: logger
        ).decode((String, String, String, String, Int64, String, Int64).self)
        var pending: [RouteCatchUp] = []
        for try await (namespace, name, version, uptoXid, uptoId, posXid, posId) in rows {
            pending.append(
                RouteCatchUp(
                    namespace: namespace, name: name, version: version, upto: CursorPosition(xid: Int64(uptoXid) ?? 0, id: uptoId),
                    position: CursorPosition(xid: Int64(posXid) ?? 0, id: posId)))
        }
        return pending
    }

    /// Up to `limit` CloudEvents after the catch-up's position and at most its `upto`, in commit order (all of them
    /// of ended transactions: they are behind the stage's cursor).
    func cloudEvents(for catchUp: RouteCatchUp, limit: Int) async throws -> [RawCloudEventRecord] {
        let (from, upto) = (catchUp.position, catchUp.upto)
        let rows = try await client.query(
            """
            SELECT event_id, ingest_xid::text, event_timestamp, content::text FROM cloudevents_raw
            WHERE (ingest_xid, event_id) > (\(String(from.xid))::xid8, \(from.id))
              AND (ingest_xid, event_id) <= (\(String(upto.xid))::xid8, \(upto.id))
            ORDER BY ingest_xid, event_id
            LIMIT \(limit)
            """, logger: logger
        ).decode((Int64, String, Date, String).self)
        return try await Self.records(rows, capacity: limit)
    }

    /// In one transaction, when the catch-up row is still at `catchUp.position` in the same version (locked):
    /// writes the batch's outputs as ``commitTransformBatch`` does and moves the catch-up to `next` (finished when
    /// `next` is nil or reaches `upto`). Returns the CDEvents inserted, or nil when another replica moved the
    /// catch-up or the route changed (nothing written).
    func commitCatchUpBatch(
        _ catchUp: RouteCatchUp, next: CursorPosition?, produced: [ProducedCDEvent], errors: [PipelineFailure],
        routeMatches: [String: EventRouter.RouteMatches]
    ) async throws -> Int? {
        let (logger, stage) = (self.logger, self.cursor.name)
        return try await client.withTransaction(logger: logger) { connection -> Int? in
            let rows = try await connection.query(
                """
                SELECT version, pos_xid::text, pos_id FROM pipeline_route_catchups
                WHERE stage = \(stage) AND namespace = \(catchUp.namespace) AND name = \(catchUp.name) AND finished_at IS NULL
                FOR UPDATE
                """, logger: logger
            ).decode((String, String, Int64).self)
            var current: (version: String, position: CursorPosition)?
            for try await (version, xid, id) in rows { current = (version, CursorPosition(xid: Int64(xid) ?? 0, id: id)) }
            guard let current, current.version == catchUp.version, current.position == catchUp.position else { return nil }
            let insertedBy = try await Self.insert(produced, on: connection, logger: logger)
            try await Self.insert(errors, on: connection, logger: logger)
            try await Self.addStats(produced: insertedBy, errors: errors, on: connection, logger: logger)
            try await Self.addRouteStats(routeMatches, on: connection, logger: logger)
            let to = next ?? catchUp.upto
            let finished = next == nil || to == catchUp.upto
            try await connection.query(
                """
                UPDATE pipeline_route_catchups
                SET pos_xid = \(String(to.xid))::xid8, pos_id = \(to.id), finished_at = CASE WHEN \(finished) THEN now() END
                WHERE stage = \(stage) AND namespace = \(catchUp.namespace) AND name = \(catchUp.name)
                """, logger: logger)
            return insertedBy.values.reduce(0, +)
        }
    }
}
