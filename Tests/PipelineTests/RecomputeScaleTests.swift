import EventStore
import Foundation
import Logging
import OperatorAPI
import PacerRules
import PacerCore
import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// The recompute benchmark's workload at a chosen size, runnable from the test binary (which needs no release
/// build): `PACER_RECOMPUTE_SCALE=100000` prints the timings. Skipped otherwise.
@Suite("Calculator: recompute at scale", .enabled(if: ProcessInfo.processInfo.environment["PACER_RECOMPUTE_SCALE"] != nil))
struct RecomputeScaleTests {
    @Test("generated year of 200 apps: scan floor vs recompute, and incremental == recompute on the tail")
    func scale() async throws {
        let events = Int(ProcessInfo.processInfo.environment["PACER_RECOMPUTE_SCALE"] ?? "") ?? 100_000
        try await TestDatabase.withFreshDatabase { client, _ in
            var logger = Logger(label: "scale") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = ProcessInfo.processInfo.environment["PACER_RECOMPUTE_TRACE"] != nil ? .trace : .warning
            for statement in RecomputeWorkload.statements(events: events, apps: 200) {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            for metric in [MetricDefinitionSpec.Metric.deploymentFrequency, .leadTimeForChanges, .changeFailureRate, .timeToRestore, .failedDeploymentRecoveryTime, .deploymentReworkRate] {
                try await MetricFixture.define(metric.rawValue, metric, client: client)
            }
            func timed(_ body: () async throws -> Void) async throws -> Double {
                let start = ContinuousClock.now
                try await body()
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            let scan = try await timed { try await client.query("SELECT count(*) FROM cdevents_raw", logger: logger) }
            let jsonScan = try await timed {
                try await client.query("SELECT count(content->'customData'->>'app') FROM cdevents_raw", logger: logger)
            }
            print("recompute-scale: jsonb scan \(jsonScan) s")
            let recompute = MetricRecompute(client: client, logger: logger)
            // The first recompute extracts every fact from the events (the cursor is at the start); the second keeps
            // what the first extracted and judges again.
            let fromEvents = try await timed { try await recompute.run(metric: nil) }
            let extracted = events <= 200_000 ? try await MetricFixture.dump(client: client) : []
            let kept = try await timed { try await recompute.run(metric: nil) }
            print("recompute-scale: \(events) events: scan \(scan) s, recompute from the events \(fromEvents) s, extracted facts kept \(kept) s")
            guard events <= 200_000 else { return }
            let before = try await MetricFixture.dump(client: client)
            #expect(before == extracted, "kept != from the events: \(MetricFixture.firstDifference(before, extracted))")
            // The incremental path over the same rows gives the same rows.
            try await client.query("UPDATE pipeline_cursors SET last_xid = '0', last_id = 0 WHERE name = 'calculate'", logger: logger)
            try await client.query("TRUNCATE deployments, changes, incident_events, incidents, lead_times, metric_points, metric_headlines, metric_computed", logger: logger)
            print("recompute-scale: incremental")
            var configuration = MetricCalculator.Configuration()
            configuration.batchSize = max(1_000, events / 4)
            let incremental = try await timed {
                try await MetricCalculator(client: client, configuration: configuration, logger: logger).catchUp()
            }
            print("recompute-scale: incremental in batches of \(configuration.batchSize): \(incremental) s")
            let after = try await MetricFixture.dump(client: client)
            #expect(after == before, "incremental != recompute: \(MetricFixture.firstDifference(after, before))")
        }
    }
}
