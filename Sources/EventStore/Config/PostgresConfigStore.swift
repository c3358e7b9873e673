import Foundation
import Logging
import PacerCore
import PostgresNIO

/// Reads and writes the pipeline configuration tables of migration 3 (`pacer_event_routes`,
/// `pacer_cdevent_transforms`, `pacer_metric_definitions`).
public struct PostgresConfigStore: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts or replaces the row of (namespace, name); `updated_at` is set to now.
    public func upsert(_ table: ConfigTable, _ row: ConfigRow) async throws {
        let spec = row.spec.jsonString()
        var query: PostgresQuery = """
            INSERT INTO pacer_event_routes (namespace, name, uid, generation, spec, ready, message, updated_at)
            VALUES (\(row.namespace), \(row.name), \(row.uid), \(row.generation), \(spec)::jsonb, \(row.ready), \(row.message), now())
            ON CONFLICT (namespace, name) DO UPDATE SET
                uid = EXCLUDED.uid, generation = EXCLUDED.generation, spec = EXCLUDED.spec,
                ready = EXCLUDED.ready, message = EXCLUDED.message, updated_at = now()
            """
        query.sql = query.sql.replacingOccurrences(of: "pacer_event_routes", with: table.tableName)
        try await client.query(query, logger: logger)
    }

    /// Deletes the row of (namespace, name); returns whether there was one.
    @discardableResult
    public func delete(_ table: ConfigTable, namespace: String, name: String) async throws -> Bool {
        var query: PostgresQuery = "DELETE FROM pacer_event_routes WHERE namespace = \(namespace) AND name = \(name) RETURNING name"
        query.sql = query.sql.replacingOccurrences(of: "pacer_event_routes", with: table.tableName)
        var deleted = false
        for try await _ in try await client.query(query, logger: logger).decode(String.self) { deleted = true }
        return deleted
    }

    /// Every row of `table`, ordered by namespace and name (`readyOnly`: only the rows the pipeline uses).
    public func rows(_ table: ConfigTable, readyOnly: Bool = false) async throws -> [ConfigRow] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT namespace, name, uid, generation, spec::text, ready, message FROM \(table.tableName)
                \(readyOnly ? "WHERE ready" : "") ORDER BY namespace, name
                """)
        var rows: [ConfigRow] = []
        let sequence = try await client.query(query, logger: logger)
            .decode((String, String, String, Int64, String, Bool, String?).self)
        for try await (namespace, name, uid, generation, spec, ready, message) in sequence {
            rows.append(
                ConfigRow(
                    namespace: namespace, name: name, uid: uid, generation: generation, spec: try JSONValue.parse(spec),
                    ready: ready, message: message))
        }
        return rows
    }
}
