import EventModel
import Foundation
import HTTPTypes
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Logging
import PacerApp
import PostgresNIO
import Prometheus
import TestSupport

/// The read side's HTTP routes over a real database (the production adapter), for one test.
enum MetricsTestApp {
    struct NoIngest: EventIngesting {
        func ingest(cloudEvents: [CloudEvent]) async throws -> IngestResult { IngestResult(stored: 0, duplicates: 0) }
        func ingest(cdEvents: [CDEvent]) async throws -> IngestResult { IngestResult(stored: 0, duplicates: 0) }
    }
    struct Ready: ReadinessChecking {
        func notReadyReason() async -> String? { nil }
    }

    static func router(client: PostgresClient, registry: PrometheusCollectorRegistry? = nil) -> Router<BasicRequestContext> {
        HTTPRouterBuilder(
            ingester: NoIngest(), readiness: Ready(), tokens: nil, maxBodyBytes: 1 << 20,
            metrics: MetricsReadAdapter(client: client, logger: TestDatabase.logger), prometheus: registry
        ).build()
    }

    /// A fresh migrated database with ``MetricsFixture`` inserted, and a router-level test client.
    static func run<T: Sendable>(
        registry: PrometheusCollectorRegistry? = nil, fixture: Bool = true,
        _ body: @Sendable (any TestClientProtocol, PostgresClient) async throws -> T
    ) async throws -> T {
        try await TestDatabase.withFreshDatabase { client, _ in
            if fixture { try await MetricsFixture.insert(client) }
            let app = Application(router: router(client: client, registry: registry), logger: TestDatabase.logger)
            return try await app.test(.router) { testClient in try await body(testClient, client) }
        }
    }
}

/// Known rows in `pacer_metric_definitions`, `metric_headlines`, `metric_points`, `deployments` and `pipeline_errors`.
enum MetricsFixture {
    static let computedAt = "2026-11-20T12:00:00Z"

    struct FixtureError: Error, CustomStringConvertible {
        var statement: String
        var error: String
        var description: String { "fixture statement failed: \(error)\n\(statement)" }
    }

    static func insert(_ client: PostgresClient) async throws {
        for statement in statements + [try await deployments(client)] {
            do {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: TestDatabase.logger)
            } catch {
                throw FixtureError(statement: statement, error: String(reflecting: error))
            }
        }
    }

    static func definition(_ name: String, _ metric: String) -> String {
        """
        INSERT INTO pacer_metric_definitions (namespace, name, uid, generation, spec, ready, message, updated_at)
        VALUES ('default', '\(name)', 'uid-\(name)', 1,
                '{"metric":"\(metric)","groupBy":["app"],"selector":{"environment":"production"}}', true, NULL, now())
        """
    }

    static func headline(_ name: String, _ metric: String, _ group: String, _ labels: String, _ value: String, _ level: String, _ unit: String, _ samples: Int) -> String {
        """
        INSERT INTO metric_headlines (namespace, name, group_key, labels, metric, value, level, unit, window_text, samples, computed_at)
        VALUES ('default', '\(name)', '\(group)', '\(labels)', '\(metric)', \(value), \(level), '\(unit)', '30d', \(samples), '\(computedAt)')
        """
    }

    static func point(_ name: String, _ bucket: String, _ start: String, _ group: String, _ labels: String, _ value: String, _ samples: Int) -> String {
        """
        INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples)
        VALUES ('default', '\(name)', '\(bucket)', '\(start)', '\(group)', '\(labels)', \(value), \(samples))
        """
    }

    /// Four deployments (one row per deployment CDEvent), with the calculator's identity columns when the table has them.
    static func deployments(_ client: PostgresClient) async throws -> String {
        let rows = [
            ("pkg:pkg/default/nginx-deployment@uid-1", "2023-08-05T10:00:00Z", "nginx-deployment"),
            ("pkg:pkg/default/nginx-deployment@uid-1", "2023-08-05T11:30:00Z", "nginx-deployment"),
            ("pkg:pkg/default/nginx-deployment-3@uid-3", "2023-08-05T23:59:59Z", "nginx-deployment-3"),
            ("pkg:pkg/default/nginx-deployment@uid-2", "2023-08-06T00:00:00Z", "nginx-deployment"),
        ]
        var identity = false
        let query: PostgresQuery = "SELECT count(*)::int FROM information_schema.columns WHERE table_name = 'deployments' AND column_name = 'cd_id'"
        for try await count in try await client.query(query, logger: TestDatabase.logger).decode(Int.self) { identity = count > 0 }
        let values = rows.enumerated().map { index, row in
            "('\(row.0)', '\(row.1)', '\(row.2)'" + (identity ? ", '/fixture', 'd\(index)')" : ")")
        }
        return "INSERT INTO deployments (deploy_id, time_created, deploy_name\(identity ? ", cd_source, cd_id" : "")) VALUES "
            + values.joined(separator: ", ")
    }

    static let statements: [String] = [
        definition("deployment-frequency", "deploymentFrequency"),
        definition("lead-time", "leadTimeForChanges"),
        definition("change-failure-rate", "changeFailureRate"),
        definition("time-to-restore", "timeToRestore"),
        headline("deployment-frequency", "deploymentFrequency", "", "{}", "3.5", "'Elite'", "days/week", 14),
        headline("deployment-frequency", "deploymentFrequency", "app=checkout", #"{"app":"checkout"}"#, "4", "'Elite'", "days/week", 10),
        headline("deployment-frequency", "deploymentFrequency", "app=cart", #"{"app":"cart"}"#, "1", "'High'", "days/week", 4),
        headline("lead-time", "leadTimeForChanges", "", "{}", "26.25", "'High'", "hours", 6),
        headline("lead-time", "leadTimeForChanges", "app=checkout", #"{"app":"checkout"}"#, "20", "'High'", "hours", 4),
        headline("change-failure-rate", "changeFailureRate", "", "{}", "0.125", "'Medium'", "ratio", 16),
        headline("time-to-restore", "timeToRestore", "", "{}", "NULL", "NULL", "hours", 0),
        point("deployment-frequency", "week", "2026-11-02T00:00:00Z", "", "{}", "3", 3),
        point("deployment-frequency", "week", "2026-11-09T00:00:00Z", "", "{}", "5", 5),
        point("deployment-frequency", "week", "2026-11-02T00:00:00Z", "app=checkout", #"{"app":"checkout"}"#, "2", 2),
        point("deployment-frequency", "week", "2026-11-09T00:00:00Z", "app=checkout", #"{"app":"checkout"}"#, "4", 4),
        point("deployment-frequency", "week", "2026-11-02T00:00:00Z", "app=cart", #"{"app":"cart"}"#, "1", 1),
        point("deployment-frequency", "week", "2026-11-09T00:00:00Z", "app=cart", #"{"app":"cart"}"#, "1", 1),
        point("deployment-frequency", "week", "2026-10-26T00:00:00Z", "", "{}", "7", 7),
        point("deployment-frequency", "day", "2026-11-09T00:00:00Z", "", "{}", "2", 2),
        point("lead-time", "week", "2026-11-09T00:00:00Z", "", "{}", "NULL", 0),
        """
        INSERT INTO pipeline_errors (occurred_at, stage, event_id, ce_source, ce_id, component, message)
        VALUES ('2026-11-20T10:00:00Z', 'transform', 42, '/k8s', 'ev-1', 'default/deployments', 'customData.app: no such key')
        """,
    ]
}
