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

    /// Change failure rate defined, d1 (v1) and d2 (v2) stored and calculated; the calculator, which kept them.
    static func calculatedTwoVersions(_ client: PostgresClient) async throws -> MetricCalculator {
        try await Fixture.define("cfr", .changeFailureRate, client: client)
        let calculator = Fixture.calculator(client: client)
        try await Fixture.insert([deploy("d1", 10, commit: "v1"), deploy("d2", 11, commit: "v2")], client: client)
        try await calculator.catchUp()
        return calculator
    }

    /// Each stored deployment's (is_rollback, rolled_back), by CDEvent id.
    static func rollbackFacts(_ client: PostgresClient) async throws -> [String: (Bool, Bool)] {
        var facts: [String: (Bool, Bool)] = [:]
        let rows = try await client.query("SELECT cd_id, is_rollback, rolled_back FROM deployments", logger: TestDatabase.logger)
        for try await (id, isRollback, rolledBack) in rows.decode((String, Bool, Bool).self) { facts[id] = (isRollback, rolledBack) }
        return facts
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
            let facts = try await Self.rollbackFacts(client)
            #expect(facts["d1"].map { [$0.0, $0.1] } == [false, false])
            #expect(facts["d2"].map { [$0.0, $0.1] } == [false, true])
            #expect(facts["d3"].map { [$0.0, $0.1] } == [true, false])
            // Rollbacks are left out of the denominator: d1 and d2, of which d2 failed: 1 / 2.
            let headline = try await Fixture.headlines("cfr", client: client)[""]
            #expect(headline?.value == 0.5)
            #expect(headline?.samples == 2)
        }
    }

    @Test("a recompute in another process that leaves the cursor where it was still makes a calculator drop what it kept")
    func recomputeWithoutNewRowsDropsKeptState() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let a = try await Self.calculatedTwoVersions(client)
            // Retention deletes d2's CDEvent; a recompute (its own engine, as `pacer recompute` is its own process)
            // finds fewer CDEvents than facts and extracts everything again. No row follows the cursor: it stays.
            try await client.query("DELETE FROM cdevents_raw WHERE cd_id = 'd2'", logger: TestDatabase.logger)
            _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: nil)
            // d3 returns to v1. The history is now d1 (v1), d3 (v1): the same version twice, no rollback. Were A to
            // reuse the history it kept ([d1 v1, d2 v2]), d3 would return to v1 over d2: a rollback.
            try await Fixture.insert([Self.deploy("d3", 12, commit: "v1")], client: client)
            try await a.catchUp()
            let facts = try await Self.rollbackFacts(client)
            #expect(facts.keys.sorted() == ["d1", "d3"])
            #expect(facts["d3"].map { [$0.0, $0.1] } == [false, false])
            // Two deployments, none failed: 0 / 2.
            let headline = try await Fixture.headlines("cfr", client: client)[""]
            #expect(headline?.value == 0)
            #expect(headline?.samples == 2)
        }
    }

    @Test("the next batch finds what a batch kept: the cursor row names the transaction that moved it there")
    func keptStateFoundByTheNextBatch() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let a = try await Self.calculatedTwoVersions(client)
            // What the next step's lock reads: the position and the id of the transaction that last wrote the row.
            let rows = try await client.query(
                "SELECT last_xid::text, last_id, xmin::text FROM pipeline_cursors WHERE name = 'calculate'", logger: TestDatabase.logger
            ).decode((String, Int64, String).self)
            var found: (CursorPosition, Int64)?
            for try await (xid, id, writer) in rows { found = (CursorPosition(xid: Int64(xid) ?? 0, id: id), Int64(writer) ?? -1) }
            let (position, writer) = try #require(found)
            #expect(a.engine.facts.cache.take(at: position, writer: writer) != nil)
        }
    }
}
