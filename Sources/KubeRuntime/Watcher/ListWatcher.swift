import KubeClient
import KubeCore

/// What a ``Watcher`` needs from the API: list (paged) and watch. ``ResourceClient`` conforms;
/// tests can use a scripted fake.
public protocol ListWatcher<Object>: Sendable {
    associatedtype Object: KubernetesResource
    /// Human-readable resource name for logs and metric labels (`deployments.apps`).
    var resourceLabel: String { get }
    func list(_ options: ListOptions) async throws -> ObjectList<Object>
    func watchEvents(_ options: WatchOptions) async throws -> any AsyncSequence<WatchEvent<Object>, any Error>
}

extension ResourceClient: ListWatcher {
    public var resourceLabel: String { resource.description }

    public func watchEvents(_ options: WatchOptions) async throws -> any AsyncSequence<WatchEvent<Object>, any Error> {
        try await watch(options)
    }
}
