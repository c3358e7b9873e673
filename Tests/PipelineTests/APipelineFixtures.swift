import EventModel
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

/// Helpers of the router/transformer tests: the default pipeline from examples/, Deployment-source CloudEvents,
/// inserts and counts.
enum APipeline {
    static let namespace = "pacer-system"

    /// The EventRoute and CDEventTransform documents of `files` (in examples/) as configuration rows, Ready when
    /// they compile (as the reconcilers write them).
    static func exampleRows(_ files: [String] = ["deployment-routes.yaml", "deployment-transforms.yaml"]) throws -> (
        routes: [ConfigRecord], transforms: [ConfigRecord]
    ) {
        let rows = try ExamplePipeline.rows(files, namespace: namespace)
        return (rows[.eventRoutes] ?? [], rows[.cdEventTransforms] ?? [])
    }

    static func row(_ name: String, _ spec: JSONValue, ready: Bool = true, namespace: String = namespace) -> ConfigRecord {
        ExamplePipeline.row(name, spec, ready: ready, namespace: namespace)
    }

    /// Writes the default Deployment pipeline of examples/ into the configuration tables.
    static func installExamples(_ client: PostgresClient, files: [String] = ["deployment-routes.yaml", "deployment-transforms.yaml"]) async throws {
        try await ExamplePipeline.install(client, files: files, namespace: namespace)
    }

    /// A CloudEvent as the Deployment source writes it (docs/deployment-source.md).
    static func deploymentEvent(
        _ type: String, name: String = "cart", namespace: String = "shop", revision: Int64 = 2, id: String? = nil,
        time: String = "2026-11-21T10:00:00.123Z", extra: [String: JSONValue] = [:]
    ) -> CloudEvent {
        var data: [String: JSONValue] = [
            "namespace": .string(namespace), "name": .string(name), "uid": .string("uid-\(name)"), "revision": .int(revision), "generation": 3,
            "replicas": 2, "app": .string(name), "version": "1.4.0", "environment": "production", "team": "shop",
            "commit": "4f2c9e1", "commitTime": "2026-11-20T09:00:00Z", "repository": "https://github.com/acme/cart",
            "images": ["app": "registry.example/cart:1.4.0"],
        ]
        data.merge(extra) { $1 }
        let suffix = type.replacingOccurrences(of: "dev.pacer.deployment.", with: "")
        return CloudEvent(
            id: id ?? "uid-\(name)/\(revision)/\(suffix)", source: "/k8s/prod-eu/apis/apps/v1/namespaces/\(namespace)/deployments/\(name)",
            type: type, datacontenttype: "application/json", subject: "\(namespace)/\(name)", time: time, data: .json(.object(data)))
    }

    /// Stores CloudEvents in one transaction, as ingest does.
    static func insert(_ events: [CloudEvent], _ client: PostgresClient) async throws {
        let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
        try await client.withConnection { connection in
            _ = try await store.insert(cloudEvents: events.map(CloudEventRow.init), on: connection)
        }
    }

    static func count(_ sql: String, _ client: PostgresClient) async throws -> Int64 {
        do {
            for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int64.self) {
                return value
            }
            return 0
        } catch {
            throw QueryFailed(description: "\(sql): \(EventStoreError.describe(error))")
        }
    }

    struct QueryFailed: Error, CustomStringConvertible {
        var description: String
    }

    /// Every stored CDEvent's JSON, by origin event id then transform.
    static func cdEvents(_ client: PostgresClient) async throws -> [JSONValue] {
        var events: [JSONValue] = []
        let rows = try await client.query(
            "SELECT content::text FROM cdevents_raw ORDER BY origin_event_id, origin_transform", logger: TestDatabase.logger
        ).decode(String.self)
        for try await text in rows { events.append(try JSONValue.parse(text)) }
        return events
    }

    /// Runs hack/validate-cdevents.py (the official v0.5.1 schemas) over `events`.
    static func validateWithSchemas(_ events: [JSONValue]) async throws {
        let input = JSONValue.array(events).jsonString()
        let result = try await Subprocess.run(
            ["/usr/bin/env", "python3", RepoPaths.root + "/hack/validate-cdevents.py"], stdin: Data(input.utf8), timeout: .seconds(60))
        #expect(result.status == 0, "validate-cdevents.py: \(result.stdout)\(result.stderr)")
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
    static func eventually(timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }

    static var logger: Logger {
        var logger = Logger(label: "pipeline-test")
        logger.logLevel = .critical
        return logger
    }
}
