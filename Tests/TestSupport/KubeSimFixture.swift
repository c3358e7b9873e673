import Foundation
import KubeClient
import KubeCore
import KubeSim
import PacerCore

/// Starts a kube-sim (rollouts off) and a client, with namespaces `w`, `elsewhere` and `pacer`; always cleans up.
public func withSim<T: Sendable>(
    configure: (inout KubeSimConfiguration) -> Void = { _ in },
    clientConfiguration: (inout KubeClientConfiguration) -> Void = { _ in },
    _ body: (KubeSim, KubeClient) async throws -> T
) async throws -> T {
    try await SimulatedCluster.with(
        configure: { configuration in
            configuration.rolloutsEnabled = false
            configure(&configuration)
        },
        clientConfiguration: clientConfiguration
    ) { sim, client in
        let namespaces = client.resource(Namespace.self)
        for name in ["w", "elsewhere", "pacer"] {
            _ = try await namespaces.create(Namespace(metadata: ObjectMeta(name: name)))
        }
        return try await body(sim, client)
    }
}

/// A ConfigMap in namespace `namespace`, the object the client and runtime tests create and watch.
public func configMap(_ name: String, namespace: String = "w", data: [String: String] = [:], labels: [String: String] = [:]) throws -> DynamicObject {
    var object = try DynamicObject(JSONValue.object([
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": .object(["name": .string(name), "namespace": .string(namespace)]),
        "data": .object(data.mapValues { .string($0) }),
    ]))
    if !labels.isEmpty { object.metadata.labels = labels }
    return object
}

/// Polls `condition` every 10 ms until it holds; throws `TestTimeout` after `seconds`.
public func eventually(_ seconds: Double = 60, _ condition: @escaping @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TestTimeout()
}
