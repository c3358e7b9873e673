import EventStore
import PostgresNIO

extension MetricFactStore {
    /// Incremental: judges again the histories a batch touched, with the rebuild's passes (``DeploymentHistoryPass``,
    /// ``LeadTimePass``), so both paths apply one implementation of the rules.
    ///
    /// The histories are read one at a time by the `(app, environment, time_created)` index, each sorted on its own:
    /// for 60,000 deployments in 240 histories (the pipeline benchmark) that took 160 ms where one sort of them all
    /// took 320 ms.
    ///
    /// The histories: every app and environment in `calc_fail_parts` (a new deployment, or incidents paired again) and
    /// every environment of the apps that got a change or a deployment (their lead times are derived again). They are
    /// streamed from `deployments`, each in (time, source, id) order, with the facts stored now; the reports whose
    /// facts differ go to `calc_judged`, the lead times of those apps that are new or differ from the stored ones to
    /// `calc_lead` and the keys of stored ones no longer carried to `calc_lead_gone`, for the statements of
    /// ``MetricFactSQL/incrementalResults()`` to apply and record as touch points.
    func rejudgeTouched(on connection: PostgresConnection) async throws {
        try await run(MetricFactSQL.judgedPartitionsInsert, on: connection)
        let openings = try await readOpenings(partitions: "calc_judge_parts", on: connection)
        let changes = try await readChanges(apps: MetricFactSQL.leadTimeApps, on: connection)
        var leadApps: Set<String> = []
        for try await app in try await connection.query(PostgresQuery(unsafeSQL: MetricFactSQL.leadTimeApps), logger: logger).decode(String.self) {
            leadApps.insert(app)
        }
        var storedLeadTimes = try await readLeadTimes(on: connection)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT \(Self.reportColumns), d.team, d.namespace, d.is_rollback, d.rolled_back, d.incident_failed, d.open_gap,
                       \(Self.micros("d.incident_resolved_at")), \(Self.micros("d.open_resolved_at")), d.duplicate
                FROM calc_judge_parts p CROSS JOIN LATERAL (
                    SELECT * FROM deployments d WHERE d.app = p.app AND d.environment = p.environment
                    ORDER BY d.time_created, d.cd_source, d.cd_id) d
                """), logger: logger)
        var judged = COPYText()
        var leadTimes = COPYText()
        var history = Stored(app: "", environment: "")
        func finish(_ history: Stored) {
            guard !history.reports.isEmpty else { return }
            let facts = DeploymentHistoryPass.judge(history.reports, openings: openings[History.key(history.app, history.environment)] ?? [])
            for index in history.reports.indices where facts[index] != history.stored[index] {
                judged.field(history.reports[index].source)
                judged.field(history.reports[index].id)
                judged.facts(facts[index])
            }
            if leadApps.contains(history.app), let appChanges = changes[history.app] {
                Self.leadTimes(reports: history.reports, facts: facts, changes: appChanges, dimensions: { history.carried[$0] }) { row in
                    let key = LeadTimeKey(app: history.app, sha: row.sha, environment: history.environment, cluster: row.cluster)
                    if storedLeadTimes.removeValue(forKey: key) != row {
                        leadTimes.leadTime(app: history.app, environment: history.environment, row)
                    }
                }
            }
        }
        var strings = RepeatedStrings(columns: 22)
        var seen: Set<String> = []
        for try await row in rows {
            var cells = RowCells(row)
            let (app, environment, report) = try Self.decodeReport(&cells, &strings)
            let carried = (team: try cells.string(&strings), namespace: try cells.string(&strings))
            let stored = DeploymentHistoryPass.Facts(
                isRollback: try cells.bool(), rolledBack: try cells.bool(), incidentFailed: try cells.bool(),
                openGap: try cells.optionalDouble(), incidentResolvedAt: try cells.optionalInt64(), openResolvedAt: try cells.optionalInt64(),
                duplicate: try cells.bool())
            if app != history.app || environment != history.environment {
                finish(history)
                // Each history must arrive whole: judging a part of one would be wrong, silently.
                guard seen.insert(History.key(app, environment)).inserted else {
                    throw RowCellsError(column: 0, problem: "the deployments of \(app) in \(environment) arrived in two runs")
                }
                history = Stored(app: app, environment: environment)
            }
            history.reports.append(report)
            history.carried.append(carried)
            history.stored.append(stored)
        }
        finish(history)
        // Stored lead times no history carries any more.
        var gone = COPYText()
        for key in storedLeadTimes.keys {
            gone.field(key.app)
            gone.field(key.sha)
            gone.field(key.environment)
            gone.field(key.cluster, last: true)
        }
        for (table, columns, chunks) in [
            ("calc_judged", MetricFactSQL.judgedColumns, judged.allChunks), ("calc_lead", History.leadTimeColumns, leadTimes.allChunks),
            ("calc_lead_gone", ["app", "sha", "environment", "cluster"], gone.allChunks),
        ] where !chunks.isEmpty {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                for chunk in chunks { try await writer.write(chunk) }
            }
        }
    }

    /// The key of a `lead_times` row.
    private struct LeadTimeKey: Hashable {
        var app: String
        var sha: String
        var environment: String
        var cluster: String
    }

    /// The stored lead times of the apps in ``MetricFactSQL/leadTimeApps``, by key.
    private func readLeadTimes(on connection: PostgresConnection) async throws -> [LeadTimeKey: LeadTimeRow] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
                SELECT l.app, l.sha, l.environment, l.cluster, \(Self.micros("l.change_time")), \(Self.micros("l.deploy_time")),
                       l.deploy_source, l.deploy_id, l.team, l.namespace, l.hours
                FROM (\(MetricFactSQL.leadTimeApps)) a(app) CROSS JOIN LATERAL (SELECT * FROM lead_times l WHERE l.app = a.app) l
                """), logger: logger)
        var stored: [LeadTimeKey: LeadTimeRow] = [:]
        var strings = RepeatedStrings(columns: 11)
        for try await row in rows {
            var cells = RowCells(row)
            let key = LeadTimeKey(
                app: try cells.string(&strings), sha: try cells.string(&strings), environment: try cells.string(&strings),
                cluster: try cells.string(&strings))
            stored[key] = LeadTimeRow(
                sha: key.sha, cluster: key.cluster, changeTime: try cells.int64(), deployTime: try cells.int64(),
                deploySource: try cells.string(&strings), deployId: try cells.string(&strings), team: try cells.string(&strings),
                namespace: try cells.string(&strings), hours: try cells.double())
        }
        return stored
    }

    /// One app and environment's stored deployments, in the rebuild's order.
    private struct Stored {
        let app: String
        let environment: String
        var reports: [DeploymentHistoryPass.Report] = []
        var carried: [(team: String, namespace: String)] = []
        var stored: [DeploymentHistoryPass.Facts] = []
    }
}
