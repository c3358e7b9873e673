import EventStore
import Logging
import PostgresNIO

/// `pacer migrate`: connect, apply pending migrations, disconnect.
public enum PacerMigrate {
    public static func run(databaseURL: String, logger: Logger) async throws -> [Int] {
        let url = try DatabaseURL(databaseURL)
        let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: [Int]?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            do {
                return try await withDeadline(.seconds(60)) { try await Migrator(client: client, logger: logger).migrate() }
            } catch {
                throw EventStoreError(.unavailable, "migration failed on \(url)", underlying: error)
            }
        }
    }
}
