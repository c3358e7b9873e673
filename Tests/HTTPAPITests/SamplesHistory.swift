import EventStore
import Foundation
import PacerCore
import PacerRules
import Pipeline
import PostgresNIO
import TestSupport

/// A small history written by hand for the samples listing (`MetricSamplesTests`, the dashboard's browser test):
/// CDEvents stored in `cdevents_raw`, the calculator run over them at a fixed "now", and the definitions of every
/// built-in metric plus a custom one, each grouped by app and selecting production.
///
/// App `web` in production (2026-02-02 is day 0, a Monday):
///
/// | id | time | commit | what |
/// | --- | --- | --- | --- |
/// | d1 | day 0 09:00 | a1 | carries change a1 (merged 08:00) |
/// | d2 | day 1 09:00 | b1 | carries b1 (07:00); incident X opens 10:00 (unnamed, 1 h later: fails d2), detected again 10:30, resolved 12:00 |
/// | d3 | day 1 11:00 | c1 | made while d2's failure is open (rework); the first later deployment that did not fail: recovers d2 |
/// | d4 | day 2 09:00 | d1 | its rollout failed (`outcome: failed`) |
/// | d5 | day 2 10:00 | e1 | the fix of d4 (rework, recovers it); carries e1 (merged 08:30) |
/// | d6 | day 3 09:00 | f1 | rolled back by d7 |
/// | d7 | day 3 10:00 | e1 | returns to e1 (d5's): a rollback; recovers d6 |
/// | d8 | day 4 09:00 | g1 | incident Y opens day 6 10:00 naming commit g1 (49 h later: only the name attributes it), resolved day 6 14:00 |
///
/// Also: `api` in production deploys z1 on day 2 12:00 (`a-d1`); `web` in staging deploys a1 on day 0 10:00 (`s1`,
/// left out by the selector).
enum SamplesHistory {
    static let origin = Date(timeIntervalSince1970: 1_769_990_400)  // 2026-02-02 00:00 UTC
    /// The calculator's "now": 2026-03-01 12:00 UTC (the 30-day window holds the whole history).
    static let now = Date(timeIntervalSince1970: 1_772_366_400)

    static func at(_ day: Double, _ hour: Double) -> Date { origin.addingTimeInterval(day * 86_400 + hour * 3_600) }

    struct Event {
        var id: String
        var type: String
        var time: Date
        var subject: String
        var app = "web"
        var environment = "production"
        var custom: [String: JSONValue] = [:]
        var artifact: String?
    }

    static func deploy(_ id: String, _ day: Double, _ hour: Double, _ commit: String, app: String = "web", environment: String = "production", failed: Bool = false) -> Event {
        var custom: [String: JSONValue] = ["commit": .string(commit), "name": .string(app)]
        if failed { custom["outcome"] = "failed" }
        return Event(
            id: id, type: "dev.cdevents.service.deployed.0.3.0", time: at(day, hour), subject: "default/\(app)", app: app, environment: environment,
            custom: custom, artifact: "pkg:generic/default/\(app)@\(commit)")
    }

    static func change(_ id: String, _ day: Double, _ hour: Double, _ sha: String) -> Event {
        Event(id: id, type: "dev.cdevents.change.merged.0.3.0", time: at(day, hour), subject: sha)
    }

    static func incident(_ id: String, _ resolved: Bool, _ day: Double, _ hour: Double, _ subject: String, names commit: String? = nil) -> Event {
        Event(
            id: id, type: resolved ? "dev.cdevents.incident.resolved.0.3.0" : "dev.cdevents.incident.detected.0.3.0", time: at(day, hour),
            subject: subject, custom: commit.map { ["commit": .string($0)] } ?? [:])
    }

    static let events: [Event] = [
        change("c-a1", 0, 8, "a1"),
        deploy("d1", 0, 9, "a1"),
        deploy("s1", 0, 10, "a1", environment: "staging"),
        change("c-b1", 1, 7, "b1"),
        deploy("d2", 1, 9, "b1"),
        incident("x-open", false, 1, 10, "X"),
        incident("x-again", false, 1, 10.5, "X"),
        deploy("d3", 1, 11, "c1"),
        incident("x-resolved", true, 1, 12, "X"),
        change("c-e1", 2, 8.5, "e1"),
        deploy("d4", 2, 9, "d1", failed: true),
        deploy("d5", 2, 10, "e1"),
        deploy("a-d1", 2, 12, "z1", app: "api"),
        deploy("d6", 3, 9, "f1"),
        deploy("d7", 3, 10, "e1"),
        deploy("d8", 4, 9, "g1"),
        incident("y-open", false, 6, 10, "Y", names: "g1"),
        incident("y-resolved", true, 6, 14, "Y"),
    ]

    static func json(_ event: Event) -> String {
        var custom = event.custom
        custom["app"] = .string(event.app)
        custom["environment"] = .string(event.environment)
        custom["namespace"] = "default"
        var content: [String: JSONValue] = [:]
        if let artifact = event.artifact { content["artifactId"] = .string(artifact) }
        return JSONValue.object([
            "context": .object([
                "specversion": "0.5.0", "id": .string(event.id), "source": "/samples", "type": .string(event.type),
                "timestamp": .string(RFC3339.format(event.time, fractionalDigits: 3)),
            ]),
            "subject": .object(["id": .string(event.subject), "source": "/samples", "content": .object(content)]),
            "customData": .object(custom),
        ]).jsonString()
    }

    /// The definitions (default namespace): `df`, `cfr`, `rework`, `fdrt`, `lt`, `ttr`, and `detections` (custom:
    /// the number of `incident.detected` events).
    static func define(client: PostgresClient) async throws {
        let store = PostgresConfigStore(client: client, logger: TestDatabase.logger)
        let metrics: [(String, MetricDefinitionSpec.Metric)] = [
            ("df", .deploymentFrequency), ("cfr", .changeFailureRate), ("rework", .deploymentReworkRate),
            ("fdrt", .failedDeploymentRecoveryTime), ("lt", .leadTimeForChanges), ("ttr", .timeToRestore), ("detections", .custom),
        ]
        for (name, metric) in metrics {
            let custom = metric == .custom ? MetricDefinitionSpec.Custom(types: ["dev.cdevents.incident.detected.0.3.0"], aggregation: .count, unit: "detections") : nil
            let spec = MetricDefinitionSpec(metric: metric, window: "30d", groupBy: [.app], selector: ["environment": "production"], custom: custom)
            try await store.upsert(
                .metricDefinitions,
                ConfigRecord(namespace: "default", name: name, uid: "uid-\(name)", generation: 1, spec: try JSONValue(encoding: spec), ready: true))
        }
    }

    /// Stores the history and the definitions, and runs the calculator until it has computed everything. `origin`
    /// moves the whole history (day 0 and "now") to another Monday (the browser test's charts show recent weeks).
    static func load(client: PostgresClient, origin: Date = SamplesHistory.origin) async throws {
        try await define(client: client)
        let shift = origin.timeIntervalSince(Self.origin)
        let rows = events.map { event -> CDEventRow in
            var event = event
            event.time += shift
            return CDEventRow(id: event.id, source: "/samples", type: event.type, timestamp: event.time, subjectId: event.subject, subjectSource: "/samples", content: json(event))
        }
        let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
        _ = try await client.withConnection { connection in try await store.insert(cdEvents: rows, on: connection) }
        let calculator = MetricCalculator(client: client, configuration: .init(), publisher: nil, logger: TestDatabase.logger, clock: { now.addingTimeInterval(shift) })
        try await calculator.catchUp()
    }
}
