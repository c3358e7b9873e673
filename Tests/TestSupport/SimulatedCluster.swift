import KubeClient
import KubeSim
import Logging

/// A kube-sim on a free port and a `KubeClient` configured from its kubeconfig, for one test; both are always
/// stopped, whether `body` returns or throws.
public enum SimulatedCluster {
    public static func with<T: Sendable>(
        configure: (inout KubeSimConfiguration) -> Void = { _ in },
        clientConfiguration: (inout KubeClientConfiguration) -> Void = { _ in },
        logger: Logger = Logger(label: "test.kube-sim"),
        _ body: (KubeSim, KubeClient) async throws -> T
    ) async throws -> T {
        var configuration = KubeSimConfiguration()
        configure(&configuration)
        let sim = KubeSim(configuration: configuration, logger: logger)
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
}
