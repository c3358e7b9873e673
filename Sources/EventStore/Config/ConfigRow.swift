import PacerCore

/// One row of a configuration table: a custom resource's spec and whether it compiled.
public struct ConfigRow: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var uid: String
    public var generation: Int64
    /// The resource's `spec` as written by the user.
    public var spec: JSONValue
    /// Whether the spec compiled; the pipeline uses only ready rows.
    public var ready: Bool
    /// Why the row is not ready (the spec errors), nil when ready.
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
