import EventStore
import Foundation
import Logging
import OperatorAPI
import PacerRules
import PacerCore
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// A hand-made history for the calculator tests and an independent Swift model of the four keys.
enum MetricFixture {
    static let hour = 3_600.0
    static let day = 86_400.0
    /// 2026-02-02 00:00 UTC, a Monday.
    static let origin = Date(timeIntervalSince1970: 1_769_990_400)
    /// Headlines are computed for this "now" (2026-03-01 12:00 UTC).
    static let now = Date(timeIntervalSince1970: 1_772_366_400)

    enum Kind: String { case deploy, change, open, resolved }

    struct Event: Sendable {
        var id: String
        var kind: Kind
        var time: Date
        var app: String
        var environment: String = "production"
        var commit: String?
        var subject: String?
        var team: String = "shop"
        var number: Double?
        /// Extra `customData` entries (`version`, `outcome`, an incident's `commit`/`version`/`deployment` link).
        var extra: [String: String] = [:]
        /// An incident's `subject.content.artifactId` (explicit link); a deployment's artifact when set.
        var artifact: String?
        /// A `service.rolledback` CDEvent instead of `service.deployed`.
        var rolledBack = false

        var type: String {
            switch kind {
            case .deploy: return rolledBack ? "dev.cdevents.service.rolledback.0.3.0" : "dev.cdevents.service.deployed.0.3.0"
            case .change: return "dev.cdevents.change.merged.0.3.0"
            case .open: return "dev.cdevents.incident.detected.0.3.0"
            case .resolved: return "dev.cdevents.incident.resolved.0.3.0"
            }
        }

        var subjectId: String {
            switch kind {
            case .change: return commit ?? id
            case .open, .resolved: return subject ?? "\(app)-incident"
            case .deploy: return "default/\(app)"
            }
        }

        var json: String {
            var custom: [String: JSONValue] = [
                "app": .string(app), "environment": .string(environment), "team": .string(team), "namespace": .string("default"),
                "name": .string(app),
            ]
            if kind == .deploy, let commit { custom["commit"] = .string(commit) }
            if let number { custom["durationSeconds"] = .double(number) }
            for (key, value) in extra { custom[key] = .string(value) }
            var content: [String: JSONValue] = [:]
            if kind == .deploy {
                content = ["artifactId": .string(artifact ?? "pkg:generic/default/\(app)@\(commit ?? id)"), "environment": .object(["id": .string(environment)])]
            } else if let artifact {
                content = ["artifactId": .string(artifact)]
            }
            let event: JSONValue = .object([
                "context": .object([
                    "specversion": "0.5.0", "id": .string(id), "source": "/test", "type": .string(type),
                    "timestamp": .string(RFC3339.format(time, fractionalDigits: 3)),
                ]),
                "subject": .object(["id": .string(subjectId), "source": "/test", "content": .object(content)]),
                "customData": .object(custom),
            ])
            return event.jsonString()
        }
    }

    static func at(_ days: Double, _ hours: Double = 0) -> Date { origin.addingTimeInterval(days * day + hours * hour) }

    /// Four weeks of two production apps and one staging app: deployments, changes carried by them, incidents.
    static func history() -> [Event] {
        var events: [Event] = []
        var n = 0
        func add(
            _ kind: Kind, _ time: Date, _ app: String, env: String = "production", commit: String? = nil, subject: String? = nil,
            repository: String? = nil
        ) {
            n += 1
            var event = Event(id: "e\(n)", kind: kind, time: time, app: app, environment: env, commit: commit, subject: subject)
            if let repository { event.extra["repository"] = repository }
            events.append(event)
        }
        for dayIndex in 0..<26 {
            let d = Double(dayIndex)
            // checkout: deploys most weekdays, twice on some days; each deployment carries one or two commits.
            if dayIndex % 7 < 5 {
                add(.change, at(d, 1), "checkout", commit: "c\(dayIndex)a")
                add(.change, at(d, 3.5), "checkout", commit: "c\(dayIndex)a")  // same sha merged again: the earliest counts
                add(.deploy, at(d, 9), "checkout", commit: "c\(dayIndex)a")
                // Never deployed as such: bundled into the next deployment of a later change (15:00 or the next day).
                add(.change, at(d, 5), "checkout", commit: "c\(dayIndex)m")
                if dayIndex % 3 == 0 {
                    add(.change, at(d, 10), "checkout", commit: "c\(dayIndex)b")
                    add(.deploy, at(d, 15), "checkout", commit: "c\(dayIndex)b")
                    add(.deploy, at(d, 20), "checkout", env: "staging", commit: "c\(dayIndex)b")
                }
            }
            // cart: twice a week, each with a change from the day before.
            if dayIndex % 7 == 1 || dayIndex % 7 == 4 {
                add(.change, at(d - 1, 12), "cart", commit: "k\(dayIndex)", repository: "https://git.example/cart")
                // Another repository of the same app, never deployed: no deployment of cart carries it.
                add(.change, at(d - 1, 10), "cart", commit: "x\(dayIndex)", repository: "https://git.example/cart-docs")
                add(.deploy, at(d, 11), "cart", commit: "k\(dayIndex)")
            }
            // staging-only app: excluded by the selector.
            if dayIndex % 2 == 0 { add(.deploy, at(d, 8), "search", env: "staging", commit: "s\(dayIndex)") }
        }
        // Incidents: checkout fails after some deployments; repeated detections while open; a resolution with
        // nothing open; one incident still open.
        for dayIndex in [2, 9, 15, 22] {
            let d = Double(dayIndex)
            add(.open, at(d, 10), "checkout", subject: "checkout-\(dayIndex)")
            add(.open, at(d, 10.5), "checkout", subject: "checkout-\(dayIndex)")
            add(.resolved, at(d, 10 + Double(dayIndex % 4) + 0.75), "checkout", subject: "checkout-\(dayIndex)")
            add(.resolved, at(d, 20), "checkout", subject: "checkout-\(dayIndex)")
        }
        add(.open, at(8, 12), "cart", subject: "cart-a")
        add(.resolved, at(10, 12), "cart", subject: "cart-a")
        add(.open, at(11, 18), "cart", subject: "cart-a")
        add(.resolved, at(11, 19), "cart", subject: "cart-a")
        add(.open, at(25, 1), "cart", subject: "cart-b")  // still open
        add(.open, at(4, 12), "search", env: "staging", subject: "search-a")
        add(.resolved, at(4, 13), "search", env: "staging", subject: "search-a")
        return events
    }

    // MARK: database

    static func insert(_ events: [Event], client: PostgresClient) async throws {
        guard !events.isEmpty else { return }
        let rows = events.map {
            CDEventRow(id: $0.id, source: "/test", type: $0.type, timestamp: $0.time, subjectId: $0.subjectId, subjectSource: "/test", content: $0.json)
        }
        let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
        _ = try await client.withConnection { connection in try await store.insert(cdEvents: rows, on: connection) }
    }

    static func define(
        _ name: String, _ metric: MetricDefinitionSpec.Metric, groupBy: [MetricDefinitionSpec.GroupBy] = [.app],
        selector: [String: String] = ["environment": "production"], buckets: [MetricDefinitionSpec.Bucket]? = nil,
        custom: MetricDefinitionSpec.Custom? = nil, minSamples: Int64? = nil, client: PostgresClient
    ) async throws {
        let spec = MetricDefinitionSpec(
            metric: metric, window: "30d", buckets: buckets, groupBy: groupBy, selector: selector, custom: custom, minSamples: minSamples)
        let row = ConfigRecord(namespace: "default", name: name, uid: "uid-\(name)", generation: 1, spec: try JSONValue(encoding: spec), ready: true)
        try await PostgresConfigStore(client: client, logger: TestDatabase.logger).upsert(.metricDefinitions, row)
    }

    /// The four keys defined, ``history()`` stored and calculated.
    static func calculateHistory(client: PostgresClient, batchSize: Int = 5_000) async throws {
        try await defineFourKeys(client: client)
        try await insert(history(), client: client)
        try await calculator(client: client, batchSize: batchSize).catchUp()
    }

    static func defineFourKeys(client: PostgresClient) async throws {
        try await define("df", .deploymentFrequency, client: client)
        try await define("lt", .leadTimeForChanges, client: client)
        try await define("cfr", .changeFailureRate, client: client)
        try await define("ttr", .timeToRestore, client: client)
    }

    static func calculator(
        client: PostgresClient, publisher: (any MetricResultPublishing)? = nil, batchSize: Int = 5_000, aggregateInterval: Duration = .seconds(1),
        bulkStartRows: Int = 100_000, bulkMaxRows: Int = 1_000_000
    ) -> MetricCalculator {
        var configuration = MetricCalculator.Configuration()
        configuration.batchSize = batchSize
        configuration.bulkStartRows = bulkStartRows
        configuration.bulkMaxRows = bulkMaxRows
        configuration.aggregateInterval = aggregateInterval
        return MetricCalculator(client: client, configuration: configuration, publisher: publisher, logger: TestDatabase.logger, clock: { now })
    }

    struct PointKey: Hashable, CustomStringConvertible {
        var bucket: String
        var start: Date
        var group: String
        var description: String { "\(bucket) \(RFC3339.format(start, fractionalDigits: 0)) [\(group)]" }
    }

    struct Point: Equatable {
        var value: Double?
        var samples: Int64
    }

    static func points(_ name: String, client: PostgresClient) async throws -> [PointKey: Point] {
        var out: [PointKey: Point] = [:]
        let rows = try await client.query(
            "SELECT bucket, bucket_start, group_key, value, samples FROM metric_points WHERE name = \(name)", logger: TestDatabase.logger)
        for try await (bucket, start, group, value, samples) in rows.decode((String, Date, String, Double?, Int64).self) {
            out[PointKey(bucket: bucket, start: start, group: group)] = Point(value: value, samples: samples)
        }
        return out
    }

    static func headlines(_ name: String, client: PostgresClient) async throws -> [String: (value: Double?, level: String?, samples: Int64)] {
        var out: [String: (value: Double?, level: String?, samples: Int64)] = [:]
        let rows = try await client.query(
            "SELECT group_key, value, level, samples FROM metric_headlines WHERE name = \(name)", logger: TestDatabase.logger)
        for try await (group, value, level, samples) in rows.decode((String, Double?, String?, Int64).self) {
            out[group] = (value, level, samples)
        }
        return out
    }

    /// Recomputes every definition both ways, and returns the dump (``dump(client:)``) after each: first keeping the
    /// facts the calculator extracted (the default), then extracting every fact from the documents again
    /// (`pacer recompute --from-events`). A test of incremental == recompute expects both to equal its dump.
    static func recomputedDumps(client: PostgresClient, clock: @escaping @Sendable () -> Date = { now }) async throws -> [(way: String, dump: [String])] {
        var dumps: [(way: String, dump: [String])] = []
        for fromEvents in [false, true] {
            _ = try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: clock).run(metric: nil, fromEvents: fromEvents)
            dumps.append((fromEvents ? "from the events" : "extracted facts kept", try await dump(client: client)))
        }
        // The built-in keys' points of a full computation come from the pass in memory (MemoryPoints); in SQL, the
        // same rows.
        var inSQL = MetricRecompute(client: client, logger: TestDatabase.logger, clock: clock)
        inSQL.engine.pointsInMemory = false
        _ = try await inSQL.run(metric: nil)
        dumps.append(("points in SQL", try await dump(client: client)))
        return dumps
    }

    /// Where two dumps first differ, for an expectation's message.
    static func firstDifference(_ a: [String], _ b: [String]) -> String {
        zip(a, b).first { $0 != $1 }.map { "\($0.0) vs \($0.1)" } ?? "lengths \(a.count) vs \(b.count)"
    }

    /// Every result row as text, except computed_at (for incremental == recompute).
    static func dump(client: PostgresClient) async throws -> [String] {
        var lines: [String] = []
        for sql in [
            "SELECT concat_ws('|', namespace, name, bucket, bucket_start, group_key, labels, value::text, samples, day_values::text) FROM metric_points ORDER BY 1",
            "SELECT concat_ws('|', namespace, name, group_key, labels, metric, value::text, level, unit, window_text, samples) FROM metric_headlines ORDER BY 1",
            "SELECT concat_ws('|', deploy_id, time_created, deploy_name, cd_source, cd_id, deploy_type, app, environment, team, namespace, commit, version, version_key, rollout_failed, is_rollback, rolled_back, incident_failed, open_gap::text, duplicate, revision) FROM deployments ORDER BY 1",
            "SELECT concat_ws('|', subject_id, opened_at, resolved_at, open_id, app, hours::text) FROM incidents ORDER BY 1",
            "SELECT concat_ws('|', app, sha, environment, change_time, deploy_time, deploy_id, hours::text) FROM lead_times ORDER BY 1",
            "SELECT concat_ws('|', cd_source, cd_id, sha, time_created, app, environment, team, namespace, cluster, repository) FROM changes ORDER BY 1",
            "SELECT concat_ws('|', cd_source, cd_id, subject_id, kind, time_created, app, environment, cluster, link_artifact, link_commit, link_version, link_deployment) FROM incident_events ORDER BY 1",
        ] {
            for try await line in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(String.self) {
                lines.append(line)
            }
        }
        return lines
    }
}
