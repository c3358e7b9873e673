import EventStore
import Foundation
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Migration 8 upgrades a database computed under the old rule (an incident fails whatever deployment preceded it,
/// however old) in place: the calculator derives the facts again and the numbers follow the new rule.
@Suite("Migration 8: deployment failure", .enabled(if: TestDatabase.enabled))
struct FailureMigrationTests {
    typealias Fixture = MetricFixture

    @Test("a version-7 database with old facts and results: after migrating, the calculator gives the new rule's numbers and a recompute's rows")
    func upgradeInPlace() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            _ = try await Migrator(client: client, logger: TestDatabase.logger, migrations: Array(Migration.all.prefix { $0.version <= 7 })).migrate()
            let events = [
                Fixture.Event(id: "d1", kind: .deploy, time: Fixture.at(0, 9), app: "web", commit: "a"),
                // 50 days... here 3 days after d1 and with no deployment between: the old rule failed d1, the new
                // one (24 h window) does not.
                Fixture.Event(id: "i1", kind: .open, time: Fixture.at(3, 9), app: "web", subject: "x"),
                Fixture.Event(id: "d2", kind: .deploy, time: Fixture.at(4, 9), app: "web", commit: "b"),
            ]
            try await Fixture.insert(events, client: client)
            // The old facts and results, as the version-7 calculator left them (its cursor at the end).
            for sql in [
                """
                INSERT INTO deployments (deploy_id, time_created, deploy_name, cd_source, cd_id, deploy_type, app, environment, team, namespace, commit, failed)
                VALUES ('pkg:generic/default/web@a', '2026-02-02T09:00:00Z', 'web', '/test', 'd1', 'deployed', 'web', 'production', 'shop', 'default', 'a', true),
                       ('pkg:generic/default/web@b', '2026-02-06T09:00:00Z', 'web', '/test', 'd2', 'deployed', 'web', 'production', 'shop', 'default', 'b', false)
                """,
                "INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples) VALUES ('default', 'cfr', 'year', '2026-01-01T00:00:00Z', '', '{}', 0.5, 2)",
                """
                INSERT INTO pipeline_cursors (name, last_xid, last_id)
                SELECT 'calculate', ingest_xid, seq FROM cdevents_raw ORDER BY ingest_xid DESC, seq DESC LIMIT 1
                """,
            ] {
                try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            }
            let applied = try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            // Defined after migrating: the configuration store writes `cluster_wide` (migration 12).
            try await Fixture.define("cfr", .changeFailureRate, groupBy: [], selector: [:], client: client)
            #expect(applied.first == 8)  // and every later migration
            try await Fixture.calculator(client: client).catchUp()
            // By hand: two deployments, neither failed (the incident is 72 h after d1, outside the 24 h window).
            let year = Fixture.PointKey(bucket: "year", start: Date(timeIntervalSince1970: 1_767_225_600), group: "")
            #expect(try await Fixture.points("cfr", client: client)[year] == Fixture.Point(value: 0, samples: 2))
            let incremental = try await Fixture.dump(client: client)
            for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
                #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
            }
        }
    }
}
