import EventStore
import Foundation
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// The incremental calculator keeps what a batch read and judged for its next batch (``HistoryCache``), valid only
/// while the cursor is where that batch moved it. Two calculators on one database (two replicas, one after the other)
/// must each drop what the other made stale.
@Suite("Calculator: histories kept between batches", .enabled(if: TestDatabase.enabled))
struct HistoryCacheTests {
    typealias Fixture = MetricFixture
    typealias Event = MetricFixture.Event

    static func deploy(_ id: String, _ hour: Double, commit: String) -> Event {
        Event(id: id, kind: .deploy, time: Fixture.at(0, hour), app: "web", commit: commit)
    }

    @Test("two calculators take turns: a rollback judged by one sees the deployment the other added")
    func replicasTakeTurns() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("cfr", .changeFailureRate, client: client)
            let a = Fixture.calculator(client: client, batchSize: 1)
            let b = Fixture.calculator(client: client, batchSize: 1)
            // A judges d1 (v1), B then d2 (v2), A then d3, which returns to v1. Were A to reuse what it kept after d1,
            // it would judge d3 against [d1] alone: the same version right before it, no rollback.
            try await Fixture.insert([Self.deploy("d1", 10, commit: "v1")], client: client)
            try await a.catchUp()
            try await Fixture.insert([Self.deploy("d2", 11, commit: "v2")], client: client)
            try await b.catchUp()
            try await Fixture.insert([Self.deploy("d3", 12, commit: "v1")], client: client)
            try await a.catchUp()
            // d3 returns to v1 over d2: d3 is a rollback, d2 is rolled back (docs/metrics.md, "Change failure rate").
            var facts: [String: (Bool, Bool)] = [:]
            let rows = try await client.query("SELECT cd_id, is_rollback, rolled_back FROM deployments", logger: TestDatabase.logger)
            for try await (id, isRollback, rolledBack) in rows.decode((String, Bool, Bool).self) { facts[id] = (isRollback, rolledBack) }
            #expect(facts["d1"].map { [$0.0, $0.1] } == [false, false])
            #expect(facts["d2"].map { [$0.0, $0.1] } == [false, true])
            #expect(facts["d3"].map { [$0.0, $0.1] } == [true, false])
            // Rollbacks are left out of the denominator: d1 and d2, of which d2 failed: 1 / 2.
            let headline = try await Fixture.headlines("cfr", client: client)[""]
            #expect(headline?.value == 0.5)
            #expect(headline?.samples == 2)
        }
    }
}
