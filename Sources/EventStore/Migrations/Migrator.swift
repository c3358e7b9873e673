import Logging
import PostgresNIO

/// Applies pending migrations, forward only.
///
/// Safe when several replicas start at once: the whole run holds a session-level advisory lock, so one replica
/// migrates while the others wait, then find nothing left to do.
public struct Migrator: Sendable {
    /// The advisory lock key ("pacer" in ASCII, as a number), shared by every Pacer version.
    static let lockKey: Int64 = 0x7061_6365_72

    private let client: PostgresClient
    private let logger: Logger
    private let migrations: [Migration]

    public init(client: PostgresClient, logger: Logger, migrations: [Migration] = Migration.all) {
        self.client = client
        self.logger = logger
        self.migrations = migrations
    }

    /// Applies what is pending and returns the versions it applied (empty when the schema is current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.withConnection { connection in
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))", logger: logger)
            do {
                let applied = try await applyPending(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))", logger: logger)
                throw error
            }
        }
    }

    /// The highest applied version (0 for an empty database).
    public func currentVersion() async throws -> Int {
        try await client.withConnection { connection in
            try await ensureBookkeeping(on: connection)
            return try await appliedVersions(on: connection).max() ?? 0
        }
    }

    private func applyPending(on connection: PostgresConnection) async throws -> [Int] {
        try await ensureBookkeeping(on: connection)
        let done = try await appliedVersions(on: connection)
        if let newest = done.max(), let known = migrations.map(\.version).max(), newest > known {
            throw EventStoreError(.schemaTooNew, "the database schema is at version \(newest) but this Pacer knows only up to \(known): upgrade Pacer")
        }
        var applied: [Int] = []
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !done.contains(migration.version) {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.withTransaction(logger: logger) { transaction in
                for statement in migration.statements {
                    try await transaction.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await transaction.query(
                    "INSERT INTO pacer_schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))",
                    logger: logger)
            }
            applied.append(migration.version)
        }
        return applied
    }

    private func ensureBookkeeping(on connection: PostgresConnection) async throws {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS pacer_schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
    }

    private func appliedVersions(on connection: PostgresConnection) async throws -> Set<Int> {
        var versions = Set<Int>()
        for try await version in try await connection.query("SELECT version FROM pacer_schema_migrations", logger: logger).decode(Int.self) {
            versions.insert(version)
        }
        return versions
    }
}
