import EventStore
import Foundation
import Logging
import PostgresNIO

/// Real PostgreSQL for tests. `make test` starts a throwaway cluster and sets `PACER_TEST_DATABASE_URL`;
/// each test gets a fresh database of its own in it, so tests run in parallel without seeing each other.
public enum TestDatabase {
    public static var baseURL: String? { ProcessInfo.processInfo.environment["PACER_TEST_DATABASE_URL"] }

    /// Database tests run when a database is configured, and always in CI (where a missing one is a failure).
    public static var enabled: Bool { baseURL != nil || ProcessInfo.processInfo.environment["CI"] != nil }

    public static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }()

    public struct NotConfigured: Error, CustomStringConvertible {
        public var description: String { "PACER_TEST_DATABASE_URL is not set: run the tests with `make test`, which starts PostgreSQL" }
    }

    /// `PACER_TEST_KEEP_DATABASES=1` keeps each test's database for a post-mortem (its name is logged).
    static var keepDatabases: Bool { ProcessInfo.processInfo.environment["PACER_TEST_KEEP_DATABASES"] == "1" }

    /// Creates an empty database (`options` appended to its `CREATE DATABASE`, e.g. another collation), runs `body`
    /// with its URL and a running client, then drops it.
    public static func withFreshDatabase<T: Sendable>(
        migrate: Bool = true, options: String = "", _ body: @Sendable (_ client: PostgresClient, _ url: String) async throws -> T
    ) async throws -> T {
        guard let base = baseURL else { throw NotConfigured() }
        let name = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await withClient(url: base) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) \(options)"), logger: logger)
        }
        let url = replacingDatabase(in: base, with: name)
        do {
            let result = try await withClient(url: url) { client in
                if migrate { try await Migrator(client: client, logger: logger).migrate() }
                return try await body(client, url)
            }
            if keepDatabases { logger.notice("kept test database \(name)") } else { try? await dropDatabase(name, base: base) }
            return result
        } catch {
            if keepDatabases { logger.notice("kept test database \(name)") } else { try? await dropDatabase(name, base: base) }
            throw error
        }
    }

    /// Runs `body` with a started PostgresClient for `url`.
    ///
    /// The client runs in a task of its own, cancelled after `body` and waited for at most a minute: a client whose
    /// `run()` does not return after cancellation is left behind with an error logged, instead of holding the test
    /// (and the whole test run) forever.
    public static func withClient<T: Sendable>(url: String, _ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: try DatabaseURL(url).clientConfiguration(), backgroundLogger: logger)
        let running = BoundedTask { await client.run() }
        do {
            let result = try await body(client)
            await running.cancelAndWait(what: "PostgresClient.run() for \(url)")
            return result
        } catch {
            await running.cancelAndWait(what: "PostgresClient.run() for \(url)")
            throw error
        }
    }

    static func dropDatabase(_ name: String, base: String) async throws {
        try await withClient(url: base) { admin in
            try await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
    }

    static func replacingDatabase(in url: String, with name: String) -> String {
        guard var components = URLComponents(string: url) else { return url }
        components.path = "/" + name
        return components.string ?? url
    }
}
