import EventStore
import PacerCore
import PostgresNIO

extension MetricFactStore {
    /// Fills `deployments` and `lead_times` from the deployment reports up to `to` and the rebuilt `incidents` and
    /// `changes`; `prepare` runs once the reports are all read, before the tables are written.
    ///
    /// ``ReportSource/documents(upTo:)``: the reports are read from the CDEvents' documents and both tables written whole
    /// (they are empty and unindexed once `prepare` has run). ``ReportSource/stored``: the reports are the `deployments`
    /// rows the calculator stored (the fields it extracted, with their facts), updated in place where their facts are
    /// judged otherwise (through `calc_judged`); `lead_times` is written whole. The reports are streamed one app-and-environment history at a time,
    /// judged by ``DeploymentHistoryPass`` and their changes carried by ``LeadTimePass`` in memory (``HistorySplitter``
    /// only splits the rows into histories as they come; the judging tasks decode them, on both cores), and both tables
    /// written back with one `COPY` each. Memory holds the incidents, the changes per sha, the COPY text, and the
    /// reports' rows (their bytes, about 300 per report) from when PostgreSQL sends them until they are judged: while
    /// the incidents and changes are read, nothing holds PostgreSQL back, so at worst every report's (120 MB for
    /// 400,000). The database builds no intermediate relation.
    ///
    /// `samples`, when given, is called with every row the pass writes to both tables and every resolved incident
    /// (``PointSamples``, for ``MemoryPoints``) once the reports are judged, before the tables are written, and whether
    /// this transaction then writes a table in bulk (`lead_times`, or `deployments` from the documents) or only waits.
    ///
    /// `readers`, when given, reads the incidents and the changes on two connections of its own while PostgreSQL sorts
    /// the reports for `connection`: only when this transaction has not written `incidents`, `changes`, `deployments`
    /// or `lead_times`, whose committed rows the other connections then read as this transaction does (the
    /// calculator's writers all hold the cursor this transaction holds). With `readers` and `keepUnchangedLeadTimes`,
    /// a third reads the stored lead times' ``RowsDigest``: when the pass computes the same rows, `lead_times` is
    /// neither prepared nor written, and this returns false (true when it was written).
    @discardableResult
    func loadDeployments(
        from source: ReportSource, prepare: [String], keepUnchangedLeadTimes: Bool = false, samples: ((PointSamples, _ writing: Bool) -> Void)? = nil,
        readers: PostgresClient? = nil, on connection: PostgresConnection
    ) async throws -> Bool {
        var clock = ContinuousClock.now
        func lap(_ step: String) {
            logger.trace("calculator deployments pass step", metadata: ["step": "\(step)", "duration": "\(ContinuousClock.now - clock)"])
            clock = ContinuousClock.now
        }
        let collect = samples != nil
        let compared = keepUnchangedLeadTimes && readers != nil
        let reports = PostgresQuery(unsafeSQL: RowCells.rows(of: "\(source.select) ORDER BY \(source.order)"))
        let (openings, restores): ([String: [DeploymentHistoryPass.Opening]], PointSamples?)
        let changes: [String: LeadTimePass.AppChanges]
        // Each reader in a transaction of its own with the calculator's settings (its sort in memory, as the
        // transaction's). The stored lead times' digest is needed only once the reports are judged: read beside them.
        async let leadTimesRead: RowsDigest? = {
            guard compared, let readers else { return nil }
            return try await read("the stored lead times' digest", on: readers) { try await self.readLeadTimesDigest(on: $0) }
        }()
        let stored: Bool
        if case .stored = source { stored = true } else { stored = false }
        // The reports are split into histories as PostgreSQL sends them (``HistorySplitter``), from the start: PostgreSQL
        // sends them while the incidents and changes are read, instead of after them, and the batches wait in memory
        // (their rows undecoded) for those to be judged.
        let (batches, batchesIn) = AsyncStream.makeStream(of: [StreamedHistory].self)
        let splitter = HistorySplitter(batchesIn)
        let logger = logger
        @Sendable func split() async throws {
            do {
                _ = try await connection.query(reports, logger: logger) { row in try splitter.add(row) }.get()
                splitter.finish()
            } catch {
                splitter.stop()
                throw error
            }
        }
        let splitting: Task<Void, any Error>
        if let readers {
            async let incidentsRead = read("incidents", on: readers) { try await self.readOpenings(collectingRestores: collect, on: $0) }
            async let changesRead = read("changes", on: readers) { try await self.readAllChanges(on: $0) }
            splitting = Task { try await split() }
            do {
                (openings, restores) = try await incidentsRead
                changes = try await changesRead
            } catch {
                splitter.stop()
                _ = await splitting.result
                throw error
            }
            lap("read incidents and changes beside the reports")
        } else {
            (openings, restores) = try await readOpenings(collectingRestores: collect, on: connection)
            lap("read incidents")
            changes = try await readAllChanges(on: connection)
            lap("read changes")
            splitting = Task { try await split() }
        }
        // Each batch is decoded and judged on a child task, at most two at a time, and their COPY text joined in
        // stream order.
        let written = try await HistorySplitter.judge(batches, splitter: splitter, splitting: splitting) { batch in
            try Written(batch, stored: stored, openings: openings, changes: changes, compared: compared, samples: collect)
        }
        lap("judge the reports")
        let storedLeadTimes = try await leadTimesRead
        lap("wait for the stored lead times' digest")
        let leadTimesUnchanged = storedLeadTimes.map { stored in
            written.reduce(into: RowsDigest()) { $0.merge($1.leadTimes.digest) } == stored
        } ?? false
        if let samples, var all = restores {
            for batch in written {
                if let batchSamples = batch.samples { all.append(batchSamples) }
            }
            samples(all, !leadTimesUnchanged || written.contains { !$0.deployments.allChunks.isEmpty })
        }
        if leadTimesUnchanged {
            lap("lead times unchanged (\(storedLeadTimes?.count ?? 0) rows): not written")
        } else {
            for statement in prepare {
                try await run(statement, on: connection)
            }
        }
        for (table, columns, chunks) in [
            ("deployments", History.columns, written.flatMap(\.deployments.allChunks)),
            ("lead_times", History.leadTimeColumns, leadTimesUnchanged ? [] : written.flatMap(\.leadTimes.chunks)),
            ("calc_judged", MetricFactSQL.judgedColumns, written.flatMap(\.judged.allChunks)),
        ] where !chunks.isEmpty {
            try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                for chunk in chunks { try await writer.write(chunk) }
            }
            lap("COPY \(table)")
        }
        if written.contains(where: { !$0.judged.allChunks.isEmpty }) {
            try await run(MetricFactSQL.applyJudged, on: connection)
            lap("update the deployments judged otherwise")
        }
        return !leadTimesUnchanged
    }

    /// `body` on a connection of `readers`, in a transaction of its own with the calculator's settings; traced.
    private func read<T: Sendable>(
        _ what: String, on readers: PostgresClient, _ body: @Sendable @escaping (PostgresConnection) async throws -> T
    ) async throws -> T {
        let start = ContinuousClock.now
        let result = try await readers.withTransaction(logger: logger) { reader in
            try await self.applySettings(on: reader)
            return try await body(reader)
        }
        logger.trace("calculator deployments pass read", metadata: ["read": "\(what)", "duration": "\(ContinuousClock.now - start)"])
        return result
    }

    /// The ``RowsDigest`` of every stored `lead_times` row, computed by PostgreSQL.
    func readLeadTimesDigest(on connection: PostgresConnection) async throws -> RowsDigest {
        try await RowsDigest.stored(RowsDigest.leadTimeColumns, from: "lead_times", on: connection, logger: logger)
    }

    /// Where ``loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)`` reads the deployment reports.
    enum ReportSource {
        /// The deployment CDEvents up to the position, extracted by ``MetricFactSQL/deploymentsSelect(_:)``.
        case documents(upTo: CursorPosition)
        /// The `deployments` rows, with their stored facts.
        case stored

        /// The statement without its order: the report columns, the carried ones (the deployment's name only from the
        /// documents, where the row is written whole), and the stored facts when read (``decodeStoredRow(_:_:)``).
        var select: String {
            switch self {
            case .documents(let to):
                return """
                    SELECT \(MetricFactStore.reportColumns), d.deploy_name, d.team, d.namespace
                    FROM (\(MetricFactSQL.deploymentsSelect(MetricFactSQL.range(from: nil, to: to)))) d
                    """
            case .stored: return "SELECT \(MetricFactStore.storedRowColumns) FROM deployments d"
            }
        }

        /// The reports' order: by app and environment (their histories are contiguous), then time, source and id. Stored,
        /// app and environment in the database's collation: the index `deployments_app_env_time` holds that order
        /// (migration 15), so PostgreSQL sorts nothing (sorting 400,000 reports in byte order cost it 0.8 s; an
        /// incremental sort of the reports of equal time over the index's (app, environment, time_created), 0.25 s). The pass needs each history
        /// contiguous, not the histories in any order.
        var order: String {
            switch self {
            case .documents: return #"d.app COLLATE "C", d.environment COLLATE "C", d.time_created, d.cd_source COLLATE "C", d.cd_id COLLATE "C""#
            case .stored: return #"d.app, d.environment, d.time_created, d.cd_source COLLATE "C", d.cd_id COLLATE "C""#
            }
        }
    }

    /// Every change per app and sha, as ``readChanges(_:on:)`` folds them, read in no order and folded by
    /// sha here: sorting 400,000 changes by app, sha, time, source and id cost PostgreSQL 0.7 s of CPU, the plain
    /// scan 0.1 s. The changes of an app come in the order the scan met them.
    func readAllChanges(on connection: PostgresConnection) async throws -> [String: LeadTimePass.AppChanges] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: RowCells.rows(of: """
                SELECT app, sha, time_created, repository,
                       CASE WHEN repository IS NOT NULL THEN cd_source END, CASE WHEN repository IS NOT NULL THEN cd_id END
                FROM changes
                """)), logger: logger)
        var folds: [String: ChangeFold] = [:]
        var strings = RepeatedStrings(columns: 4)
        for try await row in rows {
            try RowCells.read(row) { cells in
                let app = try cells.string(&strings)
                let sha = try cells.string(&strings)
                let time = try cells.time()
                let repository = try cells.optionalString(&strings)
                // The source and id order rows of the same time, which matters only for the repository named first:
                // read only then (NULL otherwise, which PostgreSQL sends without its send functions).
                let (source, id) = (try cells.optionalStringBytes(), try cells.optionalStringBytes())
                var named: ChangeFold.Named?
                if let repository {
                    guard let source, let id else { throw RowCellsError(column: 4, problem: "a change naming a repository without its source and id") }
                    named = ChangeFold.Named(
                        time: time, repository: repository, source: String(decoding: source, as: UTF8.self), id: String(decoding: id, as: UTF8.self))
                }
                folds[app, default: ChangeFold()].add(sha: sha, time: time, named: named)
            }
        }
        return folds.mapValues(\.folded)
    }

    /// An app's changes folded from its `changes` rows in any order: per sha the earliest time, and the repository of
    /// the earliest row that names one, in (time, source, id) order.
    struct ChangeFold {
        /// A row that names a repository.
        struct Named {
            var time: Int64
            var repository: String
            var source: String
            var id: String

            /// (time, source, id) order, strings by their bytes (`COLLATE "C"`).
            func precedes(_ other: Named) -> Bool {
                if time != other.time { return time < other.time }
                if source != other.source { return source.utf8.lexicographicallyPrecedes(other.source.utf8) }
                return id.utf8.lexicographicallyPrecedes(other.id.utf8)
            }
        }

        private var changes = LeadTimePass.AppChanges()
        /// Per change (by position), the earliest row naming a repository.
        private var named: [Named?] = []
        /// Whether a change's repository was replaced after it was appended (``LeadTimePass/AppChanges/repositories``
        /// then collected again).
        private var renamed = false

        mutating func add(sha: String, time: Int64, named row: Named?) {
            // One lookup that inserts the next position when the sha is new (a lookup, then `append`'s insertion,
            // hashed each sha twice).
            let next = changes.changes.count
            let index = { (slot: inout Int) in slot }(&changes.bySha[sha, default: next])
            guard index != next else {
                changes.appendIndexed(LeadTimePass.Change(sha: sha, time: time, repository: row?.repository))
                named.append(row)
                return
            }
            if time < changes.changes[index].time { changes.changes[index].time = time }
            if let row, named[index].map(row.precedes) ?? true {
                renamed = renamed || changes.changes[index].repository != nil
                changes.replace(LeadTimePass.Change(sha: sha, time: changes.changes[index].time, repository: row.repository))
                named[index] = row
            }
        }

        var folded: LeadTimePass.AppChanges {
            guard renamed else { return changes }
            var folded = LeadTimePass.AppChanges()
            for change in changes.changes { folded.append(change) }
            return folded
        }
    }

    /// Which changes ``readChanges(_:on:)`` reads.
    enum ChangeSelection {
        /// Those of the apps a query of distinct app names selects, read one app at a time by the `(app, sha)` index
        /// (sorting a few hundred rows per app is much cheaper than sorting them all at once).
        case apps(String)
        /// Those of the (app, sha) pairs a query of distinct pairs selects.
        case shas(String)
    }

    /// `changes` per app and sha of the `selection`: the earliest merge and the first repository named, in (time,
    /// source, id) order. Streamed in that order and folded here: an ordered `array_agg` per group costs PostgreSQL
    /// one sort per sha. Every change: ``readAllChanges(on:)``.
    func readChanges(_ selection: ChangeSelection, on connection: PostgresConnection) async throws -> [String: LeadTimePass.AppChanges] {
        let order = "sha COLLATE \"C\", time_created, cd_source, cd_id"
        let columns = "c.app, c.sha, c.time_created, c.repository"
        let sql: String
        switch selection {
        case .apps(let apps):
            sql = """
                SELECT \(columns) FROM (\(apps)) a(app)
                CROSS JOIN LATERAL (SELECT * FROM changes c WHERE c.app = a.app ORDER BY \(order)) c
                """
        case .shas(let shas):
            sql = """
                SELECT \(columns) FROM changes c JOIN (\(shas)) s(app, sha)
                    ON c.app = s.app AND c.sha = s.sha
                ORDER BY c.app COLLATE "C", c.\(order)
                """
        }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: RowCells.rows(of: sql)), logger: logger)
        var changes: [String: LeadTimePass.AppChanges] = [:]
        var strings = RepeatedStrings(columns: 4)
        var group: (app: String, change: LeadTimePass.Change)?
        func flush() {
            if let group { changes[group.app, default: LeadTimePass.AppChanges()].append(group.change) }
        }
        for try await row in rows {
            let (app, sha, time, repository) = try RowCells.read(row) { cells in
                (try cells.string(&strings), try cells.string(&strings), try cells.time(), try cells.optionalString(&strings))
            }
            if let current = group, current.app == app, current.change.sha == sha {
                if current.change.repository == nil, repository != nil { group?.change.repository = repository }
            } else {
                flush()
                group = (app, LeadTimePass.Change(sha: sha, time: time, repository: repository))
            }
        }
        flush()
        return changes
    }

    /// `incidents` by app and environment, each list in (opening time, source, id) order; `partitions`, a relation
    /// with columns `app` and `environment`, limits it to those. When `collectingRestores`, also every resolved incident
    /// as a restore sample (``PointSamples/restore(time:_:hours:)``).
    func readOpenings(
        partitions: String? = nil, collectingRestores: Bool = false, on connection: PostgresConnection
    ) async throws -> (openings: [String: [DeploymentHistoryPass.Opening]], restores: PointSamples?) {
        var restores: PointSamples? = collectingRestores ? PointSamples() : nil
        let dimensions = restores == nil ? "" : ", team, namespace, hours"
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: RowCells.rows(of: """
                SELECT app, environment, cluster, opened_at, resolved_at,
                       link_artifact, link_commit, link_version, link_deployment\(dimensions)
                FROM incidents \(partitions.map { "JOIN \($0) USING (app, environment)" } ?? "") ORDER BY opened_at, open_source, open_id
                """)), logger: logger)
        var openings: [String: [DeploymentHistoryPass.Opening]] = [:]
        var strings = RepeatedStrings(columns: 12)
        for try await row in rows {
            try RowCells.read(row) { cells in
                let app = try cells.string(&strings)
                let environment = try cells.string(&strings)
                let cluster = try cells.string(&strings)
                let opening = DeploymentHistoryPass.Opening(
                    opened: try cells.time(), resolved: try cells.optionalTime(), cluster: cluster,
                    linkArtifact: try cells.optionalString(&strings), linkCommit: try cells.optionalString(&strings),
                    linkVersion: try cells.optionalString(&strings), linkDeployment: try cells.optionalString(&strings))
                openings[History.key(app, environment), default: []].append(opening)
                if restores != nil {
                    let team = try cells.string(&strings)
                    let namespace = try cells.string(&strings)
                    // `hours` is NULL exactly when `resolved_at` is.
                    if let resolved = opening.resolved, let hours = try cells.optionalDouble() {
                        restores?.restore(
                            time: resolved, PointSamples.Dimensions(app: app, environment: environment, team: team, namespace: namespace, cluster: cluster),
                            hours: hours)
                    }
                }
            }
        }
        return (openings, restores)
    }

    /// The columns of a deployment row (`d`) that ``decodeReport(_:_:)`` reads: app, environment, then the report.
    static let reportColumns = """
        d.app, d.environment, d.time_created, d.cd_source, d.cd_id, d.deploy_type, d.deploy_id, d.cluster,
        d.commit, d.version, d.version_key, d.rollout_failed, d.revision
        """

    /// A deployment row's (`d`) stored failure facts, as ``decodeStoredRow(_:_:)`` reads them.
    static let storedFactColumns = """
        d.is_rollback, d.rolled_back, d.incident_failed, d.open_gap, d.incident_resolved_at, d.open_resolved_at,
        d.duplicate
        """

    /// The columns of a stored deployment row (`d`) that ``decodeStoredRow(_:_:)`` reads: the ``reportColumns``, the
    /// team and namespace, the ``storedFactColumns``.
    static let storedRowColumns = "\(reportColumns), d.team, d.namespace, \(storedFactColumns)"

    /// A streamed row of ``storedRowColumns``: its app and environment, report, team and namespace, and stored facts.
    static func decodeStoredRow(
        _ row: PostgresRow, _ strings: inout RepeatedStrings
    ) throws -> (app: String, environment: String, report: DeploymentHistoryPass.Report, team: String, namespace: String, facts: DeploymentHistoryPass.Facts) {
        try RowCells.read(row) { cells in try decodeStoredRow(&cells, &strings) }
    }

    /// The fields of a row of ``storedRowColumns``.
    static func decodeStoredRow(
        _ cells: inout RowCells, _ strings: inout RepeatedStrings
    ) throws -> (app: String, environment: String, report: DeploymentHistoryPass.Report, team: String, namespace: String, facts: DeploymentHistoryPass.Facts) {
        let (app, environment, report) = try decodeReport(&cells, &strings)
        let team = try cells.string(&strings)
        let namespace = try cells.string(&strings)
        let facts = DeploymentHistoryPass.Facts(
            isRollback: try cells.bool(), rolledBack: try cells.bool(), incidentFailed: try cells.bool(),
            openGap: try cells.optionalDouble(), incidentResolvedAt: try cells.optionalTime(), openResolvedAt: try cells.optionalTime(),
            duplicate: try cells.bool())
        return (app, environment, report, team, namespace, facts)
    }

    /// Reads the ``reportColumns`` of a streamed row.
    static func decodeReport(
        _ cells: inout RowCells, _ strings: inout RepeatedStrings
    ) throws -> (app: String, environment: String, report: DeploymentHistoryPass.Report) {
        let app = try cells.string(&strings)
        let environment = try cells.string(&strings)
        let time = try cells.time()
        let report = DeploymentHistoryPass.Report(
            time: time, source: try cells.string(&strings), id: try cells.string(&strings), deployType: try cells.string(&strings),
            deployId: try cells.optionalString(&strings), cluster: try cells.string(&strings), commit: try cells.optionalString(&strings),
            version: try cells.optionalString(&strings), versionKey: try cells.optionalString(&strings), rolloutFailed: try cells.bool(),
            revision: try cells.optionalString(&strings))
        return (app, environment, report)
    }

    /// A `lead_times` row of one app and environment (``History/leadTimeColumns`` after app and environment).
    struct LeadTimeRow: Equatable {
        var sha: String
        var cluster: String
        var changeTime: Int64
        var deployTime: Int64
        var deploySource: String
        var deployId: String
        var team: String
        var namespace: String
        var hours: Double
    }

    /// The `lead_times` rows of one judged history of an app and environment: the changes its reports carry
    /// (``LeadTimePass``), each with the change's position in `changes`, grouped by cluster; `dimensions(index)` gives
    /// a report's team and namespace.
    static func leadTimes(
        reports: [DeploymentHistoryPass.Report], facts: [DeploymentHistoryPass.Facts], changes: LeadTimePass.AppChanges,
        dimensions: (Int) -> (team: String, namespace: String), _ body: (_ position: Int, LeadTimeRow) -> Void
    ) {
        let deployments = reports.indices.map { index in
            LeadTimePass.Deployment(
                time: reports[index].time, cluster: reports[index].cluster, commit: reports[index].commit,
                carries: !reports[index].rolloutFailed && !facts[index].duplicate)
        }
        for carried in LeadTimePass.carry(changes, deployments) {
            let change = changes.changes[carried.change]
            let report = reports[carried.deployment]
            let carrier = dimensions(carried.deployment)
            body(
                carried.change,
                LeadTimeRow(
                    sha: change.sha, cluster: report.cluster, changeTime: change.time, deployTime: report.time, deploySource: report.source,
                    deployId: report.id, team: carrier.team, namespace: carrier.namespace,
                    hours: LeadTimePass.hours(from: change.time, to: report.time)))
        }
    }

    /// The COPY text of a batch of histories, judged; their lead times as ``LeadTimesWritten``.
    private struct Written {
        var deployments = COPYText()
        var leadTimes: LeadTimesWritten
        var judged = COPYText()
        var samples: PointSamples?

        init(
            _ histories: [StreamedHistory], stored: Bool, openings: [String: [DeploymentHistoryPass.Opening]],
            changes: [String: LeadTimePass.AppChanges], compared: Bool, samples: Bool
        ) throws {
            self.samples = samples ? PointSamples() : nil
            leadTimes = LeadTimesWritten(compared: compared)
            for streamed in histories {
                let history = try History(streamed, stored: stored)
                history.write(
                    to: &deployments, judged: &judged, leadTimes: &leadTimes, samples: &self.samples,
                    openings: openings[History.key(history.app, history.environment)] ?? [], changes: changes[history.app])
            }
        }
    }

    /// A pass's `lead_times` rows: as COPY text, or, when they are to be compared with the stored ones (`compared`),
    /// as rows and their ``RowsDigest``, made into COPY text only when they differ (most often they do not, and the
    /// text of 400,000 rows cost the judging tasks about 0.1 s).
    struct LeadTimesWritten {
        let compared: Bool
        private var text = COPYText()
        private var rows: [(app: String, environment: String, row: LeadTimeRow)] = []
        private(set) var digest = RowsDigest()

        init(compared: Bool) { self.compared = compared }

        mutating func add(app: String, environment: String, _ row: LeadTimeRow) {
            if compared {
                rows.append((app, environment, row))
                digest.addLeadTime(app: app, environment: environment, row)
            } else {
                text.leadTime(app: app, environment: environment, row)
            }
        }

        /// The rows as COPY text (``History/leadTimeColumns``).
        var chunks: [ByteBuffer] {
            guard compared else { return text.allChunks }
            var text = COPYText()
            for row in rows { text.leadTime(app: row.app, environment: row.environment, row.row) }
            return text.allChunks
        }
    }

    /// One app and environment's rows as streamed (``ReportSource/select``), not yet decoded: the stream's reader
    /// only splits it into histories (``HistorySplitter``), and each judging task decodes its own, so decoding runs
    /// on both cores. The rows' bytes are copied, one after the other: a `PostgresRow` kept whole keeps the buffer it
    /// was read into (PostgreSQL sends 8 kB at a time; each read takes a buffer of up to 64 kB), and a recompute holds
    /// the rows of many batches while the changes are read.
    struct StreamedHistory: Sendable {
        let app: String
        let environment: String
        /// The rows' row values (``RowCells/record(of:)``), one after the other, and where each ends.
        private(set) var records: [UInt8] = []
        private(set) var ends: [Int] = []

        init(app: String, environment: String) {
            self.app = app
            self.environment = environment
        }

        var count: Int { ends.count }

        mutating func append(_ record: UnsafeRawBufferPointer) {
            records.append(contentsOf: record)
            ends.append(records.count)
        }

        /// Calls `body` with each row's fields, in order.
        func forEach(_ body: (inout RowCells) throws -> Void) throws {
            try records.withUnsafeBytes { all in
                var start = 0
                for end in ends {
                    try RowCells.read(record: UnsafeRawBufferPointer(rebasing: all[start..<end]), body)
                    start = end
                }
            }
        }
    }

    /// One app and environment's reports as streamed, and the columns they carry through unjudged.
    struct History {
        let app: String
        let environment: String
        var reports: [DeploymentHistoryPass.Report] = []
        var carried: [(name: String?, team: String, namespace: String)] = []
        /// Per report, its stored facts (a recompute that keeps the extracted facts); empty when the reports come from
        /// the documents.
        var stored: [DeploymentHistoryPass.Facts] = []

        static func key(_ app: String, _ environment: String) -> String { app + "\u{1F}" + environment }

        init(app: String, environment: String) {
            self.app = app
            self.environment = environment
        }

        /// Decodes `streamed`'s rows: ``storedRowColumns`` when `stored`, else the report columns, the deployment's
        /// name, team and namespace.
        init(_ streamed: StreamedHistory, stored: Bool) throws {
            self.init(app: streamed.app, environment: streamed.environment)
            var strings = RepeatedStrings(columns: 23)
            reports.reserveCapacity(streamed.count)
            carried.reserveCapacity(streamed.count)
            try streamed.forEach { cells in
                if stored {
                    let decoded = try MetricFactStore.decodeStoredRow(&cells, &strings)
                    reports.append(decoded.report)
                    carried.append((nil, decoded.team, decoded.namespace))
                    self.stored.append(decoded.facts)
                } else {
                    let (_, _, report) = try MetricFactStore.decodeReport(&cells, &strings)
                    reports.append(report)
                    carried.append((try cells.optionalString(&strings), try cells.string(&strings), try cells.string(&strings)))
                }
            }
        }

        /// The `deployments` columns written, in order: the report's, the carried ones, the facts.
        static let columns = [
            "cd_source", "cd_id", "time_created", "app", "environment", "cluster", "deploy_type", "deploy_id", "commit", "version",
            "version_key", "deploy_name", "team", "namespace", "rollout_failed", "revision", "is_rollback", "rolled_back",
            "incident_failed", "open_gap", "incident_resolved_at", "open_resolved_at", "duplicate",
        ]

        /// The `lead_times` columns written, in order (``MetricFactSQL/leadTimesColumns``).
        static let leadTimeColumns = [
            "app", "sha", "environment", "cluster", "change_time", "deploy_time", "deploy_source", "deploy_id", "team", "namespace", "hours",
        ]

        /// Judges the history: a report from the documents is written whole to `text` (``columns``), a stored one whose
        /// facts differ to `judged` (``MetricFactSQL/judgedColumns``); the lead times of its changes go to `leadTimes`.
        /// `samples`, when given, gets every deployment and lead time as the tables then hold them.
        func write(
            to text: inout COPYText, judged: inout COPYText, leadTimes: inout LeadTimesWritten, samples: inout PointSamples?,
            openings: [DeploymentHistoryPass.Opening], changes: LeadTimePass.AppChanges?
        ) {
            guard !reports.isEmpty else { return }
            let facts = DeploymentHistoryPass.judge(reports, openings: openings)
            if let changes {
                MetricFactStore.leadTimes(
                    reports: reports, facts: facts, changes: changes, dimensions: { (self.carried[$0].team, self.carried[$0].namespace) }
                ) { _, row in
                    leadTimes.add(app: app, environment: environment, row)
                    samples?.leadTime(
                        time: row.deployTime,
                        PointSamples.Dimensions(app: app, environment: environment, team: row.team, namespace: row.namespace, cluster: row.cluster),
                        hours: row.hours)
                }
            }
            for (index, report) in reports.enumerated() {
                let fact = facts[index]
                if samples != nil {
                    let carry = carried[index]
                    samples?.deployment(
                        time: report.time,
                        PointSamples.Dimensions(app: app, environment: environment, team: carry.team, namespace: carry.namespace, cluster: report.cluster),
                        rolloutFailed: report.rolloutFailed, fact)
                }
                if index < stored.count {
                    if fact != stored[index] {
                        judged.field(report.source)
                        judged.field(report.id)
                        judged.facts(fact)
                    }
                    continue
                }
                let carry = carried[index]
                text.field(report.source)
                text.field(report.id)
                text.time(report.time)
                text.field(app)
                text.field(environment)
                text.field(report.cluster)
                text.field(report.deployType)
                text.field(report.deployId)
                text.field(report.commit)
                text.field(report.version)
                text.field(report.versionKey)
                text.field(carry.name)
                text.field(carry.team)
                text.field(carry.namespace)
                text.bool(report.rolloutFailed)
                text.field(report.revision)
                text.facts(fact)
            }
        }
    }
}

/// PostgreSQL's COPY text format (tab-separated, `\N` for NULL, backslash escapes), in chunks of about 1 MiB.
/// Written byte by byte only where a value needs escaping; otherwise each value is one copy (a profile of the first
/// version, which wrote every byte and allocated per timestamp digit group, had this type at a third of the pass).
struct COPYText {
    private var chunks: [ByteBuffer] = []
    private var current = ByteBuffer()
    private static let chunkSize = 1 << 20

    init() {
        current.reserveCapacity(Self.chunkSize + 4096)
    }

    mutating func field(_ value: String?, last: Bool = false) {
        guard let value else {
            current.writeStaticString("\\N")
            return end(last)
        }
        let plain = value.utf8.withContiguousStorageIfAvailable(Self.isPlain) ?? Self.isPlain(value.utf8)
        if plain {
            current.writeString(value)
        } else {
            for byte in value.utf8 {
                switch byte {
                case UInt8(ascii: "\\"): current.writeStaticString("\\\\")
                case UInt8(ascii: "\t"): current.writeStaticString("\\t")
                case UInt8(ascii: "\n"): current.writeStaticString("\\n")
                case UInt8(ascii: "\r"): current.writeStaticString("\\r")
                default: current.writeInteger(byte)
                }
            }
        }
        end(last)
    }

    /// Whether `bytes` need no escape: no backslash, tab, newline or carriage return (checked over contiguous bytes,
    /// a tight loop; a generic `allSatisfy` over the string's UTF-8 view cost as much as writing the value).
    private static func isPlain<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> Bool {
        for byte in bytes where byte == UInt8(ascii: "\\") || (byte < 14 && (byte == 9 || byte == 10 || byte == 13)) { return false }
        return true
    }

    /// A `lead_times` row (``MetricFactStore/History/leadTimeColumns``).
    mutating func leadTime(app: String, environment: String, _ row: MetricFactStore.LeadTimeRow) {
        field(app)
        field(row.sha)
        field(environment)
        field(row.cluster)
        time(row.changeTime)
        time(row.deployTime)
        field(row.deploySource)
        field(row.deployId)
        field(row.team)
        field(row.namespace)
        field("\(row.hours)", last: true)
    }

    /// The key of a `lead_times` row (app, sha, environment, cluster), as `calc_lead_gone` takes it.
    mutating func leadTimeKey(app: String, environment: String, _ row: MetricFactStore.LeadTimeRow) {
        field(app)
        field(row.sha)
        field(environment)
        field(row.cluster, last: true)
    }

    /// A deployment's failure facts, the last fields of a row: is_rollback, rolled_back, incident_failed, open_gap,
    /// incident_resolved_at, open_resolved_at, duplicate.
    mutating func facts(_ fact: DeploymentHistoryPass.Facts) {
        bool(fact.isRollback)
        bool(fact.rolledBack)
        bool(fact.incidentFailed)
        field(fact.openGap.map { "\($0)" })
        time(fact.incidentResolvedAt)
        time(fact.openResolvedAt)
        bool(fact.duplicate, last: true)
    }

    /// A `double precision[]` value (`{1.5,2.0}`; nil: NULL), each element as Swift prints it (the shortest text that
    /// reads back as the same double).
    mutating func array(_ values: [Double]?, last: Bool = false) {
        guard let values else { return field(nil, last: last) }
        current.writeInteger(UInt8(ascii: "{"))
        for (index, value) in values.enumerated() {
            if index > 0 { current.writeInteger(UInt8(ascii: ",")) }
            current.writeString(value.description)
        }
        current.writeInteger(UInt8(ascii: "}"))
        end(last)
    }

    mutating func bool(_ value: Bool, last: Bool = false) {
        current.writeInteger(value ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        end(last)
    }

    /// Microseconds since 1970 as `YYYY-MM-DD HH:MM:SS.ffffff+00` (years 0…9999), formatted in a stack buffer and
    /// written with one copy.
    mutating func time(_ micros: Int64?, last: Bool = false) {
        guard let micros else { return field(nil, last: last) }
        let perDay: Int64 = 86_400_000_000
        let days = micros >= 0 ? micros / perDay : (micros - perDay + 1) / perDay
        let ofDay = micros - days * perDay
        let date = CivilDate(daysSinceEpoch: Int(days))
        let seconds = Int(ofDay / 1_000_000)
        let fraction = Int(ofDay % 1_000_000)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 29) { buffer in
            func put(_ value: Int, _ width: Int, at offset: Int) {
                var rest = value
                for position in stride(from: offset + width - 1, through: offset, by: -1) {
                    buffer[position] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            put(date.year, 4, at: 0)
            buffer[4] = UInt8(ascii: "-")
            put(date.month, 2, at: 5)
            buffer[7] = UInt8(ascii: "-")
            put(date.day, 2, at: 8)
            buffer[10] = UInt8(ascii: " ")
            put(seconds / 3600, 2, at: 11)
            buffer[13] = UInt8(ascii: ":")
            put(seconds / 60 % 60, 2, at: 14)
            buffer[16] = UInt8(ascii: ":")
            put(seconds % 60, 2, at: 17)
            buffer[19] = UInt8(ascii: ".")
            put(fraction, 6, at: 20)
            buffer[26] = UInt8(ascii: "+")
            buffer[27] = UInt8(ascii: "0")
            buffer[28] = UInt8(ascii: "0")
            current.writeBytes(UnsafeRawBufferPointer(buffer))
        }
        end(last)
    }

    private mutating func end(_ last: Bool) {
        current.writeInteger(last ? UInt8(ascii: "\n") : UInt8(ascii: "\t"))
        if last && current.readableBytes >= Self.chunkSize {
            chunks.append(current)
            current = ByteBuffer()
            current.reserveCapacity(Self.chunkSize + 4096)
        }
    }

    /// Every chunk, the unfinished one included.
    var allChunks: [ByteBuffer] { current.readableBytes > 0 ? chunks + [current] : chunks }
}
