import Logging
import PostgresNIO

/// The transaction id below which every transaction that can still write this database's tables has ended: the
/// smallest id of a transaction of THIS database still running (or prepared), else the next id to be assigned.
/// The pipeline's cursors read raw rows with `ingest_xid` below it in `(ingest_xid, id)` order, so they never skip
/// a row that commits late and never read one twice. Unlike the server-wide `pg_snapshot_xmin`, transactions of
/// other databases on the same server, and read-only transactions (a `pg_dump`: no transaction id), do not hold it back.
///
/// Two statements, in this order: first the next id `x` (every transaction that will ever get an id below `x`
/// already has it), then the running transactions of this database (`pg_stat_activity.backend_xid`, visible to
/// every role; 32-bit ids widened against `x`). A transaction with an id below the result was not running when the
/// second statement ran, so it had ended, and every later snapshot sees its rows. The caller's own transaction is
/// left out (it reads, it does not write the raw tables).
public enum CommitHorizon {
    public static func current(on connection: PostgresConnection, logger: Logger) async throws -> Int64 {
        var next: Int64 = 0
        for try await value in try await connection.query(
            "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint", logger: logger
        ).decode(Int64.self) {
            next = value
        }
        // Inside a transaction pg_stat_activity is cached from its first use: start from a fresh view.
        try await connection.query("SELECT pg_stat_clear_snapshot()", logger: logger)
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: horizonQuery(next: next, xids: """
                SELECT backend_xid AS xid FROM pg_stat_activity
                WHERE datid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND backend_xid IS NOT NULL
                  AND pid <> pg_backend_pid()
                UNION ALL
                SELECT transaction FROM pg_prepared_xacts WHERE database = current_database()
                """)), logger: logger
        ).decode(Int64.self)
        for try await horizon in rows { return horizon }
        return next
    }

    /// The horizon from `next` and the 32-bit ids `xids` (a query with one `xid` column) of the running transactions:
    /// each id is widened to the 64-bit id nearest `next` (at most 2^31 behind or ahead); ids at or after `next`
    /// belong to transactions that started after `next` was read and cannot hold the horizon below it.
    ///
    /// (Widening every id as "behind `next`" turned a transaction that got its id between the two statements into
    /// one almost 2^32 ids old: a negative horizon, which `xid8` reads as a huge one, so the cursors could pass
    /// rows of transactions still running.)
    static func horizonQuery(next: Int64, xids: String) -> String {
        """
        SELECT least(\(next)::bigint, COALESCE(min(\(next)::bigint + CASE WHEN d >= 2147483648 THEN d - 4294967296 ELSE d END), \(next)::bigint))
        FROM (SELECT (x.xid::text::bigint - \(next)::bigint % 4294967296 + 4294967296) % 4294967296 AS d FROM (\(xids)) x) y
        """
    }
}
