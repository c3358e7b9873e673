import EventStore
import Foundation
import PostgresNIO

/// A calculator request that cannot be carried out (e.g. `recompute --metric` of an unknown definition).
public struct MetricCalculatorError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension MetricEngine {
    /// Rebuilds facts from `cdevents_raw` and results from the facts, in one transaction.
    ///
    /// All definitions (`metric` nil): facts up to the newest settled row, the cursor moves there, every Ready
    /// definition is computed in full and results of definitions that are gone are deleted. One definition
    /// (`name` or `namespace/name`): facts are rebuilt up to the cursor (the position the other definitions'
    /// results belong to) and only that definition's results are rebuilt.
    ///
    /// `fromEvents`: every fact is extracted again from the CDEvents' documents. Otherwise what the calculator
    /// extracted from each CDEvent up to the cursor is kept (``MetricFactStore/rebuild(upTo:keeping:samples:readers:on:)``), unless the
    /// cursor is at the start, more than ``keptExtensionLimit`` rows follow it (extending the kept tables row by row,
    /// with their indexes, then costs more than loading everything in bulk), or the fact tables do not hold one row
    /// for each CDEvent up to the cursor (``MetricFactStore/extractedFactsComplete(upTo:on:)``).
    func recompute(metric: String?, fromEvents: Bool = false) async throws -> Outcome {
        let plans = try await plans()
        let selected: [MetricPlan]
        if let metric {
            selected = plans.filter { $0.key == metric || (!metric.contains("/") && $0.name == metric) }
            guard !selected.isEmpty else {
                throw MetricCalculatorError("no Ready MetricDefinition \"\(metric)\" (known: \(plans.map(\.key).joined(separator: ", ")))")
            }
        } else {
            selected = plans
        }
        let now = clock()
        return try await client.withTransaction(logger: logger) { connection in
            var outcome = Outcome()
            let cursor = try await facts.lockCursor(on: connection).position
            guard metric == nil else {
                // One definition: the facts up to the cursor, the position the other definitions' results belong to.
                let kept = try await keptPosition(cursor, fromEvents: fromEvents, rows: 0, on: connection)
                try await facts.rebuild(upTo: cursor, keeping: kept, readers: client, on: connection)
                for plan in selected {
                    try await computeAll(plan, on: connection)
                }
                try await facts.advance(to: cursor, on: connection)
                for plan in selected {
                    outcome.headlines[plan.key] = (plan, try await writeHeadlines(plan, now: now, on: connection), now)
                }
                return outcome
            }
            var end = cursor
            // The newest settled row after the cursor: never before it (rows up to the cursor are settled; asking for
            // the newest settled row overall could go back, e.g. while an autovacuum ANALYZE holds an id in this
            // database).
            if let (last, rows) = try await facts.batchEnd(after: cursor, limit: nil, on: connection) {
                end = last
                outcome.rows = rows
            }
            let kept = try await keptPosition(cursor, fromEvents: fromEvents, rows: outcome.rows, on: connection)
            try await rebuildAll(plans, upTo: end, keeping: kept, now: now, into: &outcome, on: connection)
            return outcome
        }
    }

    /// The position up to which a recompute keeps the extracted facts (see ``recompute(metric:fromEvents:)``), or nil.
    private func keptPosition(_ cursor: CursorPosition, fromEvents: Bool, rows: Int, on connection: PostgresConnection) async throws -> CursorPosition? {
        guard !fromEvents, cursor != .start, rows <= Self.keptExtensionLimit else { return nil }
        guard try await facts.extractedFactsComplete(upTo: cursor, on: connection) else {
            logger.info("the fact tables do not hold a row for every CDEvent up to the calculate cursor (restored or deleted rows?): extracting every fact from the CDEvents again")
            return nil
        }
        return cursor
    }

    /// Every definition of `plans` computed in full from facts rebuilt up to `end` (``MetricFactStore/rebuild(upTo:keeping:samples:readers:on:)``),
    /// in the caller's transaction, which holds the cursor: the built-in keys' points from the pass (``MemoryPoints``), the others
    /// staged, all swapped in (``replaceAllPoints(swapping:keeping:staged:on:)``),
    /// the definitions recorded (results of those gone deleted), the cursor moved to `end`, every headline written.
    func rebuildAll(
        _ plans: [MetricPlan], upTo end: CursorPosition, keeping kept: CursorPosition?, now: Date, into outcome: inout Outcome,
        on connection: PostgresConnection
    ) async throws {
        // The built-in keys' points are computed from the deployments pass's samples and written into a table of
        // their own on another connection while the fact tables are written, in the key's order (PointsTableSwap).
        let inMemory = (pointsInMemory ? plans.filter { $0.inMemory != nil } : []).sorted {
            $0.namespace == $1.namespace ? $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) : $0.namespace.utf8.lexicographicallyPrecedes($1.namespace.utf8)
        }
        let (client, logger) = (client, logger)
        // Keeping the facts with nothing after them, the pass reads the stored lead times' digest and may find them
        // unchanged; the points are then compared with the stored ones, whose digest is read from the start, beside
        // the pass's readers (read once the points are computed, it waited for a core: the points take both).
        let storedPoints = kept == end && !inMemory.isEmpty
            ? Task { try await PointsTableSwap.storedDigest(of: inMemory, client: client, logger: logger) } : nil
        var staging: Task<PointsTableSwap?, any Error>?
        do {
            try await facts.rebuild(
                upTo: end, keeping: kept,
                samples: inMemory.isEmpty
                    ? nil
                    : { samples, writing in
                        // When the transaction only waits for them (it kept the facts and found the lead times
                        // unchanged): both cores for the points, compared with those in metric_points before writing.
                        if writing { storedPoints?.cancel() }
                        staging = Task {
                            try await PointsTableSwap.write(
                                inMemory, samples: samples, width: writing ? 1 : 2, compare: writing ? nil : storedPoints, client: client, logger: logger)
                        }
                    },
                readers: client, on: connection)
            let staged = staging ?? Task { try await PointsTableSwap.write([], samples: nil, width: 1, client: client, logger: logger) }
            staging = staged
            // The other definitions' points, staged (no table when there are none: creating it cost 0.06-0.1 s).
            let others = plans.filter { plan in !inMemory.contains { $0.key == plan.key } }
            if !others.isEmpty {
                try await run("CREATE TEMP TABLE \(Self.stagedPoints) (LIKE metric_points) ON COMMIT DROP", on: connection)
            }
            for plan in others {
                try await computeAll(plan, staged: true, on: connection)
            }
            let start = ContinuousClock.now
            let swap = try await staged.value
            logger.trace("calculator points table staged, waited for", metadata: ["duration": "\(ContinuousClock.now - start)"])
            // Done with before `metric_points` is locked (the swap drops it): a read of it still on its way would wait
            // for this transaction, which would wait for the read.
            storedPoints?.cancel()
            _ = await storedPoints?.result
            for plan in inMemory { try await recordComputed(plan, on: connection) }
            try await replaceAllPoints(swapping: swap, keeping: inMemory, staged: !others.isEmpty, on: connection)
        } catch {
            // The staging is stopped and waited for: nothing of this recompute outlives it (a table it committed is
            // dropped by the next recompute).
            staging?.cancel()
            storedPoints?.cancel()
            _ = await staging?.result
            _ = await storedPoints?.result
            throw error
        }
        _ = try await syncDefinitions(plans, on: connection)
        try await facts.advance(to: end, on: connection)
        for plan in plans {
            outcome.headlines[plan.key] = (plan, try await writeHeadlines(plan, now: now, on: connection), now)
        }
    }

    /// Above this many rows after the cursor, a recompute extracts every fact from the documents again.
    static let keptExtensionLimit = 100_000

    /// The full recompute's points, written without an index or an order (every definition's points are rebuilt).
    static let stagedPoints = "calc_points_rebuild"

    /// Replaces every row of `metric_points` and `metric_pending` with the staged table's points (``PointsTableSwap``)
    /// and, when `staged`, the points of the other plans staged in ``stagedPoints``. Readers of `metric_points` wait only for these statements and the
    /// commit, not for the whole recompute, and see the old points until then. Without a staged table (the points of
    /// `kept` found unchanged), the rows of `kept` stay and every other row is replaced.
    func replaceAllPoints(swapping swap: PointsTableSwap?, keeping kept: [MetricPlan], staged: Bool, on connection: PostgresConnection) async throws {
        try await run("DELETE FROM metric_pending", on: connection)
        if let swap {
            let start = ContinuousClock.now
            try await swap.swapIn(on: connection, logger: logger)
            logger.trace("calculator statement", metadata: ["duration": "\(ContinuousClock.now - start)", "sql": "swap \(PointsTableSwap.table) in"])
        } else {
            // A staged table a failed recompute left is dropped here too.
            try await run("DROP TABLE IF EXISTS \(PointsTableSwap.table)", on: connection)
            // The definitions that have points are found on the key, one index probe each (a scan of every point
            // for `NOT IN` cost 0.2 s for 318,000 points), and only the points of those not kept are deleted.
            try await run(
                """
                WITH RECURSIVE defined(namespace, name) AS (
                    (SELECT namespace, name FROM metric_points ORDER BY namespace, name LIMIT 1)
                    UNION ALL
                    SELECT next.namespace, next.name FROM defined d CROSS JOIN LATERAL (
                        SELECT m.namespace, m.name FROM metric_points m WHERE (m.namespace, m.name) > (d.namespace, d.name)
                        ORDER BY m.namespace, m.name LIMIT 1) next
                )
                DELETE FROM metric_points m
                USING (SELECT * FROM defined EXCEPT SELECT * FROM unnest(\(bind: kept.map(\.namespace)), \(bind: kept.map(\.name)))) gone(namespace, name)
                WHERE m.namespace = gone.namespace AND m.name = gone.name
                """,
                on: connection)
        }
        if staged { try await run("INSERT INTO metric_points SELECT * FROM \(Self.stagedPoints)", on: connection) }
    }
}
