/// Core v1 Namespace (metadata and phase).
public struct Namespace: KubernetesObject, Hashable {
    public static let resource = ResourceDescriptor.namespaces

    public var metadata: ObjectMeta
    public var status: Status?

    public init(metadata: ObjectMeta, status: Status? = nil) {
        self.metadata = metadata
        self.status = status
    }

    /// `NamespaceStatus`: `Active` or `Terminating`.
    public struct Status: Codable, Sendable, Hashable {
        public var phase: String?

        public init(phase: String? = nil) { self.phase = phase }
    }
}
