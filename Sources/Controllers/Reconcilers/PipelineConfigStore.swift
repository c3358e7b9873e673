import PacerCore

/// Which custom resource a configuration record comes from (one configuration table each).
///
/// The raw values equal `EventStore.ConfigTable`'s, so the app adapts with `ConfigTable(rawValue: kind.rawValue)`.
public enum PipelineConfigKind: String, Sendable, Hashable, CaseIterable {
    case eventRoutes
    case cdEventTransforms
    case metricDefinitions
}

/// One custom resource's configuration as the pipeline reads it (same fields as `EventStore.ConfigRow`).
public struct PipelineConfigRecord: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var uid: String
    public var generation: Int64
    /// The resource's `spec`, as written.
    public var spec: JSONValue
    /// Whether the spec compiled.
    public var ready: Bool
    /// The spec errors when not ready.
    public var message: String?

    public init(namespace: String, name: String, uid: String, generation: Int64, spec: JSONValue, ready: Bool, message: String? = nil) {
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.generation = generation
        self.spec = spec
        self.ready = ready
        self.message = message
    }
}

/// The port the reconcilers write configuration through. `PacerApp` implements it over
/// `EventStore.PostgresConfigStore` (Controllers does not import EventStore).
public protocol PipelineConfigStore: Sendable {
    /// Inserts or replaces the record of (namespace, name).
    func upsert(_ kind: PipelineConfigKind, _ record: PipelineConfigRecord) async throws
    /// Removes the record of (namespace, name); no error when there is none.
    func delete(_ kind: PipelineConfigKind, namespace: String, name: String) async throws
}
