import PacerCore

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
