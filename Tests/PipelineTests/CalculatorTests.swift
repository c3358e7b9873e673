import EventStore
import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import Pipeline
import PostgresNIO
import TestSupport
import Testing

@Suite("Calculator: the four keys", .enabled(if: TestDatabase.enabled))
struct CalculatorTests {
    typealias Fixture = MetricFixture

    static func expectMatches(
        _ metric: MetricDefinitionSpec.Metric, name: String, reference: MetricReference, client: PostgresClient,
        buckets: [String] = ["day", "week", "month", "year"]
    ) async throws {
        let actual = try await Fixture.points(name, client: client)
        let expected = reference.points(metric, buckets: buckets)
        #expect(Set(actual.keys) == Set(expected.keys), "\(metric): bucket keys differ: missing \(Set(expected.keys).subtracting(actual.keys).map(\.description).sorted()), extra \(Set(actual.keys).subtracting(expected.keys).map(\.description).sorted())")
        for (key, point) in expected {
            guard let got = actual[key] else { continue }
            #expect(got.samples == point.samples, "\(metric) \(key): samples \(got.samples) != \(point.samples)")
            switch (got.value, point.value) {
            case (nil, nil): break
            case (let a?, let b?): #expect(abs(a - b) < 1e-9, "\(metric) \(key): value \(a) != \(b)")
            default: Issue.record("\(metric) \(key): value \(String(describing: got.value)) != \(String(describing: point.value))")
            }
        }
        let headlines = try await Fixture.headlines(name, client: client)
        let expectedHeadlines = reference.headlines(metric, now: Fixture.now)
        #expect(Set(headlines.keys) == Set(expectedHeadlines.keys), "\(metric): headline groups")
        for (group, want) in expectedHeadlines {
            guard let got = headlines[group] else { continue }
            #expect(got.samples == want.samples, "\(metric) headline [\(group)] samples")
            // spec.minSamples defaults to 5: fewer samples in the window give InsufficientData instead of a level.
            let wantLevel = want.samples < 5 ? "InsufficientData" : want.level
            #expect(got.level == wantLevel, "\(metric) headline [\(group)] level \(String(describing: got.level)) != \(String(describing: wantLevel))")
            switch (got.value, want.value) {
            case (nil, nil): break
            case (let a?, let b?): #expect(abs(a - b) < 1e-9, "\(metric) headline [\(group)] value \(a) != \(b)")
            default: Issue.record("\(metric) headline [\(group)]: \(String(describing: got.value)) != \(String(describing: want.value))")
            }
        }
    }

    static func expectAllKeys(_ reference: MetricReference, client: PostgresClient) async throws {
        try await expectMatches(.deploymentFrequency, name: "df", reference: reference, client: client)
        try await expectMatches(.leadTimeForChanges, name: "lt", reference: reference, client: client)
        try await expectMatches(.changeFailureRate, name: "cfr", reference: reference, client: client)
        try await expectMatches(.timeToRestore, name: "ttr", reference: reference, client: client)
    }

    @Test("each key per day/week/month/year bucket, per app and overall, selector applied, headline and level: as computed independently")
    func fourKeys() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let events = Fixture.history()
            try await Fixture.defineFourKeys(client: client)
            try await Fixture.insert(events, client: client)
            try await Fixture.calculator(client: client).catchUp()
            let reference = MetricReference(events: events)
            // The fixture is meaningful: every key has data in several buckets and groups.
            #expect(reference.frequency.count > 20)
            #expect(reference.failures.contains { $0.value == 1 } && reference.failures.contains { $0.value == 0 })
            #expect(reference.leadTimes.count > 10 && reference.restores.count >= 5)
            try await Self.expectAllKeys(reference, client: client)
            // Staging deployments are in the facts but not in the production series.
            let search = try await Fixture.points("df", client: client).keys.filter { $0.group == "app=search" }
            #expect(search.isEmpty)
            // The seed table keeps its columns filled.
            let seed = try await client.query(
                "SELECT count(*) FROM deployments WHERE deploy_id LIKE 'pkg:generic/default/%' AND deploy_name <> '' AND time_created IS NOT NULL",
                logger: TestDatabase.logger)
            for try await count in seed.decode(Int64.self) { #expect(count == Int64(events.filter { $0.kind == .deploy }.count)) }
        }
    }

    @Test("a late incident (after later deployments arrived) fails the earlier deployment and corrects its buckets")
    func lateIncident() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("cfr", .changeFailureRate, client: client)
            let calculator = Fixture.calculator(client: client)
            let d1 = Fixture.Event(id: "d1", kind: .deploy, time: Fixture.at(0, 9), app: "checkout", commit: "a")
            let d2 = Fixture.Event(id: "d2", kind: .deploy, time: Fixture.at(2, 9), app: "checkout", commit: "b")
            let d3 = Fixture.Event(id: "d3", kind: .deploy, time: Fixture.at(3, 9), app: "checkout", commit: "c")
            try await Fixture.insert([d1, d2, d3], client: client)
            try await calculator.catchUp()
            let dayOne = Fixture.PointKey(bucket: "day", start: Fixture.at(0), group: "app=checkout")
            let week = Fixture.PointKey(bucket: "week", start: Fixture.at(0), group: "")
            var points = try await Fixture.points("cfr", client: client)
            #expect(points[dayOne] == Fixture.Point(value: 0, samples: 1))
            #expect(points[week] == Fixture.Point(value: 0, samples: 3))
            // 21 h after d1: inside the default 24 h attribution window, while d1 is the latest deployment.
            let incident = Fixture.Event(id: "i1", kind: .open, time: Fixture.at(1, 6), app: "checkout", subject: "x")
            try await Fixture.insert([incident], client: client)
            try await calculator.catchUp()
            points = try await Fixture.points("cfr", client: client)
            #expect(points[dayOne] == Fixture.Point(value: 1, samples: 1))
            #expect(points[Fixture.PointKey(bucket: "day", start: Fixture.at(2), group: "app=checkout")] == Fixture.Point(value: 0, samples: 1))
            #expect(points[week]?.samples == 3)
            #expect(abs((points[week]?.value ?? 0) - 1.0 / 3.0) < 1e-12)
            // A deployment arriving late between d1 and the incident takes the failure over from d1.
            let late = Fixture.Event(id: "d0", kind: .deploy, time: Fixture.at(1, 3), app: "checkout", commit: "z")
            try await Fixture.insert([late], client: client)
            try await calculator.catchUp()
            points = try await Fixture.points("cfr", client: client)
            #expect(points[dayOne] == Fixture.Point(value: 0, samples: 1))
            #expect(points[Fixture.PointKey(bucket: "day", start: Fixture.at(1), group: "app=checkout")] == Fixture.Point(value: 1, samples: 1))
        }
    }

    @Test("custom metrics: where with ||, !, in, orderings (same JSON type only), and refused forms get no results")
    func customWhereForms() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let deployed = ["dev.cdevents.service.deployed.0.3.0"]
            func define(_ name: String, _ condition: String) async throws {
                try await Fixture.define(
                    name, .custom, groupBy: [], selector: [:], buckets: [.day],
                    custom: .init(types: deployed, where: condition, aggregation: .count), client: client)
            }
            try await define("slow-or-staging", "customData.durationSeconds > 15 || customData.environment == 'staging'")
            try await define("small-or-not-prod", "!(customData.environment in ['production']) || customData[\"durationSeconds\"] <= 5.0")
            try await define("string-below-number", "customData.environment < 5")
            try await define("arithmetic", "customData.durationSeconds + 1 > 2")
            try await Fixture.insert(Self.timedDeployments(), client: client)
            try await Fixture.calculator(client: client).catchUp()
            let day0 = Fixture.PointKey(bucket: "day", start: Fixture.at(0), group: "")
            let day1 = Fixture.PointKey(bucket: "day", start: Fixture.at(1), group: "")
            // Day 0: 10 s and 20 s in production, 1,000 s in staging; day 1: 60 s and 5 s in production.
            let slow = try await Fixture.points("slow-or-staging", client: client)
            #expect(slow[day0] == Fixture.Point(value: 2, samples: 2))
            #expect(slow[day1] == Fixture.Point(value: 1, samples: 1))
            let small = try await Fixture.points("small-or-not-prod", client: client)
            #expect(small[day0] == Fixture.Point(value: 1, samples: 1))
            #expect(small[day1] == Fixture.Point(value: 1, samples: 1))
            // jsonb orders strings below numbers; CEL would not compare them (an error), and neither does the calculator.
            #expect(try await Fixture.points("string-below-number", client: client).isEmpty)
            // Arithmetic on a field whose type is only known per event (durationSeconds is a double here, and CEL does
            // not add a double and an int) is refused by compile(): the definition is not Ready and gets no results.
            #expect(try await Fixture.points("arithmetic", client: client).isEmpty)
            #expect(try await APipeline.count("SELECT count(*) FROM metric_computed WHERE name = 'arithmetic'", client) == 0)
        }
    }

    @Test("custom metrics: count and avg/p90 of a customData field, with a where clause")
    func customMetric() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define(
                "deploys", .custom, groupBy: [], selector: [:], buckets: [.day],
                custom: .init(types: ["dev.cdevents.service.deployed.0.3.0"], aggregation: .count), client: client)
            try await Fixture.define(
                "duration", .custom, groupBy: [.app], selector: [:], buckets: [.day],
                custom: .init(types: ["dev.cdevents.service.deployed.0.3.0"], where: "customData.environment == \"production\"",
                              aggregation: .avg, field: "customData.durationSeconds", unit: "seconds"), client: client)
            try await Fixture.insert(Self.timedDeployments(), client: client)
            try await Fixture.calculator(client: client).catchUp()
            let counts = try await Fixture.points("deploys", client: client)
            #expect(counts[Fixture.PointKey(bucket: "day", start: Fixture.at(0), group: "")] == Fixture.Point(value: 3, samples: 3))
            let durations = try await Fixture.points("duration", client: client)
            #expect(durations[Fixture.PointKey(bucket: "day", start: Fixture.at(0), group: "app=checkout")] == Fixture.Point(value: 15, samples: 2))
            #expect(durations[Fixture.PointKey(bucket: "day", start: Fixture.at(1), group: "")] == Fixture.Point(value: 32.5, samples: 2))
            let headline = try await Fixture.headlines("duration", client: client)
            #expect(headline[""]?.value == 23.75)
            #expect(headline[""]?.level == nil)
        }
    }

    /// Deployments of checkout with `customData.durationSeconds`: day 0 at 09:00 and 10:00 (10 s, 20 s), day 1 at
    /// 11:00 and 12:00 (60 s, 5 s), all in production, and one of 1,000 s in staging on day 0 at 01:00.
    static func timedDeployments() -> [Fixture.Event] {
        var events: [Fixture.Event] = []
        for (index, seconds) in [10.0, 20, 60, 5].enumerated() {
            var event = Fixture.Event(id: "d\(index)", kind: .deploy, time: Fixture.at(Double(index / 2), 9 + Double(index)), app: "checkout")
            event.number = seconds
            events.append(event)
        }
        var staging = Fixture.Event(id: "s", kind: .deploy, time: Fixture.at(0, 1), app: "checkout", environment: "staging")
        staging.number = 1_000
        events.append(staging)
        return events
    }
}
