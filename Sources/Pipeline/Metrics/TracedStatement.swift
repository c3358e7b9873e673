import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs `query` and logs it at trace level as a "calculator statement" with its SQL and duration (what
    /// `--trace` of `pacer-bench recompute` and `--log-level trace` show, step by step).
    func runTraced(_ query: PostgresQuery, logger: Logger) async throws {
        let start = ContinuousClock.now
        try await self.query(query, logger: logger)
        logger.trace("calculator statement", metadata: ["duration": "\(ContinuousClock.now - start)", "sql": "\(query.sql)"])
    }
}
