import KubeClient
import KubeCore

/// Storage of the election record. ``KubeLeaseLock`` uses a `coordination.k8s.io/v1` Lease;
/// tests may use an in-memory fake. `update` must fail with a conflict when the lease's
/// resourceVersion is stale.
public protocol LeaseLock: Sendable {
    /// The lease, or nil when it does not exist.
    func get() async throws -> Lease?
    /// Creates the lease (this lock's name and namespace) with the given spec.
    func create(_ spec: Lease.Spec) async throws -> Lease
    /// PUT with `lease.metadata.resourceVersion`; a stale version must throw.
    func update(_ lease: Lease) async throws -> Lease
    /// `namespace/name` for logs.
    var description: String { get }
}

/// A ``LeaseLock`` on a Lease object in the API server.
public struct KubeLeaseLock: LeaseLock {
    let leases: ResourceClient<Lease>
    public let name: String

    public init(client: KubeClient, namespace: String, name: String) {
        self.leases = client.resource(Lease.self, namespace: namespace)
        self.name = name
    }

    public func get() async throws -> Lease? { try await leases.getIfPresent(name) }
    public func create(_ spec: Lease.Spec) async throws -> Lease {
        try await leases.create(Lease(metadata: ObjectMeta(name: name), spec: spec))
    }
    public func update(_ lease: Lease) async throws -> Lease { try await leases.update(lease) }
    public var description: String { "\(leases.namespace ?? "")/\(name)" }
}
