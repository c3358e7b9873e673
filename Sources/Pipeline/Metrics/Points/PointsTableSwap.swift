import Logging
import PostgresNIO

/// A full recompute's points written into a table of their own, ``table``, on a pooled connection of their own while
/// the recompute's transaction writes the fact tables; the transaction then swaps it in for `metric_points`
/// (``swapIn(on:logger:)``). The two writes then run side by side, one backend each, instead of one after the other
/// in one backend (docs/metrics.md, "Performance").
///
/// The table is created like `metric_points` (columns, defaults, constraints, storage, as the migrations made it;
/// the privileges granted on it to other roles) without its indexes, filled with one `COPY`, and `metric_points`' keys and indexes (read from the catalog) built
/// once over it under names of their own, renamed when swapped in; all in one transaction, committed before the
/// swap. When the recompute's transaction fails after that, the table is left behind unused and the next recompute
/// drops it first. The recompute's transaction holds the calculator's cursor, so no two recomputes stage at once.
struct PointsTableSwap: Sendable {
    static let table = "metric_points_next"

    /// `ALTER INDEX … RENAME`: the staged table's keys and indexes to `metric_points`' names.
    let renames: [String]

    /// Creates ``table`` and writes the points of `plans` (those with ``MetricPlan/inMemory``) computed from
    /// `samples` (``MemoryPoints/texts(_:samples:width:_:)``: `width` plans at a time, each plan's text copied as soon as it is
    /// computed), in the order of `metric_points`' key when the plans come sorted by namespace and name.
    ///
    /// `compare`, the ``storedDigest(of:client:logger:)`` of `plans` being read: first only the points'
    /// ``RowsDigest`` is computed (``MemoryPoints/digest(_:samples:width:)``); equal to the stored one, nothing is
    /// written and this returns nil (the rows are there already); different, the points are computed again with their
    /// text and written.
    static func write(
        _ plans: [MetricPlan], samples: PointSamples?, width: Int, compare stored: Task<RowsDigest, any Error>? = nil, client: PostgresClient,
        logger: Logger
    ) async throws -> PointsTableSwap? {
        if let stored, let samples {
            let start = ContinuousClock.now
            let digest = try await MemoryPoints.digest(plans, samples: samples, width: width)
            let unchanged = try await stored.value == digest
            logger.trace(
                "calculator points compared with metric_points",
                metadata: ["duration": "\(ContinuousClock.now - start)", "rows": "\(digest.count)", "unchanged": "\(unchanged)"])
            // Different: computed again below with their text (rare: rules changed, rows lost or edited by hand).
            if unchanged { return nil }
        }
        // One transaction: the key is built over rows this transaction wrote, whose visibility it need not look up
        // (built after a separate commit, it took 0.7 s instead of 0.2 s for 318,000 points).
        return try await client.withTransaction(logger: logger) { connection in
            func run(_ sql: String) async throws { try await connection.runTraced(PostgresQuery(unsafeSQL: sql), logger: logger) }
            let indexes = try await FactTableIndexes.read(of: ["metric_points"], on: connection, logger: logger)
            try await run("DROP TABLE IF EXISTS \(table)")
            try await run("""
                CREATE TABLE \(table) (LIKE metric_points INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE \
                INCLUDING COMPRESSION INCLUDING GENERATED INCLUDING IDENTITY INCLUDING STATISTICS INCLUDING COMMENTS)
                """)
            // What others were granted on metric_points (a dashboard's read-only role, say), granted again.
            for grant in try await grants(on: connection, logger: logger) { try await run(grant) }
            if let samples, !plans.isEmpty {
                let start = ContinuousClock.now
                try await connection.copyFrom(table: table, columns: MemoryPoints.columns, logger: logger) { writer in
                    try await MemoryPoints.texts(plans, samples: samples, width: width) { chunks in
                        for chunk in chunks { try await writer.write(chunk) }
                    }
                }
                logger.trace("calculator statement", metadata: ["duration": "\(ContinuousClock.now - start)", "sql": "COPY \(table)"])
            }
            var renames: [String] = []
            for (number, entry) in indexes.entries.enumerated() {
                let staged = "\(table)_\(number)"
                try await run(try entry.create(named: staged, on: table))
                renames.append("ALTER INDEX \(FactTableIndexes.quoted(staged)) RENAME TO \(FactTableIndexes.quoted(entry.name))")
            }
            // A new table has no statistics: a small sample (3,000 rows; 0.02 s against 0.17 s for the default 30,000)
            // gives the planner its sizes and value spread until autovacuum analyzes it in full after the inserts.
            try await run("SET LOCAL default_statistics_target = 10")
            try await run("ANALYZE \(table)")
            return PointsTableSwap(renames: renames)
        }
    }

    /// The ``RowsDigest`` of the rows of `metric_points` of `plans` (those with ``MetricPlan/inMemory``), read on a
    /// connection of `client` (what the caller's transaction sees when it has written none: the committed rows).
    static func storedDigest(of plans: [MetricPlan], client: PostgresClient, logger: Logger) async throws -> RowsDigest {
        let start = ContinuousClock.now
        let digest = try await client.withTransaction(logger: logger) { try await storedDigest(of: plans, on: $0, logger: logger) }
        logger.trace("calculator points' stored digest read", metadata: ["duration": "\(ContinuousClock.now - start)", "rows": "\(digest.count)"])
        return digest
    }

    private static func storedDigest(of plans: [MetricPlan], on connection: PostgresConnection, logger: Logger) async throws -> RowsDigest {
        let computed = plans.filter { $0.inMemory != nil }
        var bindings = PostgresBindings()
        bindings.append(computed.map(\.namespace))
        bindings.append(computed.map(\.name))
        return try await RowsDigest.stored(
            RowsDigest.pointColumns, from: "metric_points", where: "(namespace, name) IN (SELECT * FROM unnest($1::text[], $2::text[]))",
            binds: bindings, on: connection, logger: logger)
    }

    /// `GRANT` statements giving ``table`` the privileges others than its owner hold on `metric_points`.
    private static func grants(on connection: PostgresConnection, logger: Logger) async throws -> [String] {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: """
            SELECT format('GRANT %s ON \(table) TO %s%s', a.privilege_type,
                          CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                          CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)
            FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
            WHERE c.oid = 'metric_points'::regclass AND a.grantee <> c.relowner
            ORDER BY 1
            """), logger: logger)
        var grants: [String] = []
        for try await grant in rows.decode(String.self) { grants.append(grant) }
        return grants
    }

    /// In the recompute's transaction: `metric_points` dropped and the staged table, its keys and indexes renamed in
    /// its place. Readers of `metric_points` wait from here to the commit and then read the new table. When something
    /// made by hand depends on `metric_points` (a view or rule over it, a trigger on it), which dropping the table would
    /// refuse or lose, its rows are replaced in place instead (slower: its key maintained row by row).
    func swapIn(on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(
            """
            SELECT EXISTS (SELECT 1 FROM pg_depend WHERE refobjid = 'metric_points'::regclass AND classid = 'pg_rewrite'::regclass)
                OR EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = 'metric_points'::regclass AND NOT tgisinternal)
            """, logger: logger)
        var dependents = false
        for try await exists in rows.decode(Bool.self) { dependents = exists }
        let statements = dependents
            ? ["TRUNCATE metric_points", "INSERT INTO metric_points SELECT * FROM \(Self.table)", "DROP TABLE \(Self.table)"]
            : ["DROP TABLE metric_points", "ALTER TABLE \(Self.table) RENAME TO metric_points"] + renames
        for sql in statements {
            try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        }
    }
}
