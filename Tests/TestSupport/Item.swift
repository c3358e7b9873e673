import KubeCore

/// A minimal namespaced object for watch-stream, watcher and store tests.
public struct Item: KubernetesResource, Equatable {
    public var metadata: ObjectMeta
    public var value: Int?

    public init(metadata: ObjectMeta, value: Int? = nil) {
        self.metadata = metadata
        self.value = value
    }

    public static func make(_ name: String, rv: String, namespace: String = "ns", value: Int? = nil, uid: String? = nil) -> Item {
        Item(metadata: ObjectMeta(name: name, namespace: namespace, resourceVersion: rv, uid: uid ?? "uid-\(name)"), value: value)
    }
}
