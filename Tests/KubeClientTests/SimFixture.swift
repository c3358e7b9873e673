import Foundation
import KubeClient
import KubeCore
import KubeSim
import PacerCore

/// Starts a kube-sim on a free port and a KubeClient configured from its kubeconfig; always cleans up.
func withSim<T: Sendable>(
    configure: (inout KubeSimConfiguration) -> Void = { _ in },
    clientConfiguration: (inout KubeClientConfiguration) -> Void = { _ in },
    _ body: (KubeSim, KubeClient) async throws -> T
) async throws -> T {
    var configuration = KubeSimConfiguration()
    configuration.rolloutsEnabled = false
    configure(&configuration)
    let sim = KubeSim(configuration: configuration)
    _ = try await sim.start()
    let client: KubeClient
    do {
        var config = try KubeClientConfiguration.fromKubeconfig(text: sim.kubeconfig())
        config.requestTimeout = .seconds(10)
        clientConfiguration(&config)
        client = try KubeClient(configuration: config)
    } catch {
        await sim.stop()
        throw error
    }
    do {
        let namespaces = client.resource(Namespace.self)
        for name in ["w", "elsewhere", "pacer"] {
            _ = try await namespaces.create(Namespace(metadata: ObjectMeta(name: name)))
        }
    } catch {
        try? await client.shutdown()
        await sim.stop()
        throw error
    }
    do {
        let result = try await body(sim, client)
        try await client.shutdown()
        await sim.stop()
        return result
    } catch {
        try? await client.shutdown()
        await sim.stop()
        throw error
    }
}

func configMap(_ name: String, namespace: String = "w", data: [String: String] = [:], labels: [String: String] = [:]) throws -> DynamicObject {
    var object = try DynamicObject(JSONValue.object([
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": .object(["name": .string(name), "namespace": .string(namespace)]),
        "data": .object(data.mapValues { .string($0) }),
    ]))
    if !labels.isEmpty { object.metadata.labels = labels }
    return object
}

/// Polls `condition` every 10 ms until it holds; throws TimeoutError after `seconds`.
func eventually(_ seconds: Double = 10, _ condition: @escaping @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw TimeoutError()
}
