import Foundation
import Logging
import PacerCore
import PacerRules
import PostgresNIO

extension ConfigKind {
    /// The configuration table of this kind (migration 3).
    public var tableName: String {
        switch self {
        case .eventRoutes: "pacer_event_routes"
        case .cdEventTransforms: "pacer_cdevent_transforms"
        case .metricDefinitions: "pacer_metric_definitions"
        }
    }
}

/// Reads and writes the pipeline configuration tables of migration 3 (`pacer_event_routes`,
/// `pacer_cdevent_transforms`, `pacer_metric_definitions`). The table name is one of ``ConfigKind/tableName``'s
/// constants; every value is a bound parameter.
public struct PostgresConfigStore: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts or replaces the record of (namespace, name); `updated_at` is set to now.
    public func upsert(_ kind: ConfigKind, _ record: ConfigRecord) async throws {
        var binds = PostgresBindings()
        binds.append(record.namespace)
        binds.append(record.name)
        binds.append(record.uid)
        binds.append(record.generation)
        binds.append(record.spec.jsonString())
        binds.append(record.ready)
        binds.append(record.message)
        binds.append(record.clusterWide)
        let query = PostgresQuery(
            unsafeSQL: """
                INSERT INTO \(kind.tableName) (namespace, name, uid, generation, spec, ready, message, cluster_wide, updated_at)
                VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, now())
                ON CONFLICT (namespace, name) DO UPDATE SET
                    uid = EXCLUDED.uid, generation = EXCLUDED.generation, spec = EXCLUDED.spec,
                    ready = EXCLUDED.ready, message = EXCLUDED.message, cluster_wide = EXCLUDED.cluster_wide, updated_at = now()
                """, binds: binds)
        try await client.query(query, logger: logger)
    }

    /// Deletes the record of (namespace, name); returns whether there was one.
    @discardableResult
    public func delete(_ kind: ConfigKind, namespace: String, name: String) async throws -> Bool {
        var binds = PostgresBindings()
        binds.append(namespace)
        binds.append(name)
        let query = PostgresQuery(
            unsafeSQL: "DELETE FROM \(kind.tableName) WHERE namespace = $1 AND name = $2 RETURNING name", binds: binds)
        var deleted = false
        for try await _ in try await client.query(query, logger: logger).decode(String.self) { deleted = true }
        return deleted
    }

    /// Every record of `kind`, ordered by namespace and name (`readyOnly`: only the records the pipeline uses).
    public func rows(_ kind: ConfigKind, readyOnly: Bool = false) async throws -> [ConfigRecord] {
        let query = PostgresQuery(
            unsafeSQL: """
                SELECT namespace, name, uid, generation, spec::text, ready, message, cluster_wide FROM \(kind.tableName)
                \(readyOnly ? "WHERE ready" : "") ORDER BY namespace, name
                """)
        var records: [ConfigRecord] = []
        let sequence = try await client.query(query, logger: logger)
            .decode((String, String, String, Int64, String, Bool, String?, Bool).self)
        for try await (namespace, name, uid, generation, spec, ready, message, clusterWide) in sequence {
            records.append(
                ConfigRecord(
                    namespace: namespace, name: name, uid: uid, generation: generation, spec: try JSONValue.parse(spec),
                    ready: ready, message: message, clusterWide: clusterWide))
        }
        return records
    }
}
