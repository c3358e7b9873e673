import EventStore
import Expressions
import Foundation
import OperatorAPI
import PacerCore
import PacerRules
import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Custom metrics with `has()`, arithmetic and conversions, computed by PostgreSQL: each value is worked out by hand in
/// a comment and checked against the in-memory evaluator (Expressions) over the same events.
@Suite("Calculator: custom metrics with has() and arithmetic", .enabled(if: TestDatabase.enabled))
struct CustomExpressionTests {
    typealias Fixture = MetricFixture
    static let type = "dev.cdevents.pipelinerun.finished.0.2.0"

    /// Day 25 (2026-02-27): inside the sample's two-week window ending at the fixture's "now".
    static let day = 25.0

    /// A pipelinerun.finished CDEvent at day 25 + `hour` with `outcome` and `customData` (nil: the event has none).
    static func run(_ id: String, hour: Double, outcome: String = "success", customData: [String: JSONValue]?) -> (row: CDEventRow, json: JSONValue) {
        let time = Fixture.at(day, hour)
        var event: [String: JSONValue] = [
            "context": .object([
                "specversion": "0.4.1", "id": .string(id), "source": "/ci", "type": .string(type),
                "timestamp": .string(RFC3339.format(time, fractionalDigits: 3)),
            ]),
            "subject": .object(["id": .string("run-\(id)"), "source": "/ci", "content": .object(["outcome": .string(outcome)])]),
        ]
        if let customData { event["customData"] = .object(customData) }
        let json = JSONValue.object(event)
        let row = CDEventRow(
            id: id, source: "/ci", type: type, timestamp: time, subjectId: "run-\(id)", subjectSource: "/ci", content: json.jsonString())
        return (row, json)
    }

    /// p1–p3: successful runs of 1,800, 3,600 and 5,400 s; p4: a failed run of 7,200 s; p5: successful, no
    /// durationSeconds; p6: successful, durationSeconds null (present, so has() is true, but double(null) fails);
    /// p7: successful, no customData at all (has(customData.x) fails). Extra fields: p1 `zero: 0`, `big: Int64.max`;
    /// p2 `zero: 2`; p3 `text: "2.5"`; p4 `text: "abc"`.
    static func history() -> [(row: CDEventRow, json: JSONValue)] {
        [
            run("p1", hour: 1, customData: ["team": "shop", "durationSeconds": .int(1_800), "zero": .int(0), "big": .int(Int64.max)]),
            run("p2", hour: 2, customData: ["team": "shop", "durationSeconds": .int(3_600), "zero": .int(2)]),
            run("p3", hour: 3, customData: ["team": "shop", "durationSeconds": .int(5_400), "text": "2.5"]),
            run("p4", hour: 4, outcome: "failure", customData: ["team": "shop", "durationSeconds": .int(7_200), "text": "abc"]),
            run("p5", hour: 5, customData: ["team": "shop"]),
            run("p6", hour: 6, customData: ["team": "shop", "durationSeconds": .null]),
            run("p7", hour: 7, customData: nil),
        ]
    }

    /// name, where, aggregation, field, the value by hand, the samples by hand.
    static let cases: [(String, String?, MetricDefinitionSpec.Aggregation, String?, Double, Int64)] = [
        // The shipped sample: successful runs with the field are p1–p3 and p6; p6's null has no value, so the
        // median of 0.5, 1.0 and 1.5 hours = 1.0 over 3 samples.
        ("sample-median", "subject.content.outcome == \"success\" && has(customData.durationSeconds)", .median,
         "double(customData.durationSeconds) / 3600.0", 1.0, 3),
        // has() is true for a null value: p1, p2, p3, p6 = 4.
        ("has-count", "subject.content.outcome == \"success\" && has(customData.durationSeconds)", .count, nil, 4, 4),
        // !has(): p5 only (p7 has no customData, so has() fails and so does its negation).
        ("not-has", "!has(customData.durationSeconds)", .count, nil, 1, 1),
        // Arithmetic in where: 3,600 / 60, 5,400 / 60, 7,200 / 60 are >= 60 (p2, p3, p4) = 3.
        ("minutes-at-least-60", "double(customData.durationSeconds) / 60.0 >= 60.0", .count, nil, 3, 3),
        // int() and integer division truncate: 1,800 / 3,600 = 0, 1, 1 (5,400 / 3,600), 2 = sum 4 over 4 samples.
        ("whole-hours", nil, .sum, "int(customData.durationSeconds) / 3600", 4, 4),
        // Division by zero has no value: p1 (zero 0) is left out, p2 gives 3,600 / 2 = 1,800.
        ("divide-by-field", nil, .sum, "double(customData.durationSeconds) / double(customData.zero)", 1_800, 1),
        // double() of a string: "2.5" reads, "abc" fails: avg 2.5 over 1 sample.
        ("string-to-double", nil, .avg, "double(customData.text)", 2.5, 1),
        // int overflow fails, || absorbs it: only p1 has big, and int(big) > 0 is true = 1.
        ("overflow-or-true", "int(customData.big) + 1 > 0 || int(customData.big) > 0", .count, nil, 1, 1),
        // Negation and parentheses: -(d - 3,600) / 60 for the successful p1–p3 = 30, 0, -30; p90 of [-30, 0, 30] is
        // 0 + 0.8 · 30 = 24.
        ("minutes-under-hour", "subject.content.outcome == 'success'", .p90,
         "-(double(customData.durationSeconds) - 3600.0) / 60.0", 24, 3),
        // A comparison between two arithmetic results: 2d > d + 3,600 when d > 3,600: p3 and p4 = 2.
        ("twice-over-plus-hour", "double(customData.durationSeconds) * 2.0 > double(customData.durationSeconds) + 3600.0",
         .count, nil, 2, 2),
        // A number against a path: d / 1,800 > zero for p1 (1 > 0); p2 (2 > 2) is not; the others have no zero = 1.
        ("number-vs-path", "int(customData.durationSeconds) / 1800 > customData.zero", .count, nil, 1, 1),
        // Conversions of literals: d · 0.5 + 2 for p1–p4 = 902 + 1,802 + 2,702 + 3,602 = 9,008 over 4 samples.
        ("literal-conversions", nil, .sum, "double(customData.durationSeconds) * double('0.5') + double(int('2'))", 9_008, 4),
        // A string ordering against a literal (by code point): "2.5" and "abc" are below "b" = 2; numbers never are.
        ("string-below-b", "customData.text < 'b' || customData.durationSeconds < 'b'", .count, nil, 2, 2),
    ]

    @Test("has(), arithmetic, int()/double() in where and field: values by hand, and the in-memory evaluator agrees")
    func handComputed() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            var accepted: [(String, MetricDefinitionSpec.Aggregation, CompiledExpression?, CompiledExpression?, Double, Int64)] = []
            for (name, condition, aggregation, field, value, samples) in Self.cases {
                let custom = MetricDefinitionSpec.Custom(types: [Self.type], where: condition, aggregation: aggregation, field: field)
                let spec = MetricDefinitionSpec(metric: .custom, window: "30d", buckets: [.day], groupBy: [], custom: custom)
                guard case .success(let compiled) = spec.compile(), let computed = compiled.custom else {
                    // Not computable: compile() refuses it (checked in PacerRulesTests); here every case must compile.
                    Issue.record("\(name) does not compile: \(spec.compile())")
                    continue
                }
                accepted.append((name, aggregation, computed.where, computed.field, value, samples))
                try await Fixture.define(name, .custom, groupBy: [], selector: [:], buckets: [.day], custom: custom, client: client)
            }
            let history = Self.history()
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            _ = try await client.withConnection { connection in try await store.insert(cdEvents: history.map(\.row), on: connection) }
            try await Fixture.calculator(client: client).catchUp()
            for (name, aggregation, condition, field, value, samples) in accepted {
                let headline = try await Fixture.headlines(name, client: client)[""]
                let got = try #require(headline?.value, "\(name): no headline value")
                #expect(abs(got - value) < 1e-9, "\(name): \(got) != \(value) (by hand)")
                #expect(headline?.samples == samples, "\(name): samples")
                let reference = Self.evaluate(history.map(\.json), where: condition, field: field, aggregation: aggregation)
                #expect(reference.samples == samples, "\(name): the evaluator selects \(reference.samples) samples")
                #expect(abs((reference.value ?? .nan) - got) < 1e-9, "\(name): evaluator \(String(describing: reference.value)) != SQL \(got)")
            }
            // The day point carries the same value (the one bucket holds every event).
            let day = try await Fixture.points("sample-median", client: client)
            #expect(day[Fixture.PointKey(bucket: "day", start: Fixture.at(Self.day), group: "")] == Fixture.Point(value: 1.0, samples: 3))
        }
    }

    /// The metric as the in-memory evaluator computes it: a `where` error skips the event, a `field` error, a
    /// non-number or a non-finite double skips the value (count counts the events that pass `where`).
    static func evaluate(
        _ events: [JSONValue], where condition: CompiledExpression?, field: CompiledExpression?, aggregation: MetricDefinitionSpec.Aggregation
    ) -> (value: Double?, samples: Int64) {
        var values: [Double] = []
        var passed: Int64 = 0
        for event in events {
            let activation = Activation.cdEvent(event)
            if let condition, (try? condition.evaluateBool(activation)) != true { continue }
            passed += 1
            guard let field else { continue }
            switch try? field.evaluate(activation) {
            case .int(let i)?: values.append(Double(i))
            // x / 0.0 is infinite in CEL; a metric value cannot be, and the calculator leaves it out.
            case .double(let d)? where d.isFinite: values.append(d)
            default: continue
            }
        }
        func percentile(_ p: Double) -> Double? {
            guard !values.isEmpty else { return nil }
            let sorted = values.sorted()
            let position = p * Double(sorted.count - 1)
            let low = Int(position.rounded(.down))
            let high = min(low + 1, sorted.count - 1)
            return sorted[low] + (position - Double(low)) * (sorted[high] - sorted[low])
        }
        switch aggregation {
        case .count: return (Double(passed), passed)
        case .countDistinct: return (nil, 0)
        case .sum: return (values.isEmpty ? nil : values.reduce(0, +), Int64(values.count))
        case .avg: return (values.isEmpty ? nil : values.reduce(0, +) / Double(values.count), Int64(values.count))
        case .median: return (percentile(0.5), Int64(values.count))
        case .p90: return (percentile(0.9), Int64(values.count))
        }
    }

    @Test("every MetricDefinition shipped in examples/ and examples/samples/ computes a headline value from a small history")
    func shippedSamplesCompute() async throws {
        var found: [(name: String, spec: JSONValue)] = []
        for folder in ["examples", "examples/samples"] {
            let directory = URL(fileURLWithPath: RepoPaths.root).appendingPathComponent(folder)
            let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "yaml" }.sorted { $0.path < $1.path }
            for file in files {
                for document in try YAML.documents(String(contentsOf: file, encoding: .utf8)) where document["kind"] == "MetricDefinition" {
                    let name = try #require(document["metadata"]?["name"]?.stringValue)
                    found.append((name, try #require(document["spec"])))
                }
            }
        }
        let definitions = found
        // The four keys and the custom sample at least.
        #expect(definitions.count >= 5)
        #expect(definitions.contains { $0.spec["metric"] == "custom" })
        try await TestDatabase.withFreshDatabase { client, _ in
            let configs = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            for (name, spec) in definitions {
                // What the reconciler runs: a definition the calculator cannot compute is not Ready.
                if case .failure(let errors) = MetricDefinitionSpec.compile(json: spec) {
                    Issue.record("\(name) is not Ready: \(errors)")
                }
                try await configs.upsert(.metricDefinitions, ConfigRecord(namespace: "default", name: name, uid: "uid-\(name)", generation: 1, spec: spec, ready: true))
            }
            // The four keys' history, and pipeline runs for the custom sample.
            try await Fixture.insert(Fixture.history(), client: client)
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            _ = try await client.withConnection { connection in try await store.insert(cdEvents: Self.history().map(\.row), on: connection) }
            try await Fixture.calculator(client: client).catchUp()
            for (name, _) in definitions {
                let headlines = try await Fixture.headlines(name, client: client)
                #expect(headlines[""]?.value != nil, "\(name): no headline value (\(headlines))")
                #expect(headlines.contains { $0.key != "" && $0.value.value != nil }, "\(name): no group has a value")
            }
        }
    }
}
