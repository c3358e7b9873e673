import Foundation
import Logging
import PostgresNIO

/// The fact tables' primary keys and secondary indexes as the database has them (the migrations are their one
/// definition). A full rebuild drops them before the bulk inserts and builds them again afterwards, inside the same
/// transaction: one sorted build is much cheaper than a million index insertions, and maintaining the primary keys
/// row by row was half the cost of loading a fact table.
struct FactTableIndexes: Sendable {
    /// The keys, then the secondary indexes.
    var entries: [Entry] = []

    /// `ALTER TABLE … DROP CONSTRAINT …` and `DROP INDEX …`, keys first.
    var drops: [String] { entries.map(\.drop) }
    /// The statements that create them again, keys first (secondary indexes may depend on nothing else).
    var creates: [String] { entries.map(\.create) }

    /// A primary key or a secondary index of a table.
    struct Entry: Sendable {
        var table: String
        var name: String
        /// `pg_get_constraintdef` of a key (`PRIMARY KEY (…)`), `pg_indexes.indexdef` of an index (`CREATE INDEX …`).
        var definition: String
        var isKey: Bool

        var drop: String { isKey ? "ALTER TABLE \(table) DROP CONSTRAINT \(FactTableIndexes.quoted(name))" : "DROP INDEX \(FactTableIndexes.quoted(name))" }
        var create: String { isKey ? addKey(named: name, on: table) : definition }

        /// The statement that creates the same key or index on `other`, a table with the same columns, named `name`.
        func create(named name: String, on other: String) throws -> String {
            if isKey { return addKey(named: name, on: other) }
            // `CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING method (…) …`: the part from USING on is kept.
            guard definition.hasPrefix("CREATE "), let using = definition.range(of: " USING ") else {
                throw FactTableIndexesError(description: "index \(self.name) of \(table): unexpected definition \(definition)")
            }
            let unique = definition.hasPrefix("CREATE UNIQUE INDEX ") ? "UNIQUE " : ""
            return "CREATE \(unique)INDEX \(FactTableIndexes.quoted(name)) ON \(other)\(definition[using.lowerBound...])"
        }

        private func addKey(named name: String, on table: String) -> String {
            "ALTER TABLE \(table) ADD CONSTRAINT \(FactTableIndexes.quoted(name)) \(definition)"
        }
    }

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
            result.entries.append(Entry(table: table, name: name, definition: definition, isKey: true))
        }
        let indexes = try await connection.query(
            """
            SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = current_schema() AND tablename = ANY(\(tables)) ORDER BY indexname
            """, logger: logger)
        for try await (table, name, definition) in indexes.decode((String, String, String).self) where !keyNames.contains(name) {
            result.entries.append(Entry(table: table, name: name, definition: definition, isKey: false))
        }
        return result
    }

    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

struct FactTableIndexesError: Error, CustomStringConvertible {
    var description: String
}
