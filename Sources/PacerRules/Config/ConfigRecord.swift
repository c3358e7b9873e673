import PacerCore

/// One custom resource's configuration as the reconcilers store it and the pipeline reads it: a row of the
/// configuration table of its ``ConfigKind``.
public struct ConfigRecord: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var uid: String
    public var generation: Int64
    /// The resource's `spec`, as the user wrote it.
    public var spec: JSONValue
    /// Whether the spec compiled; the pipeline uses only ready records.
    public var ready: Bool
    /// Why the record is not ready (the spec errors); nil when ready.
    public var message: String?
    /// Whether the resource sees every namespace's events (its namespace is cluster-wide, or isolation is off);
    /// false: it sees only its own namespace (``NamespaceScope``, docs/security.md). Decided by the reconciler.
    public var clusterWide: Bool

    public init(
        namespace: String, name: String, uid: String, generation: Int64, spec: JSONValue, ready: Bool, message: String? = nil,
        clusterWide: Bool = true
    ) {
        self.clusterWide = clusterWide
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.generation = generation
        self.spec = spec
        self.ready = ready
        self.message = message
    }

    /// `namespace/name`, the key the pipeline reports and looks records up by.
    public var key: String { "\(namespace)/\(name)" }
}
