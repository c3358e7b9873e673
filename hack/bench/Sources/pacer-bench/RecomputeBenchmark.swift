import ArgumentParser
import EventStore
import Foundation
import Logging
import OperatorAPI
import PacerRules
import PacerCore
import Pipeline
import TestSupport
import PostgresNIO

/// `pacer-bench recompute`: a generated year of 200 apps (deployments, changes, incidents; 1,000,000 CDEvents by
/// default) to all four keys in every bucket, against the floor of one sequential scan of `cdevents_raw`.
struct RecomputeBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recompute", abstract: "Recompute of the four keys over generated CDEvents vs one sequential scan.")

    @Option(name: .customLong("database-url"), help: "An empty database Pacer may migrate (its CDEvents and results are replaced).")
    var databaseURL: String

    @Option(help: "CDEvents to generate (40 % deployments, 40 % changes, 10 % incidents opened, 10 % resolved).")
    var events: Int = 1_000_000

    @Option(help: "Apps.")
    var apps: Int = 200

    @Option(help: "Recompute runs of each kind, from the events and with the extracted facts kept (the best and all times are printed).")
    var runs: Int = 3

    @Flag(name: .customLong("skip-generate"), help: "Reuse the CDEvents already in the database.")
    var skipGenerate = false

    @Flag(help: "Log every calculator statement with its duration (trace level, to standard error).")
    var trace = false

    @Option(help: "Definitions: 4 (the four keys) or 6 (also failed deployment recovery time and deployment rework rate, as the default pipeline installs).")
    var keys = 4

    @Flag(name: .customLong("kept-only"), help: "Only the recompute that keeps the extracted facts (e.g. under perf, after a run that filled the facts).")
    var keptOnly = false

    @Flag(name: .customLong("catch-up"), help: "Also time the incremental calculator deriving everything from the start (the facts emptied, as after a migration).")
    var catchUp = false

    func validate() throws {
        guard events >= 10, apps > 0, runs > 0 else { throw ValidationError("--events ≥ 10, --apps and --runs > 0") }
        guard keys == 4 || keys == 6 else { throw ValidationError("--keys is 4 or 6") }
    }

    func run() async throws {
        var logger = Logger(label: "pacer-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
        say("pacer-bench recompute: \(events) CDEvents, \(apps) apps, \(ProcessInfo.processInfo.activeProcessorCount) cores, load average \(load)")
        let client = PostgresClient(configuration: try DatabaseURL(databaseURL).clientConfiguration(), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await Migrator(client: client, logger: logger).migrate()
            if !skipGenerate { try await generate(client: client, logger: logger) }
            try await define(client: client)
            try await measure(client: client, logger: logger)
        }
    }

    private func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = monotonicNanos()
        try await body()
        return Double(monotonicNanos() - start) / 1e9
    }

    private func generate(client: PostgresClient, logger: Logger) async throws {
        let statements = [
            "TRUNCATE cdevents_raw, deployments, changes, incident_events, incidents, lead_times, metric_points, metric_headlines, metric_computed",
            "DELETE FROM pipeline_cursors WHERE name = 'calculate'",
        ] + RecomputeWorkload.statements(events: events, apps: apps)
        let elapsed = try await timed {
            for statement in statements {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
        }
        say(String(format: "generated %d CDEvents in %.1f s", events, elapsed))
    }

    private func define(client: PostgresClient) async throws {
        let store = PostgresConfigStore(client: client, logger: Logger(label: "pacer-bench"))
        for row in try await store.rows(.metricDefinitions) {
            try await store.delete(.metricDefinitions, namespace: row.namespace, name: row.name)
        }
        let metrics: [MetricDefinitionSpec.Metric] = [.deploymentFrequency, .leadTimeForChanges, .changeFailureRate, .timeToRestore]
            + (keys == 6 ? [.failedDeploymentRecoveryTime, .deploymentReworkRate] : [])
        for metric in metrics {
            let spec = MetricDefinitionSpec(metric: metric, window: "30d", groupBy: [.app], selector: ["environment": "production"])
            try await store.upsert(
                .metricDefinitions,
                ConfigRecord(namespace: "bench", name: metric.rawValue, uid: metric.rawValue, generation: 1, spec: try JSONValue(encoding: spec), ready: true))
        }
    }

    private func count(_ sql: String, client: PostgresClient, logger: Logger) async throws -> Int64 {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger).decode(Int64.self) { return value }
        return 0
    }

    private func measure(client: PostgresClient, logger: Logger) async throws {
        let rows = try await count("SELECT count(*) FROM cdevents_raw", client: client, logger: logger)
        var scan = Double.infinity
        var jsonScan = Double.infinity
        for _ in 0..<3 {
            scan = min(scan, try await timed { _ = try await count("SELECT count(*) FROM cdevents_raw", client: client, logger: logger) })
            jsonScan = min(jsonScan, try await timed {
                _ = try await count("SELECT count(content->'customData'->>'app') FROM cdevents_raw", client: client, logger: logger)
            })
        }
        var recomputeLogger = logger
        recomputeLogger.logLevel = trace ? .trace : .warning
        let recompute = MetricRecompute(client: client, logger: recomputeLogger)
        // `runs` recomputes extracting every fact from the documents (`--from-events`; the first one also fills the
        // empty fact tables after --generate), then `runs` keeping what is extracted (the default).
        var fromEvents: [Double] = []
        var kept: [Double] = []
        // PostgreSQL's temporary files (sorts and hashes spilled to disk) in this database, before and after each kind.
        let tempFiles = "SELECT temp_files * 1000000000 + temp_bytes / 1000 FROM pg_stat_database WHERE datname = current_database()"
        var spilled: [(files: Int64, kilobytes: Int64)] = []
        for run in keptOnly ? [false] : [true, false] {
            let before = try await count(tempFiles, client: client, logger: logger)
            for _ in 0..<runs {
                let seconds = try await timed { try await recompute.run(metric: nil, fromEvents: run) }
                if run { fromEvents.append(seconds) } else { kept.append(seconds) }
            }
            // A backend reports its counts when a transaction ends, at most once a second; an idle one that could not
            // report then does so 10 s later (PostgreSQL 15's PGSTAT_IDLE_INTERVAL).
            try await Task.sleep(for: .seconds(11))
            let delta = try await count(tempFiles, client: client, logger: logger) - before
            spilled.append((delta / 1_000_000_000, delta % 1_000_000_000))
        }
        // A definition added over the whole history: the calculator computes it in full from the facts in its next
        // step (the same statements as a recompute's points), without a recompute.
        let added = MetricDefinitionSpec(metric: .leadTimeForChanges, window: "30d", groupBy: [.team], selector: ["environment": "production"])
        try await PostgresConfigStore(client: client, logger: logger).upsert(
            .metricDefinitions,
            ConfigRecord(namespace: "bench", name: "added", uid: "added", generation: 1, spec: try JSONValue(encoding: added), ready: true))
        let newDefinition = try await timed { try await MetricCalculator(client: client, logger: logger).catchUp() }
        try await PostgresConfigStore(client: client, logger: logger).delete(.metricDefinitions, namespace: "bench", name: "added")
        // The incremental path on top of the history: a batch of four CDEvents (a deployment, its change, an incident
        // opened and resolved), from their commit to every definition's points and headlines written, as the operator's
        // calculator takes them; headlines as of 2026-01-01 (the history's last month in their window). Then the
        // batches' CDEvents and facts are deleted and a recompute restores the results (untimed).
        var batches: [Double] = []
        let newYear = Date(timeIntervalSince1970: 1_767_225_600)
        let calculator = MetricCalculator(client: client, logger: recomputeLogger, clock: { newYear })
        for index in 0..<5 {
            for statement in RecomputeWorkload.batch(index) {
                try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            batches.append(try await timed { try await calculator.catchUp() })
        }
        for statement in RecomputeWorkload.removeBatches {
            try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
        }
        try await recompute.run(metric: nil)
        // The floor of a recompute that keeps the extracted facts: one scan of the columns it reads from them.
        var factScan = Double.infinity
        for _ in 0..<3 {
            factScan = min(factScan, try await timed {
                _ = try await count(
                    """
                    SELECT (SELECT count(concat(deploy_id, time_created, deploy_name, cd_source, cd_id, deploy_type, app, environment, team,
                                                namespace, cluster, commit, version, version_key, rollout_failed, revision)) FROM deployments)
                         + (SELECT count(concat(app, sha, time_created, repository)) FROM changes)
                         + (SELECT count(concat(app, environment, cluster, opened_at, resolved_at, link_artifact, link_commit, link_version,
                                                link_deployment)) FROM incidents)
                    """, client: client, logger: logger)
            })
        }
        let points = try await count("SELECT count(*) FROM metric_points", client: client, logger: logger)
        let facts = try await count(
            "SELECT (SELECT count(*) FROM deployments) + (SELECT count(*) FROM changes) + (SELECT count(*) FROM incident_events)", client: client,
            logger: logger)
        func line(_ times: [Double]) -> String {
            times.map { String(format: "%.2f s", $0) }.joined(separator: ", ") + String(format: "  (best %.2f s, target < 3 s)", times.min() ?? 0)
        }
        say("")
        say(String(format: "cdevents_raw rows                                  %d (facts %d, metric_points %d)", rows, facts, points))
        say(String(format: "sequential scan, SELECT count(*)       (floor)     %.3f s", scan))
        say(String(format: "sequential scan reading content jsonb              %.3f s", jsonScan))
        say(String(format: "scan of the kept facts' columns                    %.3f s", factScan))
        say("recompute --from-events, \(keys) keys x 4 buckets x (all + per app)  " + line(fromEvents))
        say("recompute (extracted facts kept), same                         " + line(kept))
        say(String(format: "a definition added (lead time by team), computed by the calculator     %.2f s", newDefinition))
        say("a batch of 4 CDEvents on top of the history, to results written:   " + batches.map { String(format: "%.3f s", $0) }.joined(separator: ", "))
        if catchUp {
            // The calculator deriving everything, as after a migration that empties the derived tables and removes the
            // cursor: in bulk (its default for a large backlog), then batch by batch.
            for bulk in [true, false] {
                for statement in [
                    "TRUNCATE deployments, changes, incident_events, incidents, lead_times, metric_points, metric_headlines, metric_computed, metric_pending",
                    "DELETE FROM pipeline_cursors WHERE name = 'calculate'",
                ] {
                    try await client.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                var configuration = MetricCalculator.Configuration()
                if !bulk { configuration.bulkStartRows = .max }
                let seconds = try await timed { try await MetricCalculator(client: client, configuration: configuration, logger: logger).catchUp() }
                say(String(format: "calculator from the start, %@ %.2f s",
                    bulk ? "in bulk (its default)                         " : "batch by batch (\(configuration.batchSize) rows each)          ", seconds))
            }
        }
        for (kind, count) in zip(keptOnly ? ["kept"] : ["--from-events", "kept"], spilled) {
            say(String(format: "PostgreSQL temp files per recompute, %@: %.0f (%.0f MB)", kind, Double(count.files) / Double(runs), Double(count.kilobytes) / 1000 / Double(runs)))
        }
        let (bestFromEvents, bestKept) = (fromEvents.min() ?? 0, kept.min() ?? 0)
        say(String(format: "ratio --from-events / count(*) scan, / jsonb scan  %.1f, %.1f", bestFromEvents / scan, bestFromEvents / jsonScan))
        say(String(format: "ratio kept / count(*) scan, / kept columns scan    %.1f, %.1f", bestKept / scan, bestKept / factScan))
    }
}
