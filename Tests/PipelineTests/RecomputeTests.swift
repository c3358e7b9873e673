import EventStore
import Foundation
import OperatorAPI
import PacerRules
@testable import Pipeline
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
            #expect(incremental.count > 300)
            #expect(try await Fixture.dump(client: client) == incremental)
            for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
                #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
            }

            // One definition by name; an unknown one is a clear error.
            let one = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: "default/lt")
            #expect(one.definitions == ["default/lt"])
            #expect(try await Fixture.dump(client: client) == incremental)
            await #expect(throws: MetricCalculatorError.self) {
                try await MetricRecompute(client: client, logger: TestDatabase.logger).run(metric: "nope")
            }
        }
    }

    @Test("a recompute keeps the fields the calculator extracted up to its cursor and extracts the rows after it; --from-events extracts everything again")
    func keptExtraction() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let events = Fixture.history()
            try await Fixture.defineFourKeys(client: client)
            var generator = SplitMix(seed: 7)
            let shuffled = events.shuffled(using: &generator)
            // 60 % calculated; the rest stored after the cursor (late deployments, changes and incident events of
            // subjects that already have incidents), left to the recompute.
            let calculated = shuffled.count * 3 / 5
            try await Fixture.insert(Array(shuffled[..<calculated]), client: client)
            try await Fixture.calculator(client: client, batchSize: 9).catchUp()
            try await Fixture.insert(Array(shuffled[calculated...]), client: client)
            // A mark in one kept row: `changes.team` is read by no other fact, so only this line of the dump shows it.
            try await client.query("UPDATE changes SET team = team || '-kept' WHERE cd_id = (SELECT min(cd_id) FROM changes)", logger: TestDatabase.logger)

            let dumps = try await Fixture.recomputedDumps(client: client)
            let (kept, fromEvents) = (dumps[0].dump, dumps[1].dump)
            // Kept: the mark survives (nothing up to the cursor was extracted again); --from-events: it is gone.
            #expect(kept.filter { $0.contains("-kept") }.count == 1)
            #expect(!fromEvents.contains { $0.contains("-kept") })
            // Otherwise the same rows: the stored rows after the cursor were extracted, and the incidents of their
            // subjects paired again, as a recompute from the events does.
            #expect(kept.map { $0.replacingOccurrences(of: "-kept", with: "") } == fromEvents, "\(Fixture.firstDifference(kept, fromEvents))")
            // Every change and incident event of the history is there. Changes: checkout merges three on each of its 20
            // weekdays (days 0–4, 7–11, 14–18, 21–25) and one more on the 7 of them divisible by 3 (0, 3, 9, 15, 18, 21,
            // 24): 67; cart two on each of 8 days (1, 4, 8, 11, 15, 18, 22, 25): 16; 83 in all. Incident events: 4 per
            // checkout incident day (4 days), 5 for cart, 2 for search: 23.
            #expect(try await APipeline.count("SELECT count(*) FROM changes", client) == 83)
            #expect(try await APipeline.count("SELECT count(*) FROM incident_events", client) == 23)
        }
    }

    @Test("in a database whose collation orders apps and environments otherwise than their bytes (ICU 'en'), recomputes give the rows batches give")
    func otherCollation() async throws {
        // ICU's "en" puts "cart" before "Checkout" and "production" before "Staging"; their bytes ('C' < 'c', 'S' < 'p')
        // the other way round. The kept recompute reads the stored reports in the database's order (its index).
        let events = Fixture.history().map { event in
            var event = event
            if event.app == "checkout" { event.app = "Checkout" }
            if event.environment == "staging" { event.environment = "Staging" }
            return event
        }
        try await TestDatabase.withFreshDatabase(options: "TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'") { client, _ in
            let order = try await client.query("SELECT string_agg(a, ',' ORDER BY a) FROM (VALUES ('Checkout'), ('cart')) v(a)", logger: TestDatabase.logger)
            for try await apps in order.decode(String.self) { #expect(apps == "cart,Checkout") }
            try await Fixture.defineFourKeys(client: client)
            let calculator = Fixture.calculator(client: client, batchSize: 11)
            for start in stride(from: 0, to: events.count, by: 50) {
                try await Fixture.insert(Array(events[start..<min(start + 50, events.count)]), client: client)
                try await calculator.catchUp()
            }
            let incremental = try await Fixture.dump(client: client)
            #expect(incremental.contains { $0.contains("Checkout") } && incremental.contains { $0.contains("Staging") })
            for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
                #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
            }
        }
    }

    @Test("a kept recompute leaves lead_times alone when it computes the rows the table holds, and rewrites it when a row differs, is missing or is extra")
    func unchangedLeadTimesKept() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.calculateHistory(client: client)
            func rows() async throws -> [String] {
                var lines: [String] = []
                for try await line in try await client.query("SELECT l::text FROM lead_times l ORDER BY 1", logger: TestDatabase.logger).decode(String.self) {
                    lines.append(line)
                }
                return lines
            }
            // TRUNCATE gives the table a new file, and dropping and creating the key a new index.
            func files() async throws -> String {
                let sql: PostgresQuery = "SELECT concat_ws(' ', pg_relation_filenode('lead_times'), pg_relation_filenode('lead_times_pkey'))"
                for try await files in try await client.query(sql, logger: TestDatabase.logger).decode(String.self) { return files }
                return ""
            }
            func recompute(_ metric: String? = nil) async throws {
                _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: metric)
            }
            let incremental = try await rows()
            #expect(incremental.count > 20)
            let before = try await files()
            // The same rows: neither recompute rewrites the table.
            try await recompute()
            try await recompute("default/lt")
            #expect(try await files() == before)
            #expect(try await rows() == incremental)

            for tamper in [
                "UPDATE lead_times SET hours = hours + 1 WHERE (app, sha) = (SELECT app, min(sha) FROM lead_times GROUP BY app ORDER BY app LIMIT 1)",
                "UPDATE lead_times SET team = team || 'x' WHERE sha = (SELECT max(sha) FROM lead_times)",
                "DELETE FROM lead_times WHERE sha = (SELECT min(sha) FROM lead_times)",
                "INSERT INTO lead_times SELECT app, 'not-a-change', environment, change_time, deploy_time, deploy_source, deploy_id, team, namespace, hours, cluster FROM lead_times LIMIT 1",
                // Two rows' hours swapped: the same values in other rows.
                """
                WITH two AS (SELECT sha, hours, row_number() OVER (ORDER BY sha) AS n FROM lead_times WHERE hours > 0 ORDER BY sha LIMIT 2)
                UPDATE lead_times l SET hours = o.hours FROM two t JOIN two o ON o.n = 3 - t.n WHERE l.sha = t.sha
                """,
            ] {
                try await client.query(PostgresQuery(unsafeSQL: tamper), logger: TestDatabase.logger)
                #expect(try await rows() != incremental, "\(tamper) changed nothing")
                let tampered = try await files()
                try await recompute()
                #expect(try await files() != tampered, "\(tamper): not rewritten")
                let recomputed = try await rows()
                #expect(recomputed == incremental, "\(tamper): \(Fixture.firstDifference(recomputed, incremental))")
            }
        }
    }

    @Test("a kept recompute leaves metric_points' table alone when the built-in keys' points are the same; another definition's points and any difference are written again")
    func unchangedPointsKept() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define(
                "custom-count", .custom, groupBy: [.app, .environment], selector: [:],
                custom: .init(types: ["dev.cdevents.change.merged.0.3.0"], aggregation: .count), client: client)
            try await Fixture.calculateHistory(client: client)
            let incremental = try await Fixture.dump(client: client)
            // DROP TABLE and the swap give metric_points another file.
            func file() async throws -> Int64 {
                for try await file in try await client.query("SELECT pg_relation_filenode('metric_points')::int8", logger: TestDatabase.logger).decode(Int64.self) {
                    return file
                }
                return -1
            }
            func recompute() async throws -> [String] {
                _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: nil)
                return try await Fixture.dump(client: client)
            }
            let before = try await file()
            // A staged table a failed recompute left behind is dropped without a swap too.
            try await client.query("CREATE TABLE metric_points_next (LIKE metric_points)", logger: TestDatabase.logger)
            #expect(try await recompute() == incremental)
            #expect(try await file() == before)
            for try await left in try await client.query("SELECT to_regclass('metric_points_next') IS NOT NULL", logger: TestDatabase.logger).decode(Bool.self) {
                #expect(!left)
            }
            // The other definition's points (computed in SQL) are replaced, the table kept.
            try await client.query("UPDATE metric_points SET value = value + 1 WHERE name = 'custom-count'", logger: TestDatabase.logger)
            #expect(try await Fixture.dump(client: client) != incremental)
            #expect(try await recompute() == incremental)
            #expect(try await file() == before)
            // Points of definitions that do not exist, before, between and after those that do in the key's order
            // (default/cfr, custom-count, df, lt, ttr), are deleted; the table kept.
            for (namespace, name) in [("a", "gone"), ("default", "d"), ("default", "m"), ("zz", "gone")] {
                try await client.query(
                    "INSERT INTO metric_points SELECT \(namespace), \(name), bucket, bucket_start, group_key, labels, value, samples, day_values FROM metric_points WHERE name = 'df' LIMIT 2",
                    logger: TestDatabase.logger)
            }
            #expect(try await APipeline.count("SELECT count(DISTINCT (namespace, name)) FROM metric_points", client) == 9)
            #expect(try await recompute() == incremental)
            #expect(try await file() == before)

            let one = "(name, bucket, group_key, bucket_start) = (SELECT name, bucket, group_key, bucket_start FROM metric_points"
            for tamper in [
                "UPDATE metric_points SET value = value + 1 WHERE \(one) WHERE name = 'df' ORDER BY 1, 2, 3, 4 LIMIT 1)",
                "UPDATE metric_points SET labels = labels || '{\"x\": \"y\"}' WHERE \(one) WHERE name = 'cfr' AND group_key <> '' ORDER BY 1, 2, 3, 4 LIMIT 1)",
                "UPDATE metric_points SET day_values = day_values || 1.5::float8 WHERE \(one) WHERE day_values IS NOT NULL ORDER BY 1, 2, 3, 4 LIMIT 1)",
                "UPDATE metric_points SET samples = samples + 1 WHERE \(one) WHERE name = 'ttr' ORDER BY 1, 2, 3, 4 LIMIT 1)",
                "DELETE FROM metric_points WHERE \(one) WHERE name = 'lt' ORDER BY 1, 2, 3, 4 LIMIT 1)",
                """
                INSERT INTO metric_points SELECT namespace, name, bucket, bucket_start, 'app=extra', '{"app": "extra"}', value, samples, day_values
                FROM metric_points WHERE name = 'df' AND group_key <> '' LIMIT 1
                """,
            ] {
                try await client.query(PostgresQuery(unsafeSQL: tamper), logger: TestDatabase.logger)
                #expect(try await Fixture.dump(client: client) != incremental, "\(tamper) changed nothing")
                let tampered = try await file()
                let recomputed = try await recompute()
                #expect(recomputed == incremental, "\(tamper): \(Fixture.firstDifference(recomputed, incremental))")
                #expect(try await file() != tampered, "\(tamper): not rewritten")
            }
        }
    }

    @Test("a recompute after the raw tables alone were restored with the cursors, or after CDEvents were deleted, extracts every fact again")
    func incompleteFactsExtractedAgain() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.calculateHistory(client: client)
            let incremental = try await Fixture.dump(client: client)
            // Restored as docs/operations.md describes: cdevents_raw and pipeline_cursors (the `calculate` cursor at the
            // end), every derived table empty. Keeping the facts up to the cursor would keep nothing.
            try await client.query(
                "TRUNCATE deployments, changes, incident_events, incidents, lead_times, metric_points, metric_headlines", logger: TestDatabase.logger)
            _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: nil)
            let restored = try await Fixture.dump(client: client)
            #expect(restored == incremental, "\(Fixture.firstDifference(restored, incremental))")

            // Retention deleted a deployment CDEvent (e3: checkout's first production deployment). The history has 55
            // deployments: checkout one on each of its 20 weekdays and two more (production, staging) on 7 of them, 34;
            // cart one on each of 8 days; search one on each of the 13 even days.
            #expect(try await APipeline.count("SELECT count(*) FROM deployments", client) == 55)
            try await client.query("DELETE FROM cdevents_raw WHERE cd_id = 'e3'", logger: TestDatabase.logger)
            _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { Fixture.now }).run(metric: nil)
            #expect(try await APipeline.count("SELECT count(*) FROM deployments", client) == 54)
            #expect(try await APipeline.count("SELECT count(*) FROM deployments WHERE cd_id = 'e3'", client) == 0)
        }
    }

    @Test("a calculator with nothing calculated yet takes a large backlog in bulk, as a recompute does, and gives the rows batches give")
    func firstStepInBulk() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.defineFourKeys(client: client)
            try await Fixture.insert(Fixture.history(), client: client)
            // Batch by batch (the backlog is below the bulk threshold).
            try await Fixture.calculator(client: client, batchSize: 20).catchUp()
            let batches = try await Fixture.dump(client: client)
            // As after a migration that empties the derived tables and removes the cursor.
            func empty() async throws {
                try await client.query(
                    "TRUNCATE deployments, changes, incident_events, incidents, lead_times, metric_points, metric_headlines, metric_computed",
                    logger: TestDatabase.logger)
                try await client.query("DELETE FROM pipeline_cursors WHERE name = 'calculate'", logger: TestDatabase.logger)
            }
            try await empty()
            // A threshold of 100 rows: the history's 161 CDEvents (83 changes, 55 deployments, 23 incident events) are
            // taken by the first step at once, although a batch holds 20.
            let bulk = Fixture.calculator(client: client, batchSize: 20, bulkStartRows: 100)
            #expect(try await bulk.step(refreshHeadlines: false) == 161)
            #expect(try await bulk.step(refreshHeadlines: false) == 0)
            let inBulk = try await Fixture.dump(client: client)
            #expect(inBulk == batches, "\(Fixture.firstDifference(inBulk, batches))")
            // At most 150 in bulk: the other 11 follow in a batch.
            try await empty()
            let capped = Fixture.calculator(client: client, batchSize: 20, bulkStartRows: 100, bulkMaxRows: 150)
            #expect(try await capped.step(refreshHeadlines: false) == 150)
            #expect(try await capped.step(refreshHeadlines: false) == 11)
            #expect(try await capped.step(refreshHeadlines: true) == 0)
            let cappedDump = try await Fixture.dump(client: client)
            #expect(cappedDump == batches, "\(Fixture.firstDifference(cappedDump, batches))")
            // A threshold above the bound (bulk switched off by `bulkStartRows: .max`): batch by batch.
            try await empty()
            let off = Fixture.calculator(client: client, batchSize: 20, bulkStartRows: .max, bulkMaxRows: 150)
            #expect(try await off.step(refreshHeadlines: false) == 20)
        }
    }

    @Test("busy (steps that keep finding rows): counts stay current in every batch, medians and headlines wait in metric_pending; a restart or catching up computes them")
    func deferredAggregatesUnderLoad() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let events = Fixture.history()
            try await Fixture.defineFourKeys(client: client)
            // Rework rate too: its weeks, months and years are summed from its days, over keys that pending keys repeat.
            try await Fixture.define("rework", .deploymentReworkRate, client: client)
            // Definitions computed (empty), then the whole history arrives at once.
            try await Fixture.calculator(client: client).catchUp()
            try await Fixture.insert(events, client: client)
            let reference = MetricReference(events: events)

            // Batches of 10 with an hour between aggregations: only the first step aggregates.
            let busy = Fixture.calculator(client: client, batchSize: 10, aggregateInterval: .seconds(3600))
            var steps = 0
            while try await busy.step(refreshHeadlines: false) == 10, steps < 3 { steps += 1 }
            steps += 1
            let consumed = 10 * steps
            #expect(consumed < events.count)
            let pending = try await APipeline.count("SELECT count(*) FROM metric_pending", client)
            #expect(pending > 0, "median keys touched while behind are recorded")
            #expect(try await APipeline.count("SELECT count(*) FROM metric_pending WHERE name IN ('df', 'cfr')", client) == 0)
            // Deployment frequency counts every deployment consumed so far (updated in each batch).
            let consumedDeployments = try await APipeline.count("SELECT count(*) FROM deployments WHERE environment = 'production'", client)
            let yearCount = try await Fixture.points("df", client: client).filter { $0.key.bucket == "year" && $0.key.group.isEmpty }.values.map(\.samples).reduce(0, +)
            #expect(yearCount == consumedDeployments)

            // A new process (no memory of being behind) aggregates the pending keys in its first step.
            let restarted = Fixture.calculator(client: client, batchSize: 10, aggregateInterval: .seconds(3600))
            try await restarted.step(refreshHeadlines: false)
            #expect(try await APipeline.count("SELECT count(*) FROM metric_pending", client) == 0)
            // Its keys came from the pending ones and from its own batch, several twice: rework's year, summed from its
            // days once per key, counts every deployment calculated so far once, as deployment frequency does.
            let calculated = try await Fixture.points("df", client: client).filter { $0.key.bucket == "year" && $0.key.group.isEmpty }.values.map(\.samples).reduce(0, +)
            let reworkYear = try await Fixture.points("rework", client: client).filter { $0.key.bucket == "year" && $0.key.group.isEmpty }.values.map(\.samples).reduce(0, +)
            #expect(calculated > yearCount && reworkYear == calculated)

            // Caught up: everything equals the reference model and a recompute.
            try await busy.catchUp()
            #expect(try await APipeline.count("SELECT count(*) FROM metric_pending", client) == 0)
            try await CalculatorTests.expectAllKeys(reference, client: client)
            let incremental = try await Fixture.dump(client: client)
            for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
                #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
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
