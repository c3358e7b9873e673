import EventStore
import Foundation
import OperatorAPI
import Pipeline
import PostgresNIO
import TestSupport
import Testing

@Suite("Calculator: incremental == recompute", .enabled(if: TestDatabase.enabled))
struct RecomputeTests {
    typealias Fixture = MetricFixture

    @Test("events arriving in shuffled batches (late incidents, late deployments, late changes) give the rows a recompute gives")
    func incrementalEqualsRecompute() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let events = Fixture.history()
            try await Fixture.defineFourKeys(client: client)
            try await Fixture.define(
                "custom-p90", .custom, groupBy: [.app, .environment], selector: [:],
                custom: .init(types: ["dev.cdevents.change.merged.0.3.0"], aggregation: .count), client: client)
            // A deterministic shuffle, so later batches carry events older than earlier ones.
            var generator = SplitMix(seed: 42)
            let shuffled = events.shuffled(using: &generator)
            let calculator = Fixture.calculator(client: client, batchSize: 7)
            for start in stride(from: 0, to: shuffled.count, by: 40) {
                try await Fixture.insert(Array(shuffled[start..<min(start + 40, shuffled.count)]), client: client)
                try await calculator.catchUp()
            }
            let incremental = try await Fixture.dump(client: client)
            try await CalculatorTests.expectAllKeys(MetricReference(events: events), client: client)

            let summary = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: nil)
            #expect(summary.definitions.count == 5)
            let recomputed = try await Fixture.dump(client: client)
            #expect(incremental.count > 300)
            #expect(incremental == recomputed, "first difference: \(zip(incremental, recomputed).first { $0 != $1 }.map { "\($0.0) vs \($0.1)" } ?? "lengths \(incremental.count) vs \(recomputed.count)")")

            // One definition by name; an unknown one is a clear error.
            let one = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: "default/lt")
            #expect(one.definitions == ["default/lt"])
            #expect(try await Fixture.dump(client: client) == incremental)
            await #expect(throws: MetricCalculatorError.self) {
                try await MetricRecompute(client: client, logger: TestDatabase.logger).run(metric: "nope")
            }
        }
    }

    @Test("a definition added or changed later is computed in full; a deleted one loses its results")
    func definitionChanges() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let events = Fixture.history()
            try await Fixture.insert(events, client: client)
            let calculator = Fixture.calculator(client: client)
            try await calculator.catchUp()
            try await Fixture.defineFourKeys(client: client)
            try await calculator.catchUp()
            try await CalculatorTests.expectAllKeys(MetricReference(events: events), client: client)
            try await Fixture.define("df", .deploymentFrequency, groupBy: [], client: client)
            try await calculator.catchUp()
            #expect(try await Fixture.points("df", client: client).keys.allSatisfy { $0.group.isEmpty })
            try await PostgresConfigStore(client: client, logger: TestDatabase.logger).delete(.metricDefinitions, namespace: "default", name: "df")
            try await calculator.catchUp()
            #expect(try await Fixture.points("df", client: client).isEmpty)
            #expect(try await Fixture.headlines("df", client: client).isEmpty)
        }
    }
}

/// A small seeded generator for reproducible shuffles.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
