import ArgumentParser
import Dispatch
import Foundation
import KubeSim
import Logging

/// `kube-sim`: runs the in-memory Kubernetes API server until SIGINT/SIGTERM.
@main
struct KubeSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kube-sim", abstract: "An in-memory Kubernetes API server for tests and demos (works with kubectl).")

    @Option(help: "TCP port on 127.0.0.1 (0 picks a free one).")
    var port: Int = 0

    @Option(name: .customLong("kubeconfig-out"), help: "Write a kubeconfig for this server to this file.")
    var kubeconfigOut: String?

    @Flag(name: .customLong("no-rollouts"), help: "Do not simulate the Deployment controller.")
    var noRollouts = false

    @Option(name: .customLong("rollout-delay"), help: "Delay of each simulated rollout step, in milliseconds.")
    var rolloutDelay: Int = 200

    @Option(name: .customLong("history-window"), help: "Number of change events kept for watch replay.")
    var historyWindow: Int = 10_000

    @Option(name: .customLong("bookmark-interval"), help: "Interval between watch BOOKMARK events, in milliseconds.")
    var bookmarkInterval: Int = 1000

    @Option(help: "Bearer token required on API requests (empty string: no authentication).")
    var token: String = "kube-sim-token"

    @Flag(name: .customLong("no-anonymous-auth"), help: "Refuse requests without a bearer token (kubectl sends none over plain HTTP).")
    var noAnonymousAuth = false

    @Option(name: .customLong("authorization-mode"), help: "AlwaysAllow or RBAC (Roles, ClusterRoles and bindings enforced; 403 otherwise).")
    var authorizationMode: String = "AlwaysAllow"

    @Option(name: .customLong("token-auth-file"), help: "CSV file of further bearer tokens: token,user,uid,\"group1,group2\" per line.")
    var tokenAuthFile: String?

    @Option(name: .customLong("tls-dir"), help: "Serve HTTPS: CA and serving certificate in this directory (made with openssl when ca.crt is missing).")
    var tlsDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        var config = KubeSimConfiguration()
        config.port = port
        config.rolloutsEnabled = !noRollouts
        config.rolloutDelay = .milliseconds(max(0, rolloutDelay))
        config.historyWindow = max(1, historyWindow)
        config.bookmarkInterval = .milliseconds(max(10, bookmarkInterval))
        config.token = token.isEmpty ? nil : token
        config.anonymousAuth = !noAnonymousAuth
        guard let mode = AuthorizationMode(rawValue: authorizationMode) else {
            throw ValidationError("--authorization-mode must be AlwaysAllow or RBAC (got \"\(authorizationMode)\")")
        }
        config.authorizationMode = mode
        if let tlsDirectory {
            config.tls = try KubeSimTLS.generate(in: tlsDirectory)
        }
        if let tokenAuthFile {
            config.staticTokens = try StaticTokenFile.parse(String(contentsOfFile: tokenAuthFile, encoding: .utf8))
        }
        var logger = Logger(label: "kube-sim")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let sim = KubeSim(configuration: config, logger: logger)
        let url = try await sim.start()
        if let kubeconfigOut {
            try sim.writeKubeconfig(to: kubeconfigOut)
        }
        var banner = "kube-sim listening on \(url.absoluteString)\n"
        if let kubeconfigOut { banner += "kubeconfig written to \(kubeconfigOut)\n" }
        FileHandle.standardOutput.write(Data(banner.utf8))

        await Self.waitForTerminationSignal()
        await sim.stop()
    }

    /// Suspends until SIGINT or SIGTERM arrives.
    private static func waitForTerminationSignal() async {
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self)
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        for await _ in signals { break }
        sources.forEach { $0.cancel() }
    }
}
