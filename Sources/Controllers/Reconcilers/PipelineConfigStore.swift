/// The port the reconcilers write configuration through. `PacerApp` implements it over
/// `EventStore.PostgresConfigStore` (Controllers does not import EventStore).
public protocol PipelineConfigStore: Sendable {
    /// Inserts or replaces the record of (namespace, name).
    func upsert(_ kind: PipelineConfigKind, _ record: PipelineConfigRecord) async throws
    /// Removes the record of (namespace, name); no error when there is none.
    func delete(_ kind: PipelineConfigKind, namespace: String, name: String) async throws
}
