import AsyncHTTPClient
import Foundation
import KubeSim
import Logging
import PacerApp
import Synchronization
import UnixSignals

/// `pacer-demo`: PostgreSQL and kube-sim on an embedded default, the operator in process, a scripted history,
/// the four keys per app as a table, then the dashboard until Ctrl-C. Everything it starts is stopped and its
/// temporary folder removed on every exit path (success, error, SIGINT/SIGTERM).
public struct PacerDemo: Sendable {
    public let options: DemoOptions
    public let logger: Logger
    let terminal = DemoTerminal()

    public init(options: DemoOptions, logger: Logger) {
        self.options = options
        self.logger = logger
    }

    /// What the demo started, for cleanup after the structured part has ended (and for the watchdog).
    final class Started: Sendable {
        let postgres = Mutex<EmbeddedPostgres?>(nil)
        let cluster = Mutex<DemoCluster?>(nil)
    }

    struct Interrupted: Error {}

    public func run() async throws {
        let repoRoot = try DemoRepoRoot.find(options.repoRoot)
        guard EmbeddedPostgres.portIsFree(host: options.httpHost, port: options.httpPort) else {
            throw DemoError("\(options.httpHost):\(options.httpPort) is already in use: stop what runs there or pass --http-port")
        }
        let directory = try DemoTemporaryDirectory.make()
        let started = Started()
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                        DemoWatchdog.arm(started: started, directory: directory)
                        throw Interrupted()
                    }
                }
                group.addTask { try await self.play(repoRoot: repoRoot, directory: directory, started: started) }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch is Interrupted {
            terminal.line("\n▸ interrupted")
        } catch {
            failure = error
        }
        terminal.line("▸ shutting down: operator, kube-sim, PostgreSQL…")
        await started.cluster.withLock { $0 }?.stop()
        await started.postgres.withLock { $0 }?.stop()
        try? FileManager.default.removeItem(atPath: directory)
        if let failure { throw failure }
    }

    /// Starts PostgreSQL (unless given) and the cluster, applies the manifests, then runs the operator next to the
    /// script (and, with `serve`, keeps serving until the operator stops on SIGINT/SIGTERM).
    private func play(repoRoot: String, directory: String, started: Started) async throws {
        let crds = try DemoCluster.manifests(in: repoRoot + "/crds")
        let examples = try DemoCluster.manifests(in: repoRoot + "/examples")
        let databaseURL: String
        if let url = options.databaseURL {
            databaseURL = url
        } else {
            let postgres = try await terminal.step("starting PostgreSQL (embedded, temporary)") {
                try await EmbeddedPostgres.start(in: directory)
            } detail: { "\($0.binDirectory), port \($0.port)" }
            started.postgres.withLock { $0 = postgres }
            databaseURL = postgres.url
        }
        try await terminal.step("migrating the database") {
            try await PacerMigrate.run(databaseURL: databaseURL, logger: logger)
        } detail: { $0.isEmpty ? "up to date" : "\($0.count) migrations" }
        let cluster = try await terminal.step(options.kubeconfig == nil ? "starting kube-sim (in process)" : "connecting to the cluster") {
            try await DemoCluster.start(kubeconfig: options.kubeconfig, directory: directory, logger: logger)
        } detail: { $0.sim?.url.absoluteString ?? $0.kubeconfig }
        started.cluster.withLock { $0 = cluster }
        try await terminal.step("applying CRDs") { try await cluster.apply(files: crds) } detail: { "\($0.values.reduce(0, +)) objects" }
        let pipeline = try await terminal.step("applying the default pipeline (examples/)") {
            try await cluster.apply(files: examples)
        } detail: { $0.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ") }

        var server = PacerConfiguration(databaseURL: databaseURL)
        server.httpHost = options.httpHost
        server.httpPort = options.httpPort
        var configuration = OperatorConfiguration(server: server)
        configuration.kubeconfig = cluster.kubeconfig
        configuration.clusterName = DemoHistory.clusterName
        configuration.identity = "pacer-demo"
        let operatorConfiguration = configuration
        let base = "http://\(options.httpHost == "0.0.0.0" ? "127.0.0.1" : options.httpHost):\(options.httpPort)"
        let database = DemoDatabase(databaseURL: databaseURL, logger: logger)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Returns on SIGINT/SIGTERM (graceful shutdown), which ends the demo.
                try await PacerOperator(configuration: operatorConfiguration, logger: logger).run()
            }
            group.addTask {
                let http = HTTPClient(eventLoopGroupProvider: .singleton)
                do {
                    let script = DemoScript(
                        options: options, terminal: terminal, cluster: cluster, api: DemoAPIClient(base: base, http: http),
                        database: database, pipeline: pipeline)
                    try await script.run()
                    try await http.shutdown()
                } catch {
                    try? await http.shutdown()
                    throw error
                }
                if self.options.serve {
                    self.terminal.line("")
                    self.terminal.line("Dashboard and API: \(base)/   (Ctrl-C to stop)")
                    self.terminal.line("Custom resources:  kubectl --kubeconfig \(cluster.kubeconfig) get metricdefinitions")
                    try await Task.sleep(for: .seconds(365 * 86_400))
                }
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
