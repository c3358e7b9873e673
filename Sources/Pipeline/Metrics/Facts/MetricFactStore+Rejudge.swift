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
    ///
    /// With `cache` (what this process's previous batch left, ``HistoryCache``), the histories, changes and lead times
    /// it holds are not read again: only the batch's new deployments (merged in order) and the changes of the shas
    /// the batch got. On return `cache` holds everything this batch read and judged.
    func rejudgeTouched(cache: inout HistoryCache.State?, position: CursorPosition, on connection: PostgresConnection) async throws {
        try await run(MetricFactSQL.judgedPartitionsInsert, on: connection)
        var state = cache ?? HistoryCache.State(position: position)
        cache = nil
        let openings = try await readOpenings(partitions: "calc_judge_parts", on: connection).openings
        var leadApps: Set<String> = []
        for try await app in try await connection.query(PostgresQuery(unsafeSQL: MetricFactSQL.leadTimeApps), logger: logger).decode(String.self) {
            leadApps.insert(app)
        }
        var parts: [(app: String, environment: String)] = []
        for try await part in try await connection.query("SELECT app, environment FROM calc_judge_parts", logger: logger).decode((String, String).self) {
            parts.append(part)
        }
        // Histories: the cached ones get the batch's new deployments; the others are read whole (with them).
        let cachedKeys = Set(parts.map { History.key($0.app, $0.environment) }.filter { state.histories[$0] != nil })
        let missing = parts.filter { !cachedKeys.contains(History.key($0.app, $0.environment)) }
        if !missing.isEmpty {
            try await connection.query(
                "INSERT INTO calc_read_parts SELECT * FROM unnest(\(missing.map(\.app))::text[], \(missing.map(\.environment))::text[])",
                logger: logger)
            try await readHistories(
                """
                FROM calc_read_parts p CROSS JOIN LATERAL (
                    SELECT * FROM deployments d WHERE d.app = p.app AND d.environment = p.environment
                    ORDER BY d.time_created, d.cd_source, d.cd_id) d
                """, on: connection
            ) { history in state.histories[History.key(history.app, history.environment)] = history }
        }
        if !cachedKeys.isEmpty {
            try await readHistories(
                """
                FROM calc_new_deploys n JOIN deployments d ON d.cd_source = n.cd_source AND d.cd_id = n.cd_id
                ORDER BY d.app, d.environment, d.time_created, d.cd_source, d.cd_id
                """, on: connection
            ) { new in
                let key = History.key(new.app, new.environment)
                guard cachedKeys.contains(key) else { return }
                for index in new.reports.indices { state.histories[key]?.insert(new, at: index) }
            }
        }
        var gone = COPYText()
        // Changes of the lead-time apps: the cached apps get the shas the batch got, folded again; the others whole.
        let uncachedApps = leadApps.filter { state.changes[$0] == nil }
        if !uncachedApps.isEmpty {
            try await connection.query("INSERT INTO calc_read_apps SELECT unnest(\(Array(uncachedApps))::text[])", logger: logger)
            let read = try await readChanges(.apps("SELECT app FROM calc_read_apps"), on: connection)
            for app in uncachedApps { state.changes[app] = read[app] ?? LeadTimePass.AppChanges() }
            let leads = try await readLeadTimes(apps: "SELECT app FROM calc_read_apps", on: connection)
            for app in uncachedApps {
                let (held, orphans) = AppLeadTimes.stored(leads[app] ?? [], changes: state.changes[app] ?? LeadTimePass.AppChanges())
                state.leadTimes[app] = held
                for (environment, row) in orphans { gone.leadTimeKey(app: app, environment: environment, row) }
            }
        }
        let cachedApps = leadApps.subtracting(uncachedApps)
        if !cachedApps.isEmpty {
            // The apps read whole above (in calc_read_apps) have them already.
            let shas = try await readChanges(
                .shas("SELECT DISTINCT app, sha FROM calc_new_changes WHERE app NOT IN (SELECT app FROM calc_read_apps)"), on: connection)
            for (app, changes) in shas where cachedApps.contains(app) {
                for change in changes.changes { state.changes[app]?.replace(change) }
            }
        }
        var judged = COPYText()
        var leadTimes = COPYText()
        var carriedNow: [String: AppLeadTimes] = [:]
        for part in parts {
            let key = History.key(part.app, part.environment)
            guard var history = state.histories[key], !history.reports.isEmpty else { continue }
            let facts = DeploymentHistoryPass.judge(history.reports, openings: openings[key] ?? [])
            for index in history.reports.indices where facts[index] != history.stored[index] {
                judged.field(history.reports[index].source)
                judged.field(history.reports[index].id)
                judged.facts(facts[index])
            }
            history.stored = facts
            state.histories[key] = history
            if leadApps.contains(part.app), let appChanges = state.changes[part.app] {
                carriedNow[part.app, default: AppLeadTimes()].record(environment: part.environment, count: appChanges.changes.count) { row in
                    Self.leadTimes(reports: history.reports, facts: facts, changes: appChanges, dimensions: { history.carried[$0] }, row)
                }
            }
        }
        for app in leadApps {
            let now = carriedNow[app] ?? AppLeadTimes()
            // Stored lead times no history carries any more are deleted.
            AppLeadTimes.compare(
                now, with: state.leadTimes[app] ?? AppLeadTimes(),
                changed: { leadTimes.leadTime(app: app, environment: $0, $1) }, gone: { gone.leadTimeKey(app: app, environment: $0, $1) })
            state.leadTimes[app] = now
        }
        for (table, columns, chunks) in [
            ("calc_judged", MetricFactSQL.judgedColumns, judged.allChunks), ("calc_lead", History.leadTimeColumns, leadTimes.allChunks),
            ("calc_lead_gone", ["app", "sha", "environment", "cluster"], gone.allChunks),
        ] where !chunks.isEmpty {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                for chunk in chunks { try await writer.write(chunk) }
            }
        }
        cache = state
    }

    /// Streams the deployments `from` selects (a FROM clause with `d` over `deployments`, ordered so each history
    /// arrives whole and in (time, source, id) order) as histories with their stored facts.
    private func readHistories(_ from: String, on connection: PostgresConnection, _ body: (StoredHistory) throws -> Void) async throws {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: RowCells.rows(of: """
                SELECT \(Self.storedRowColumns)
                \(from)
                """)), logger: logger)
        var history = StoredHistory(app: "", environment: "")
        var strings = RepeatedStrings(columns: 22)
        var seen: Set<String> = []
        for try await row in rows {
            let (app, environment, report, team, namespace, stored) = try Self.decodeStoredRow(row, &strings)
            let carried = (team: team, namespace: namespace)
            if app != history.app || environment != history.environment {
                if !history.reports.isEmpty { try body(history) }
                // Each history must arrive whole: judging a part of one would be wrong, silently.
                guard seen.insert(History.key(app, environment)).inserted else {
                    throw RowCellsError(column: 0, problem: "the deployments of \(app) in \(environment) arrived in two runs")
                }
                history = StoredHistory(app: app, environment: environment)
            }
            history.reports.append(report)
            history.carried.append(carried)
            history.stored.append(stored)
        }
        if !history.reports.isEmpty { try body(history) }
    }

    /// The stored lead times of the apps `apps` (a query of app names) selects, by app: each row with its environment.
    private func readLeadTimes(
        apps: String, on connection: PostgresConnection
    ) async throws -> [String: [(environment: String, row: LeadTimeRow)]] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: RowCells.rows(of: """
                SELECT l.app, l.sha, l.environment, l.cluster, l.change_time, l.deploy_time,
                       l.deploy_source, l.deploy_id, l.team, l.namespace, l.hours
                FROM (\(apps)) a(app) CROSS JOIN LATERAL (SELECT * FROM lead_times l WHERE l.app = a.app) l
                """)), logger: logger)
        var stored: [String: [(environment: String, row: LeadTimeRow)]] = [:]
        var strings = RepeatedStrings(columns: 11)
        for try await row in rows {
            try RowCells.read(row) { cells in
                let app = try cells.string(&strings)
                let sha = try cells.string(&strings)
                let environment = try cells.string(&strings)
                let cluster = try cells.string(&strings)
                stored[app, default: []].append((environment, LeadTimeRow(
                    sha: sha, cluster: cluster, changeTime: try cells.time(), deployTime: try cells.time(),
                    deploySource: try cells.string(&strings), deployId: try cells.string(&strings), team: try cells.string(&strings),
                    namespace: try cells.string(&strings), hours: try cells.double())))
            }
        }
        return stored
    }

    /// One app and environment's stored deployments in (time, source, id) order, with their stored facts.
    struct StoredHistory: Sendable {
        let app: String
        let environment: String
        var reports: [DeploymentHistoryPass.Report] = []
        var carried: [(team: String, namespace: String)] = []
        var stored: [DeploymentHistoryPass.Facts] = []

        /// Inserts `other`'s report at `index` in order (after every report that comes before it: time, then source
        /// and id in byte order, as `COLLATE "C"` orders them).
        mutating func insert(_ other: StoredHistory, at index: Int) {
            let report = other.reports[index]
            var position = reports.count
            while position > 0 && Self.precedes(report, reports[position - 1]) { position -= 1 }
            reports.insert(report, at: position)
            carried.insert(other.carried[index], at: position)
            stored.insert(other.stored[index], at: position)
        }

        static func precedes(_ a: DeploymentHistoryPass.Report, _ b: DeploymentHistoryPass.Report) -> Bool {
            if a.time != b.time { return a.time < b.time }
            if a.source != b.source { return a.source.utf8.lexicographicallyPrecedes(b.source.utf8) }
            return a.id.utf8.lexicographicallyPrecedes(b.id.utf8)
        }
    }
}
