import EventStore
import Foundation
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// A full fact rebuild drops the fact tables' keys and indexes and must leave exactly those the migrations made.
@Suite("Calculator fact indexes", .enabled(if: TestDatabase.enabled))
struct FactIndexTests {
    @Test("a full rebuild recreates exactly the keys and secondary indexes the migrations created")
    func rebuildRecreatesTheMigratedIndexes() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let migrated = try await Self.indexes(client)
            // Migration 5: 9 secondary indexes and 5 primary keys on the five fact tables; migration 8: one more (migration 15 replaces one).
            #expect(migrated.count == 15)
            let facts = MetricFactStore(logger: TestDatabase.logger)
            try await client.withTransaction(logger: TestDatabase.logger) { connection in
                try await facts.rebuild(upTo: .start, keeping: nil, on: connection)
            }
            #expect(try await Self.indexes(client) == migrated)
        }
    }

    @Test("the stored reports are read in the pass's order (app, environment, time, source and id in byte order) from deployments_app_env_time, without a sort")
    func reportsInIndexOrder() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let source = MetricFactStore.ReportSource.stored
            let plan = try await client.withTransaction(logger: TestDatabase.logger) { connection in
                // The fresh table is empty: the planner would scan it whole; the index's order is what is checked.
                try await connection.query("SET LOCAL enable_seqscan = off", logger: TestDatabase.logger)
                var lines: [String] = []
                let explain = PostgresQuery(unsafeSQL: "EXPLAIN \(source.select) ORDER BY \(source.order)")
                for try await line in try await connection.query(explain, logger: TestDatabase.logger).decode(String.self) { lines.append(line) }
                return lines.joined(separator: "\n")
            }
            #expect(plan.contains("Index Scan using deployments_app_env_time on deployments"), "\(plan)")
            #expect(!plan.contains("Sort"), "\(plan)")
        }
    }

    @Test("a full recompute swaps in a points table shaped as migrated (columns, defaults, storage, key, check, others' privileges), over one a failed recompute left")
    func recomputeSwapsInAMigratedPointsTable() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let migrated = try await Self.pointsShape(client)
            // Migration 4's key and bucket check, migration 14's day_values stored uncompressed out of line (e).
            #expect(migrated.contains("index metric_points_pkey CREATE UNIQUE INDEX metric_points_pkey ON public.metric_points USING btree (namespace, name, bucket, group_key, bucket_start)"))
            #expect(migrated.contains { $0.hasPrefix("constraint metric_points_bucket_check c CHECK ") })
            #expect(migrated.contains("column day_values double precision[] null e "))
            #expect(migrated.contains("column labels jsonb not null x '{}'::jsonb"))
            // A dashboard's read-only role (roles are the cluster's: a name of this test's own, dropped at the end).
            let reader = "pacer_points_reader_\(UInt32.random(in: 0...UInt32.max))"
            try await client.query(PostgresQuery(unsafeSQL: "CREATE ROLE \(reader)"), logger: TestDatabase.logger)
            try await client.query(PostgresQuery(unsafeSQL: "GRANT SELECT ON metric_points TO \(reader)"), logger: TestDatabase.logger)
            // What a recompute that failed after staging its points leaves behind, with an index named as a staged key.
            try await client.query("CREATE TABLE metric_points_next (junk int PRIMARY KEY)", logger: TestDatabase.logger)
            try await client.query(#"ALTER INDEX metric_points_next_pkey RENAME TO metric_points_next_0"#, logger: TestDatabase.logger)
            try await MetricFixture.defineFourKeys(client: client)
            try await MetricFixture.insert(MetricFixture.history(), client: client)
            for fromEvents in [true, false] {
                _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { MetricFixture.now }).run(metric: nil, fromEvents: fromEvents)
                #expect(try await Self.pointsShape(client) == migrated)
                let staged = try await client.query("SELECT count(*) FROM pg_class WHERE relname LIKE 'metric_points_next%'", logger: TestDatabase.logger)
                for try await count in staged.decode(Int64.self) { #expect(count == 0) }
                let granted = try await client.query(
                    PostgresQuery(unsafeSQL: """
                        SELECT has_table_privilege('\(reader)', 'metric_points', 'SELECT'), has_table_privilege('\(reader)', 'metric_points', 'INSERT')
                        """), logger: TestDatabase.logger)
                for try await (select, insert) in granted.decode((Bool, Bool).self) {
                    #expect(select)
                    #expect(!insert)
                }
            }
            try await client.query(PostgresQuery(unsafeSQL: "DROP OWNED BY \(reader)"), logger: TestDatabase.logger)
            try await client.query(PostgresQuery(unsafeSQL: "DROP ROLE \(reader)"), logger: TestDatabase.logger)
            // The points are there: the four keys over the fixture's history.
            let rows = try await client.query("SELECT count(DISTINCT name) FROM metric_points", logger: TestDatabase.logger)
            for try await names in rows.decode(Int64.self) { #expect(names == 4) }
        }
    }

    @Test("a recompute that keeps the extracted facts leaves lead_times with statistics, analyzing it only when it has none")
    func keptRecomputeAnalyzesLeadTimesWithoutStatistics() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await client.query("ALTER TABLE lead_times SET (autovacuum_enabled = false)", logger: TestDatabase.logger)
            try await MetricFixture.calculateHistory(client: client, batchSize: 50)
            func statistics() async throws -> Int64 {
                let rows = try await client.query("SELECT count(*) FROM pg_stats WHERE tablename = 'lead_times'", logger: TestDatabase.logger)
                for try await count in rows.decode(Int64.self) { return count }
                return -1
            }
            // The test role is a superuser (make test's cluster): the statistics can be removed.
            try await client.query("DELETE FROM pg_statistic WHERE starelid = 'lead_times'::regclass", logger: TestDatabase.logger)
            #expect(try await statistics() == 0)
            _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { MetricFixture.now }).run(metric: nil)
            // All 11 columns of lead_times.
            #expect(try await statistics() == 11)
        }
    }

    @Test("a full recompute keeps a view made by hand over metric_points, replacing the points in place")
    func recomputeKeepsAViewOverThePoints() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await MetricFixture.calculateHistory(client: client, batchSize: 50)
            let before = try await MetricFixture.dump(client: client)
            try await client.query("CREATE VIEW points_by_name AS SELECT name, count(*) AS points FROM metric_points GROUP BY name", logger: TestDatabase.logger)
            _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { MetricFixture.now }).run(metric: nil)
            #expect(try await MetricFixture.dump(client: client) == before)
            let rows = try await client.query("SELECT count(*), sum(points)::int8 FROM points_by_name", logger: TestDatabase.logger)
            for try await (names, points) in rows.decode((Int64, Int64).self) {
                #expect(names == 4)
                #expect(points > 0)
            }
            let staged = try await client.query("SELECT count(*) FROM pg_class WHERE relname LIKE 'metric_points_next%'", logger: TestDatabase.logger)
            for try await count in staged.decode(Int64.self) { #expect(count == 0) }
        }
    }

    /// `metric_points`' columns (name, type, nullability, storage, default), indexes and constraints, one line each.
    static func pointsShape(_ client: PostgresClient) async throws -> Set<String> {
        var lines: Set<String> = []
        let rows = try await client.query(
            """
            SELECT 'column ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null ' ELSE ' null ' END
                   || a.attstorage::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = 'metric_points'::regclass AND a.attnum > 0 AND NOT a.attisdropped
            UNION ALL
            SELECT 'index ' || indexname || ' ' || indexdef FROM pg_indexes WHERE tablename = 'metric_points'
            UNION ALL
            SELECT 'constraint ' || conname || ' ' || contype::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'metric_points'::regclass
            """, logger: TestDatabase.logger)
        for try await line in rows.decode(String.self) { lines.insert(line) }
        return lines
    }

    /// `indexdef` of the fact tables' indexes (primary keys included), by name.
    static func indexes(_ client: PostgresClient) async throws -> [String: String] {
        var result: [String: String] = [:]
        let rows = try await client.query(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename IN ('deployments', 'changes', 'incident_events', 'incidents', 'lead_times') 
            """, logger: TestDatabase.logger)
        for try await (name, definition) in rows.decode((String, String).self) { result[name] = definition }
        return result
    }
}
