import Foundation
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

extension SimulatedCluster {
    /// A kube-sim on a free port, its kubeconfig written under `.tmp/` and the real kubectl pointed at it (working
    /// directory: the repository root, so `kubectl apply -f crds/` works), for one test. The simulator is stopped and
    /// the files are removed whether `body` returns or throws. `body` gets the kubectl and the kubeconfig path (for
    /// the operator under test).
    public static func withKubectl<T: Sendable>(
        logger: Logger = Logger(label: "test.kube-sim"),
        _ body: (_ kubectl: Kubectl, _ kubeconfig: String) async throws -> T
    ) async throws -> T {
        let sim = KubeSim(configuration: KubeSimConfiguration(), logger: logger)
        _ = try await sim.start()
        let kubeconfig = RepoPaths.root + "/.tmp/kubeconfig-\(UUID().uuidString)"
        defer {
            try? FileManager.default.removeItem(atPath: kubeconfig)
            try? FileManager.default.removeItem(atPath: kubeconfig + "-cache")
        }
        do {
            try sim.writeKubeconfig(to: kubeconfig)
            let kubectl = Kubectl(kubeconfig: kubeconfig, cacheDirectory: kubeconfig + "-cache", workingDirectory: RepoPaths.root)
            let result = try await body(kubectl, kubeconfig)
            await sim.stop()
            return result
        } catch {
            await sim.stop()
            throw error
        }
    }
}
