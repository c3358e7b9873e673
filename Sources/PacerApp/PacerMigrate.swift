import EventStore
import Logging
import PostgresNIO

/// `pacer migrate`: connect, apply pending migrations, disconnect.
public enum PacerMigrate {
    public static func run(databaseURL: String, logger: Logger) async throws -> [Int] {
        try await withMigratedDatabase(databaseURL: databaseURL, logger: logger) { _, applied in applied }
    }

    /// Connects, applies pending migrations (at most 60 s), runs `body` with the client and the versions applied,
    /// then disconnects. For the one-shot commands (`migrate`, `recompute`).
    static func withMigratedDatabase<T: Sendable>(
        databaseURL: String, logger: Logger, _ body: @Sendable (PostgresClient, [Int]) async throws -> T
    ) async throws -> T {
        let url = try DatabaseURL(databaseURL)
        return try await url.withClient(logger: logger) { client in
            let applied: [Int]
            do {
                applied = try await withDeadline(.seconds(60)) { try await Migrator(client: client, logger: logger).migrate() }
            } catch {
                throw EventStoreError(.unavailable, "migration failed on \(url)", underlying: error)
            }
            return try await body(client, applied)
        }
    }
}
