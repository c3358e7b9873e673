import Foundation
import OperatorAPI
import PacerRules
@testable import PacerApp
import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// `spec.minSamples` (docs/metrics.md, "Honest levels"): no DORA level from fewer samples in the window; the level is
/// `InsufficientData`, the value is still computed, and `status.samples` says how many there were.
@Suite("Calculator: honest levels (spec.minSamples) and status.samples", .enabled(if: TestDatabase.enabled))
struct MinSamplesTests {
    typealias Fixture = MetricFixture

    /// `days` days and one hour before the fixed clock.
    static func ago(_ days: Double) -> Date { Fixture.now.addingTimeInterval(-(days * 86_400 + 3_600)) }

    static func deploy(_ id: String, app: String, daysAgo: Double) -> Fixture.Event {
        Fixture.Event(id: id, kind: .deploy, time: ago(daysAgo), app: app)
    }

    @Test("deployment frequency: 4 deployments give InsufficientData, 5 a level; the status carries samples per group")
    func frequencyFloor() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("df", .deploymentFrequency, client: client)
            // a: one deployment in each of the window's four weeks (4 deployments).
            // b: the same plus a second day in the latest week (5 deployments).
            let events = [
                Self.deploy("a1", app: "a", daysAgo: 1), Self.deploy("a2", app: "a", daysAgo: 8), Self.deploy("a3", app: "a", daysAgo: 15),
                Self.deploy("a4", app: "a", daysAgo: 22),
                Self.deploy("b1", app: "b", daysAgo: 1), Self.deploy("b2", app: "b", daysAgo: 2), Self.deploy("b3", app: "b", daysAgo: 8),
                Self.deploy("b4", app: "b", daysAgo: 15), Self.deploy("b5", app: "b", daysAgo: 22),
            ]
            try await Fixture.insert(events, client: client)
            let publisher = RecordingPublisher()
            let calculator = MetricStatusTests.calculator(client: client, publisher: publisher, statusInterval: .zero)
            try await calculator.catchUp()
            await calculator.flushStatuses()
            let headlines = try await Fixture.headlines("df", client: client)
            // a: days per week [1, 1, 1, 1], median 1 (High by value) but 4 < 5 deployments.
            #expect(headlines["app=a"]?.value == 1)
            #expect(headlines["app=a"]?.samples == 4)
            #expect(headlines["app=a"]?.level == "InsufficientData")
            // b: [2, 1, 1, 1], median 1 day/week: High, from 5 deployments.
            #expect(headlines["app=b"]?.value == 1)
            #expect(headlines["app=b"]?.samples == 5)
            #expect(headlines["app=b"]?.level == "High")
            // All: the latest week has days 1 and 2 ago (2 days), the others one each: median 1, High, 9 deployments.
            #expect(headlines[""]?.value == 1)
            #expect(headlines[""]?.samples == 9)
            #expect(headlines[""]?.level == "High")

            let status = try #require(publisher.statuses("default/df").last)
            #expect(status.level == "High")
            #expect(status.samples == 9)
            #expect(status.groups?.map(\.labels) == [["app": "a"], ["app": "b"]])
            #expect(status.groups?.map(\.level) == ["InsufficientData", "High"])
            #expect(status.groups?.map(\.samples) == [4, 5])
        }
    }

    @Test("nothing to count: the overall headline has no value, 0 samples and InsufficientData, not a level")
    func nothingYet() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("lt", .leadTimeForChanges, client: client)
            try await Fixture.define("df", .deploymentFrequency, client: client)
            // Day one: a single deployment carrying no known change.
            try await Fixture.insert([Self.deploy("d1", app: "a", daysAgo: 0)], client: client)
            let publisher = RecordingPublisher()
            let calculator = MetricStatusTests.calculator(client: client, publisher: publisher, statusInterval: .zero)
            try await calculator.catchUp()
            await calculator.flushStatuses()
            let lead = try #require(try await Fixture.headlines("lt", client: client)[""])
            #expect(lead.value == nil)
            #expect(lead.samples == 0)
            #expect(lead.level == "InsufficientData")
            // Frequency: weeks [1, 0, 0, 0], median 0 days/week (Medium by its 1 deployment per 30 days), 1 deployment.
            let frequency = try #require(publisher.statuses("default/df").last)
            #expect(frequency.numericValue == 0)
            #expect(frequency.samples == 1)
            #expect(frequency.level == "InsufficientData")
        }
    }

    @Test("minSamples 1: one deployment without failure is Elite; the default 5 says InsufficientData for the same history")
    func explicitMinimum() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("cfr-1", .changeFailureRate, minSamples: 1, client: client)
            try await Fixture.define("cfr-default", .changeFailureRate, client: client)
            try await Fixture.insert([Self.deploy("d1", app: "a", daysAgo: 3)], client: client)
            try await Fixture.calculator(client: client).catchUp()
            // 0 failed of 1: 0 % (≤ 5 %: Elite).
            let one = try #require(try await Fixture.headlines("cfr-1", client: client)[""])
            #expect(one.value == 0)
            #expect(one.samples == 1)
            #expect(one.level == "Elite")
            let floored = try #require(try await Fixture.headlines("cfr-default", client: client)[""])
            #expect(floored.value == 0)
            #expect(floored.level == "InsufficientData")
        }
    }
}

@Suite("spec.minSamples validation")
struct MinSamplesSpecTests {
    static func errors(_ spec: MetricDefinitionSpec) -> [String] {
        switch spec.compile() {
        case .success: return []
        case .failure(let errors): return errors.errors.map(\.description)
        }
    }

    @Test("default 5; 1…1,000,000; refused where there are no levels")
    func validation() throws {
        #expect(try MetricDefinitionSpec(metric: .leadTimeForChanges).compile().get().minSamples == 5)
        #expect(try MetricDefinitionSpec(metric: .timeToRestore, minSamples: 12).compile().get().minSamples == 12)
        #expect(Self.errors(MetricDefinitionSpec(metric: .deploymentFrequency, minSamples: 0)) == ["spec.minSamples: must be between 1 and 1000000, got 0"])
        #expect(Self.errors(MetricDefinitionSpec(metric: .deploymentReworkRate, minSamples: 3)) == [
            "spec.minSamples: is only allowed for metrics with DORA levels (metric is deploymentReworkRate, which has none)"
        ])
        let custom = MetricDefinitionSpec.Custom(types: ["dev.cdevents.service.deployed.0.3.0"], aggregation: .count)
        #expect(Self.errors(MetricDefinitionSpec(metric: .custom, custom: custom, minSamples: 3)).contains {
            $0.hasPrefix("spec.minSamples: is only allowed for metrics with DORA levels")
        })
    }
}
