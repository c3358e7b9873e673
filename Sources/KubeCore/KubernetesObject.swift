/// Anything with Kubernetes object metadata that can be sent over the wire.
/// ``DynamicObject`` conforms; its resource type is given per call.
public protocol KubernetesResource: Codable, Sendable {
    var metadata: ObjectMeta { get set }
}

/// A typed Kubernetes object whose resource type is known statically.
public protocol KubernetesObject: KubernetesResource {
    static var resource: ResourceDescriptor { get }
}

extension KubernetesResource {
    /// `namespace/name` of this object; nil when it has no name (e.g. only `generateName`).
    public var key: ObjectKey? { ObjectKey(metadata) }
}
