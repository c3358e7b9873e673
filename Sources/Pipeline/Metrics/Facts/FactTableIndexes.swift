import Foundation
import Logging
import PostgresNIO

/// The fact tables' primary keys and secondary indexes as the database has them (the migrations are their one
/// definition). A full rebuild drops them before the bulk inserts and builds them again afterwards, inside the same
/// transaction: one sorted build is much cheaper than a million index insertions, and maintaining the primary keys
/// row by row was half the cost of loading a fact table.
struct FactTableIndexes: Sendable {
    /// `ALTER TABLE … DROP CONSTRAINT …` and `DROP INDEX …`, keys first.
    var drops: [String] = []
    /// The statements that create them again, keys first (secondary indexes may depend on nothing else).
    var creates: [String] = []

    static let tables = ["deployments", "changes", "incident_events", "incidents", "lead_times"]

    /// Reads the definitions from the catalog (`pg_constraint`, `pg_indexes`) of the current schema: of the fact
    /// tables, or of `tables` (the full recompute also rebuilds `metric_points` this way).
    static func read(of tables: [String] = tables, on connection: PostgresConnection, logger: Logger) async throws -> FactTableIndexes {
        var result = FactTableIndexes()
        let keys = try await connection.query(
            """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype = 'p' AND t.relname = ANY(\(tables)) AND t.relnamespace = current_schema()::regnamespace
            ORDER BY 1
            """, logger: logger)
        var keyNames: Set<String> = []
        for try await (table, name, definition) in keys.decode((String, String, String).self) {
            keyNames.insert(name)
            result.drops.append("ALTER TABLE \(table) DROP CONSTRAINT \(quoted(name))")
            result.creates.append("ALTER TABLE \(table) ADD CONSTRAINT \(quoted(name)) \(definition)")
        }
        let indexes = try await connection.query(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename = ANY(\(tables)) ORDER BY indexname
            """, logger: logger)
        for try await (name, definition) in indexes.decode((String, String).self) where !keyNames.contains(name) {
            result.drops.append("DROP INDEX \(quoted(name))")
            result.creates.append(definition)
        }
        return result
    }

    private static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
