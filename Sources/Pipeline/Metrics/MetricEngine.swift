import EventStore
import Foundation
import Logging
import PacerRules
import PacerCore
import PostgresNIO

/// The calculator's transactions. Each one locks the `calculate` cursor row first, so the service, a second
/// replica and `pacer recompute` never interleave, and commits facts, results and the cursor together.
struct MetricEngine: Sendable {
    let client: PostgresClient
    let logger: Logger
    let batchSize: Int
    /// A first transaction (the cursor at the start) that finds more than `above` rows derives up to `upTo` of them
    /// with ``rebuildAll(_:upTo:keeping:now:into:on:)`` (``MetricCalculator/Configuration/bulkStartRows``); never when
    /// `above` is not below `upTo`.
    let bulk: (above: Int, upTo: Int)
    /// Whether a full computation derives the points of the plans with ``MetricPlan/inMemory`` from the deployments
    /// pass (``MemoryPoints``) rather than in SQL; off only to compare the two.
    var pointsInMemory = true
    let clock: @Sendable () -> Date
    let facts: MetricFactStore
    let config: PostgresConfigStore
    let planCache = MetricPlanCache()

    init(
        client: PostgresClient, logger: Logger, batchSize: Int, bulk: (above: Int, upTo: Int) = (100_000, 1_000_000),
        clock: @escaping @Sendable () -> Date
    ) {
        self.client = client
        self.logger = logger
        self.batchSize = batchSize
        self.bulk = bulk
        self.clock = clock
        self.facts = MetricFactStore(logger: logger)
        self.config = PostgresConfigStore(client: client, logger: logger)
    }

    /// What one transaction did.
    struct Outcome: Sendable {
        /// cdevents_raw rows consumed.
        var rows = 0
        /// New headlines per definition (`namespace/name`) whose headlines were written.
        var headlines: [String: (plan: MetricPlan, rows: [MetricHeadline], at: Date)] = [:]
        /// False when aggregates were deferred (a busy step that found rows).
        var aggregated = true
        /// Deferred steps: definitions whose results changed and whose headlines are still to be written.
        var deferred: Set<String> = []
    }

    /// The Ready definitions the calculator can compute, compiled once per spec (``MetricPlanCache``); the others are
    /// logged once per spec and skipped.
    func plans() async throws -> [MetricPlan] {
        var plans: [MetricPlan] = []
        let rows = try await config.rows(.metricDefinitions, readyOnly: true)
        for row in rows {
            let (plan, isNew) = planCache.plan(key: row.key, specText: row.spec.jsonString() + (row.clusterWide ? "" : "\nnamespaced")) {
                do {
                    return .success(try MetricPlan(namespace: row.namespace, name: row.name, spec: row.spec, clusterWide: row.clusterWide))
                } catch let error as MetricPlan.Unsupported {
                    return .failure(error)
                } catch {
                    return .failure(MetricPlan.Unsupported(description: "\(error)"))
                }
            }
            switch plan {
            case .success(let plan): plans.append(plan)
            case .failure(let reason) where isNew:
                logger.warning("metric definition not calculated", metadata: ["definition": "\(row.key)", "reason": "\(reason)"])
            case .failure: break
            }
        }
        planCache.retain(keys: Set(rows.map(\.key)))
        return plans
    }

    func run(_ statement: SQLFragment, on connection: PostgresConnection) async throws {
        try await connection.runTraced(statement.query, logger: logger)
    }

    func count(_ statement: SQLFragment, on connection: PostgresConnection) async throws -> Int64 {
        let start = ContinuousClock.now
        let query = statement.query
        defer { logger.trace("calculator statement", metadata: ["duration": "\(ContinuousClock.now - start)", "sql": "\(query.sql)"]) }
        for try await value in try await connection.query(query, logger: logger).decode(Int64.self) {
            return value
        }
        return 0
    }

    /// One incremental step: new or changed definitions are computed in full, the next batch of rows becomes facts,
    /// the points of counting metrics are updated by the batch's deltas, the other results they touch are
    /// aggregated again, and headlines are written for the definitions that changed (all of them when
    /// `refreshHeadlines`, since windows slide, and those in `pendingHeadlines`).
    ///
    /// `deferAggregates` (the calculator is busy) and the step finds rows: the touched keys of aggregated metrics
    /// are recorded in `metric_pending` instead, and no headline is written; the definitions that changed are returned in
    /// ``Outcome/deferred``. The next step without it aggregates every pending key. Either way the keys commit with
    /// the cursor, so nothing is lost.
    func step(refreshHeadlines: Bool, deferAggregates: Bool = false, pendingHeadlines: Set<String> = []) async throws -> Outcome {
        let plans = try await plans()
        let now = clock()
        return try await client.withTransaction(logger: logger) { connection in
            var outcome = Outcome()
            let (cursor, writer) = try await facts.lockCursor(on: connection)
            // Nothing calculated yet and a large backlog: every fact and point of its first rows at once, by the
            // recompute's bulk path, several times faster than batch by batch (docs/metrics.md, "Performance").
            if cursor == .start, bulk.above < bulk.upTo, let (end, rows) = try await facts.batchEnd(after: cursor, limit: bulk.upTo, on: connection),
                rows > bulk.above
            {
                logger.info("calculating the stored CDEvents in bulk", metadata: ["rows": "\(rows)"])
                outcome.rows = rows
                try await rebuildAll(plans, upTo: end, keeping: nil, now: now, into: &outcome, on: connection)
                return outcome
            }
            var changed = try await syncDefinitions(plans, on: connection)
            let batch = try await facts.batchEnd(after: cursor, limit: batchSize, on: connection)
            // Nothing new arrived: caught up, so the pending work is done now.
            let deferAggregates = deferAggregates && batch != nil
            outcome.aggregated = !deferAggregates
            var range: String?
            var cached: HistoryCache.State?
            if let (end, rows) = batch {
                outcome.rows = rows
                cached = facts.cache.take(at: cursor, writer: writer)
                try await facts.applyIncremental(from: cursor, to: end, cache: &cached, on: connection)
                try await run("ANALYZE calc_touch", on: connection)
                range = MetricFactSQL.range(from: cursor, to: end)
            }
            // Definitions with keys left by deferred steps (of this process or an earlier one).
            let pendingPlans = deferAggregates ? [] : try await pendingOwners(on: connection)
            // A batch created it with the other temporary tables (MetricFactSQL.temporaryTables).
            if range == nil && !pendingPlans.isEmpty { try await run(SQLFragment(stringLiteral: MetricFactSQL.calcKeysTable), on: connection) }
            for plan in plans where range != nil || pendingPlans.contains(plan.key) {
                if let additive = plan.additive {
                    if range != nil, try await count(plan.deltaUpsert(additive), on: connection) > 0 { changed.insert(plan.key) }
                    continue
                }
                // DELETE, not TRUNCATE: a few rows, and TRUNCATE gives the table a new file each time (0.4–2 ms).
                // Commit empties the table (ON COMMIT DELETE ROWS), so no dead rows outlive the transaction.
                try await run("DELETE FROM calc_keys", on: connection)
                var keys: Int64 = 0
                if let range {
                    if let touches = plan.customTouches(range: range) { try await run(touches, on: connection) }
                    keys = try await count(plan.keysInsert(), on: connection)
                }
                if deferAggregates {
                    if keys > 0 {
                        try await run(plan.pendingInsert(), on: connection)
                        changed.insert(plan.key)
                    }
                    continue
                }
                if pendingPlans.contains(plan.key) { keys += try await count(plan.pendingTake(), on: connection) }
                guard keys > 0 else { continue }
                // Fresh statistics, so the planner hashes the key lists instead of looping over them.
                try await run("ANALYZE calc_keys", on: connection)
                try await run(plan.pointsDelete(restricted: true), on: connection)
                for statement in plan.pointsInsertTouched() { try await run(statement, on: connection) }
                changed.insert(plan.key)
            }
            if let (end, _) = batch {
                let movedBy = try await facts.advance(to: end, on: connection)
                // Kept for the next batch, valid only if this transaction commits (the cursor is then at `end`, moved
                // by this transaction).
                if var cached {
                    cached.position = end
                    cached.writer = movedBy
                    facts.cache.put(cached)
                }
            }
            if deferAggregates {
                outcome.deferred = changed
                return outcome
            }
            for plan in plans where refreshHeadlines || changed.contains(plan.key) || pendingHeadlines.contains(plan.key) {
                outcome.headlines[plan.key] = (plan, try await writeHeadlines(plan, now: now, on: connection), now)
            }
            return outcome
        }
    }

    /// `namespace/name` of the definitions with keys in `metric_pending`.
    func pendingOwners(on connection: PostgresConnection) async throws -> Set<String> {
        var owners = Set<String>()
        let rows = try await connection.query("SELECT DISTINCT namespace, name FROM metric_pending", logger: logger)
        for try await (namespace, name) in rows.decode((String, String).self) { owners.insert("\(namespace)/\(name)") }
        return owners
    }

    /// Computes in full the definitions whose spec differs from the one their results were computed with, and
    /// deletes the results of definitions that are gone; returns the keys computed.
    func syncDefinitions(_ plans: [MetricPlan], on connection: PostgresConnection) async throws -> Set<String> {
        var computed: [String: String] = [:]
        let rows = try await connection.query("SELECT namespace, name, spec FROM metric_computed", logger: logger)
        for try await (namespace, name, spec) in rows.decode((String, String, String).self) {
            computed["\(namespace)/\(name)"] = spec
        }
        var changed = Set<String>()
        for plan in plans where computed[plan.key] != plan.specText {
            try await computeAll(plan, on: connection)
            changed.insert(plan.key)
        }
        let live = Set(plans.map(\.key))
        for key in computed.keys where !live.contains(key) {
            let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            try await deleteResults(namespace: parts[0], name: parts[1], on: connection)
        }
        return changed
    }

    /// Rebuilds every point of `plan` from the facts and records the spec they belong to. `staged`: writes them into
    /// the full recompute's staging table instead (see ``replaceAllPoints(swapping:keeping:staged:on:)``).
    func computeAll(_ plan: MetricPlan, staged: Bool = false, on connection: PostgresConnection) async throws {
        if staged {
            try await run(plan.pointsInsertAll(into: Self.stagedPoints), on: connection)
        } else {
            try await run(plan.pendingDelete(), on: connection)
            try await run(plan.pointsDelete(restricted: false), on: connection)
            try await run(plan.pointsInsertAll(), on: connection)
        }
        try await recordComputed(plan, on: connection)
    }

    /// Records the spec `plan`'s results now belong to.
    func recordComputed(_ plan: MetricPlan, on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            INSERT INTO metric_computed (namespace, name, spec, computed_at) VALUES (\(plan.namespace), \(plan.name), \(plan.specText), now())
            ON CONFLICT (namespace, name) DO UPDATE SET spec = EXCLUDED.spec, computed_at = now()
            """, logger: logger)
    }

    func deleteResults(namespace: String, name: String, on connection: PostgresConnection) async throws {
        try await connection.query("DELETE FROM metric_points WHERE namespace = \(namespace) AND name = \(name)", logger: logger)
        try await connection.query("DELETE FROM metric_headlines WHERE namespace = \(namespace) AND name = \(name)", logger: logger)
        try await connection.query("DELETE FROM metric_computed WHERE namespace = \(namespace) AND name = \(name)", logger: logger)
        try await connection.query("DELETE FROM metric_pending WHERE namespace = \(namespace) AND name = \(name)", logger: logger)
    }
}
