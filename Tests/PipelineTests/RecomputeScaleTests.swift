import EventStore
import Foundation
import Logging
import OperatorAPI
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
            for metric in [MetricDefinitionSpec.Metric.deploymentFrequency, .leadTimeForChanges, .changeFailureRate, .timeToRestore] {
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
            var times: [Double] = []
            for _ in 0..<2 { times.append(try await timed { try await recompute.run(metric: nil) }) }
            print("recompute-scale: \(events) events: scan \(scan) s, recompute \(times) s")
            guard events <= 200_000 else { return }
            let before = try await MetricFixture.dump(client: client)
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
            #expect(try await MetricFixture.dump(client: client).count == before.count)
        }
    }
}

/// The generated workload (the same as `pacer-bench recompute`): 40 % deployments, 40 % changes, 10 % incidents
/// opened, 10 % resolved, over 2025, `apps` apps in production.
enum RecomputeWorkload {
    static func statements(events: Int, apps: Int) -> [String] {
        let deployments = events * 4 / 10
        let incidents = events / 10
        let perApp = max(1, deployments / apps)
        let seconds = "((g / \(apps)) * (365 * 86400 / \(perApp)) + (g::bigint * 7919) % 3600)"
        let time = "(timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => \(seconds)))"
        let app = "'app' || (g % \(apps))"
        let custom = """
            jsonb_build_object('app', \(app), 'team', 'team' || (g % \(apps) % 20), 'environment', 'production', 'namespace', 'default',
                               'name', \(app), 'commit', 'sha' || g)
            """
        func event(_ prefix: String, _ type: String, _ at: String, _ subject: String, _ content: String, count: Int, offset: String = "n") -> String {
            """
            INSERT INTO cdevents_raw (cd_id, cd_source, cd_type, cd_timestamp, cd_subject_id, cd_subject_source, content)
            SELECT '\(prefix)' || g, '/bench', '\(type)', ts, \(subject), '/bench',
                   jsonb_build_object('context', jsonb_build_object('specversion', '0.5.0', 'id', '\(prefix)' || g, 'source', '/bench',
                                      'type', '\(type)', 'timestamp', ts),
                                      'subject', jsonb_build_object('id', \(subject), 'source', '/bench', 'content', \(content)),
                                      'customData', \(custom))
            FROM (SELECT g, \(at) AS ts FROM (SELECT \(offset) AS g FROM generate_series(0, \(count - 1)) AS s(n)) y) x
            """
        }
        let incidentOffset = "(n / \(apps)) * \(4 * apps) + n % \(apps)"
        return [
            event(
                "d", "dev.cdevents.service.deployed.0.3.0", time, "'default/' || \(app)",
                "jsonb_build_object('artifactId', 'pkg:generic/default/' || \(app) || '@sha' || g, 'environment', jsonb_build_object('id', 'production'))",
                count: deployments),
            event(
                "c", "dev.cdevents.change.merged.0.3.0", "\(time) - make_interval(hours => 1 + (g * 31) % 72)", "'sha' || g",
                "jsonb_build_object('repository', jsonb_build_object('id', \(app)))", count: events - deployments - 2 * incidents),
            event(
                "o", "dev.cdevents.incident.detected.0.3.0", "\(time) + interval '10 minutes'", "'default/' || \(app)",
                "jsonb_build_object('environment', jsonb_build_object('id', 'production'))", count: incidents, offset: incidentOffset),
            event(
                "r", "dev.cdevents.incident.resolved.0.3.0", "\(time) + make_interval(mins => 16 + (g * 13) % 720)", "'default/' || \(app)",
                "jsonb_build_object('environment', jsonb_build_object('id', 'production'))", count: incidents, offset: incidentOffset),
            "VACUUM (ANALYZE) cdevents_raw",
        ]
    }
}
