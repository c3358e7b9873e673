import Foundation
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// The points a full computation derives in memory (``MemoryPoints``), on samples small enough to compute by hand.
/// (That they equal the SQL path's rows on realistic histories is checked by every `recomputedDumps` comparison.)
@Suite("Calculator: points computed in memory")
struct MemoryPointsTests {
    /// Microseconds of a UTC time.
    static func at(_ text: String) -> Int64 {
        Int64((RFC3339.parse(text)!.timeIntervalSince1970 * 1_000_000).rounded())
    }

    static func dimensions(_ app: String, _ environment: String = "production", namespace: String = "default") -> PointSamples.Dimensions {
        PointSamples.Dimensions(app: app, environment: environment, team: "t", namespace: namespace, cluster: "c")
    }

    /// 2026-03-02 is a Monday. App a (production): a good deployment on Mon 2 Mar, a failed rollout on Wed 4 Mar, one
    /// with an incident opened 60 s later on Sun 8 Mar 23:00 (within the default attribution window), a duplicate
    /// report on Mon 9 Mar, a rollback on Tue 10 Mar, and one whose next opening came 10^9 s later (outside the window)
    /// on Wed 11 Mar. App b: a good deployment on Tue 3 Mar in production, one in staging (the selector leaves it
    /// out), and one in another namespace (a namespaced definition leaves it out).
    static func samples() -> PointSamples {
        var samples = PointSamples()
        typealias Facts = DeploymentHistoryPass.Facts
        samples.deployment(time: at("2026-03-02T10:00:00Z"), dimensions("a"), rolloutFailed: false, Facts())
        samples.deployment(time: at("2026-03-04T10:00:00Z"), dimensions("a"), rolloutFailed: true, Facts())
        samples.deployment(time: at("2026-03-08T23:00:00Z"), dimensions("a"), rolloutFailed: false, Facts(openGap: 60))
        samples.deployment(time: at("2026-03-09T10:00:00Z"), dimensions("a"), rolloutFailed: false, Facts(duplicate: true))
        samples.deployment(time: at("2026-03-10T10:00:00Z"), dimensions("a"), rolloutFailed: false, Facts(isRollback: true))
        samples.deployment(time: at("2026-03-11T10:00:00Z"), dimensions("a"), rolloutFailed: false, Facts(openGap: 1e9))
        samples.deployment(time: at("2026-03-03T10:00:00Z"), dimensions("b"), rolloutFailed: false, Facts())
        samples.deployment(time: at("2026-03-03T11:00:00Z"), dimensions("b", "staging"), rolloutFailed: true, Facts())
        samples.deployment(time: at("2026-03-03T12:00:00Z"), dimensions("b", namespace: "other"), rolloutFailed: true, Facts())
        // Lead times: a's deployment of Mon 2 Mar carried changes of 1, 5 and 2 hours, that of Wed 4 Mar one of 10
        // hours; b's of Tue 3 Mar one of 4 hours, and its staging one a change of 100 hours.
        for hours in [1.0, 5.0, 2.0] { samples.leadTime(time: at("2026-03-02T10:00:00Z"), dimensions("a"), hours: hours) }
        samples.leadTime(time: at("2026-03-04T10:00:00Z"), dimensions("a"), hours: 10)
        samples.leadTime(time: at("2026-03-03T10:00:00Z"), dimensions("b"), hours: 4)
        samples.leadTime(time: at("2026-03-03T11:00:00Z"), dimensions("b", "staging"), hours: 100)
        // Restores (resolved incidents, at their resolution): a's of 1 hour and b's of 3 hours on Thu 5 Mar, a's of
        // 8 hours on Sun 1 Mar (the week before).
        samples.restore(time: at("2026-03-05T10:00:00Z"), dimensions("a"), hours: 1)
        samples.restore(time: at("2026-03-05T12:00:00Z"), dimensions("b"), hours: 3)
        samples.restore(time: at("2026-03-01T12:00:00Z"), dimensions("a"), hours: 8)
        return samples
    }

    /// The rows written for a definition, as `bucket start group_key labels value samples`, then the day values when
    /// written (a median's day points), sorted.
    static func points(_ metric: MetricDefinitionSpec.Metric, buckets: [MetricDefinitionSpec.Bucket], groupBy: [MetricDefinitionSpec.GroupBy] = [.app]) throws -> [String] {
        let spec = MetricDefinitionSpec(metric: metric, window: "30d", buckets: buckets, groupBy: groupBy, selector: ["environment": "production"])
        let plan = try MetricPlan(namespace: "default", name: "m", spec: try JSONValue(encoding: spec), clusterWide: false)
        var text = COPYText()
        MemoryPoints.write(plan, try #require(plan.inMemory), samples: samples(), to: &text)
        let all = text.allChunks.map { String(buffer: $0) }.joined()
        return all.split(separator: "\n").map { line in
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(fields.count == 9 && fields[0] == "default" && fields[1] == "m")
            return fields.dropFirst(2).filter { $0 != "\\N" }.joined(separator: " ")
        }.sorted()
    }

    @Test("deployment frequency: deployments per week (from Monday) and month, overall and per app; duplicates never count")
    func frequency() throws {
        // Week of Mon 2 Mar: a's 2, 4 and 8 Mar, b's 3 Mar (4; a 3, b 1). Week of Mon 9 Mar: a's rollback (10 Mar) and
        // 11 Mar (2). March: 6 (a 5, b 1).
        #expect(
            try Self.points(.deploymentFrequency, buckets: [.week, .month]) == [
                "month 2026-03-01 00:00:00.000000+00  {} 6.0 6",
                "month 2026-03-01 00:00:00.000000+00 app=a {\"app\": \"a\"} 5.0 5",
                "month 2026-03-01 00:00:00.000000+00 app=b {\"app\": \"b\"} 1.0 1",
                "week 2026-03-02 00:00:00.000000+00  {} 4.0 4",
                "week 2026-03-02 00:00:00.000000+00 app=a {\"app\": \"a\"} 3.0 3",
                "week 2026-03-02 00:00:00.000000+00 app=b {\"app\": \"b\"} 1.0 1",
                "week 2026-03-09 00:00:00.000000+00  {} 2.0 2",
                "week 2026-03-09 00:00:00.000000+00 app=a {\"app\": \"a\"} 2.0 2",
            ])
    }

    @Test("change failure rate: failed rollouts and openings within the window fail; rollbacks and duplicates are not samples")
    func failureRate() throws {
        // Week of 2 Mar: a 2 of 3 failed (4 Mar rollout, 8 Mar opening after 60 s), b 0 of 1; overall 2 of 4. Week of
        // 9 Mar: only 11 Mar counts (the rollback and the duplicate do not), its opening 10^9 s later is outside the
        // window: 0 of 1. Ungrouped.
        #expect(
            try Self.points(.changeFailureRate, buckets: [.week], groupBy: []) == [
                "week 2026-03-02 00:00:00.000000+00  {} 0.5 4",
                "week 2026-03-09 00:00:00.000000+00  {} 0.0 1",
            ])
        #expect(
            try Self.points(.changeFailureRate, buckets: [.week]).filter { $0.contains("app=a") } == [
                "week 2026-03-02 00:00:00.000000+00 app=a {\"app\": \"a\"} 0.6666666666666666 3",
                "week 2026-03-09 00:00:00.000000+00 app=a {\"app\": \"a\"} 0.0 1",
            ])
    }

    @Test("lead time: percentile_cont(0.5), the middle value or halfway between the two middle ones")
    func leadTimeMedian() throws {
        // Days: a's 2 Mar {1, 2, 5} → 2; b's 3 Mar {4} → 4; a's 4 Mar {10} → 10 (the staging 100 is left out).
        // Week of 2 Mar: a {1, 2, 5, 10} → 2 + (5 - 2) / 2 = 3.5; b {4} → 4; overall {1, 2, 4, 5, 10} → 4.
        // Each day point also keeps its values in ascending order (day_values), the week's none.
        #expect(
            try Self.points(.leadTimeForChanges, buckets: [.day, .week]) == [
                "day 2026-03-02 00:00:00.000000+00  {} 2.0 3 {1.0,2.0,5.0}",
                "day 2026-03-02 00:00:00.000000+00 app=a {\"app\": \"a\"} 2.0 3 {1.0,2.0,5.0}",
                "day 2026-03-03 00:00:00.000000+00  {} 4.0 1 {4.0}",
                "day 2026-03-03 00:00:00.000000+00 app=b {\"app\": \"b\"} 4.0 1 {4.0}",
                "day 2026-03-04 00:00:00.000000+00  {} 10.0 1 {10.0}",
                "day 2026-03-04 00:00:00.000000+00 app=a {\"app\": \"a\"} 10.0 1 {10.0}",
                "week 2026-03-02 00:00:00.000000+00  {} 4.0 5",
                "week 2026-03-02 00:00:00.000000+00 app=a {\"app\": \"a\"} 3.5 4",
                "week 2026-03-02 00:00:00.000000+00 app=b {\"app\": \"b\"} 4.0 1",
            ])
    }

    @Test("time to restore: the median of the resolved incidents' hours, at their resolution")
    func timeToRestore() throws {
        // Week of Mon 23 Feb: a's 8 hours (Sun 1 Mar). Week of Mon 2 Mar: {1, 3} → 1 + (3 - 1) / 2 = 2. Ungrouped.
        #expect(
            try Self.points(.timeToRestore, buckets: [.week], groupBy: []) == [
                "week 2026-02-23 00:00:00.000000+00  {} 8.0 1",
                "week 2026-03-02 00:00:00.000000+00  {} 2.0 2",
            ])
    }

    @Test("hours of a recovery: what PostgreSQL's (extract(epoch FROM b - a) / 3600)::float8 gives, bit for bit")
    func numericHours() async throws {
        // PostgreSQL is the oracle: the same expression over timestamps this many microseconds apart.
        var generator = SplitMix(seed: 11)
        var micros: [Int64] = [1, 5, 999, 1_000, 123_456, 999_999, 1_000_000, 3_599_999_999, 3_600_000_000, 86_400_000_001, 31_622_400_000_000]
        for scale in [1_000, 1_000_000, 3_600_000_000, 86_400_000_000, 100_000_000_000_000] as [Int64] {
            for _ in 0..<200 { micros.append(Int64.random(in: 1...scale, using: &generator)) }
        }
        micros += micros.prefix(50).map { -$0 }
        let values = micros
        let expected = try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            var hours: [Int64: Double] = [:]
            let rows = try await client.query(
                """
                SELECT m, (extract(epoch FROM ('2026-01-01 00:00:00+00'::timestamptz + m * interval '1 microsecond') - '2026-01-01 00:00:00+00'::timestamptz) / 3600)::float8
                FROM unnest(\(values)::int8[]) m
                """, logger: TestDatabase.logger)
            for try await (value, result) in rows.decode((Int64, Double).self) { hours[value] = result }
            return hours
        }
        #expect(expected.count == Set(micros).count)
        let differing = micros.filter { NumericHours.hours(micros: $0).bitPattern != expected[$0]?.bitPattern }
        #expect(differing.isEmpty, "\(differing.prefix(5).map { "\($0) µs: \(NumericHours.hours(micros: $0)) vs \(expected[$0] ?? .nan)" })")
    }

    @Test("custom metrics are computed in SQL")
    func custom() throws {
        let spec = MetricDefinitionSpec(metric: .custom, window: "30d", custom: MetricDefinitionSpec.Custom(types: ["dev.cdevents.build.finished.0.2.0"], aggregation: .count))
        #expect(try MetricPlan(namespace: "default", name: "m", spec: try JSONValue(encoding: spec), clusterWide: true).inMemory == nil)
    }

    @Test("labels are written as PostgreSQL's jsonb prints them: key order, spacing, escapes", .enabled(if: TestDatabase.enabled))
    func labelsAsJSONB() async throws {
        let cases: [[(String, String)]] = [
            [("app", "checkout")],
            // Longer keys after shorter ones; equal lengths in byte order; the last of a repeated key.
            [("environment", "prod"), ("app", "a"), ("team", "t"), ("cluster", "c"), ("app", "b")],
            [("app", "quote \" backslash \\ tab \t newline \n cr \r bell \u{07} formfeed \u{0C} backspace \u{08} unit \u{1F} é€😀 / <>")],
            [("app", "")],
        ]
        try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            for pairs in cases {
                var bindings = PostgresBindings()
                bindings.append(pairs.flatMap { [$0.0, $0.1] })
                let rows = try await client.query(
                    PostgresQuery(unsafeSQL: "SELECT jsonb_object($1::text[])::text", binds: bindings), logger: TestDatabase.logger)
                for try await printed in rows.decode(String.self) {
                    #expect(MetricPlan.jsonbText(pairs) == printed)
                }
            }
        }
        // By hand for the first two: what `jsonb` prints.
        #expect(MetricPlan.jsonbText(cases[0]) == #"{"app": "checkout"}"#)
        #expect(MetricPlan.jsonbText(cases[1]) == #"{"app": "b", "team": "t", "cluster": "c", "environment": "prod"}"#)
    }
}
