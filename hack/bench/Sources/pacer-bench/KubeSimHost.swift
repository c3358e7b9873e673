import Foundation
import KubeSim
import Logging

/// The kube-sim the watch benchmark talks to: a separate `kube-sim` process (so the resident memory measured in
/// this process is the client's alone) or, without a binary, one in this process.
final class KubeSimHost {
    private let process: Process?
    private let sim: KubeSim?
    let kubeconfigPath: String

    /// The other process's id, when kube-sim runs separately.
    var pid: Int32? { process?.processIdentifier }

    private init(process: Process?, sim: KubeSim?, kubeconfigPath: String) {
        self.process = process
        self.sim = sim
        self.kubeconfigPath = kubeconfigPath
    }

    static func start(binary: String?, historyWindow: Int) async throws -> KubeSimHost {
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-bench-\(getpid()).kubeconfig").path
        try? FileManager.default.removeItem(atPath: kubeconfig)
        guard let binary else {
            var configuration = KubeSimConfiguration()
            configuration.rolloutsEnabled = false
            configuration.historyWindow = historyWindow
            var logger = Logger(label: "kube-sim")
            logger.logLevel = .warning
            let sim = KubeSim(configuration: configuration, logger: logger)
            _ = try await sim.start()
            try sim.writeKubeconfig(to: kubeconfig)
            return KubeSimHost(process: nil, sim: sim, kubeconfigPath: kubeconfig)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--port", "0", "--kubeconfig-out", kubeconfig, "--no-rollouts", "--history-window", String(historyWindow),
            "--log-level", "warning",
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let host = KubeSimHost(process: process, sim: nil, kubeconfigPath: kubeconfig)
        let deadline = ContinuousClock.now + .seconds(30)
        while !FileManager.default.fileExists(atPath: kubeconfig) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                await host.stop()
                throw BenchError("kube-sim (\(binary)) did not write its kubeconfig within 30 s")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return host
    }

    /// Resident memory of kube-sim when it runs as its own process.
    var simResidentKiB: Int? { pid.flatMap { residentKiB(pid: $0) } }

    func stop() async {
        if let sim { await sim.stop() }
        if let process, process.isRunning {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(10)
            while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: kubeconfigPath)
    }
}
