import Controllers
import EventStore

/// The reconcilers' configuration port, stored in PostgreSQL's `pacer_*` configuration tables.
public struct PostgresPipelineConfigStore: PipelineConfigStore {
    public let store: PostgresConfigStore

    public init(store: PostgresConfigStore) {
        self.store = store
    }

    public func upsert(_ kind: PipelineConfigKind, _ record: PipelineConfigRecord) async throws {
        try await store.upsert(
            Self.table(kind),
            ConfigRow(
                namespace: record.namespace, name: record.name, uid: record.uid, generation: record.generation, spec: record.spec,
                ready: record.ready, message: record.message))
    }

    public func delete(_ kind: PipelineConfigKind, namespace: String, name: String) async throws {
        try await store.delete(Self.table(kind), namespace: namespace, name: name)
    }

    static func table(_ kind: PipelineConfigKind) -> ConfigTable {
        switch kind {
        case .eventRoutes: .eventRoutes
        case .cdEventTransforms: .cdEventTransforms
        case .metricDefinitions: .metricDefinitions
        }
    }
}
