import PacerRules

/// The port the reconcilers write configuration through. `PacerApp` conforms `EventStore.PostgresConfigStore` to
/// it (Controllers does not import EventStore).
public protocol ResourceConfigStore: Sendable {
    /// Inserts or replaces the record of (namespace, name).
    func upsert(_ kind: ConfigKind, _ record: ConfigRecord) async throws
    /// Removes the record of (namespace, name); returns whether there was one (none is not an error).
    @discardableResult
    func delete(_ kind: ConfigKind, namespace: String, name: String) async throws -> Bool
}
