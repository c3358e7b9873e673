import ArgumentParser
import Foundation
import Logging
import PacerApp
import PacerDemo

/// `pacer-demo` (`make run`): the whole system on a laptop, with nothing to install but PostgreSQL's binaries. Its own
/// executable so that the operator image (`pacer`) does not ship kube-sim.
@main
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacer-demo",
        abstract: "Run Pacer end to end on an embedded PostgreSQL and kube-sim, play a scripted history and print the four keys.",
        discussion: """
            Without --database-url a private PostgreSQL cluster is started in a temporary folder (Debian's binaries from \
            /usr/lib/postgresql/*/bin); without --kubeconfig kube-sim runs in process. crds/ and examples/ are applied, the \
            operator runs, four weeks of history are imported and the recent part is played live. The four keys per app are \
            printed, then the dashboard is served until Ctrl-C (--no-serve exits after printing). Everything started is stopped \
            and the temporary folder removed on exit.
            """)

    @Option(name: .customLong("database-url"), help: "Use this PostgreSQL instead of an embedded one (env PACER_DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("kubeconfig"), help: "Run against this cluster instead of an in-process kube-sim.")
    var kubeconfig: String?

    @Option(name: .customLong("http-port"), help: "Port of the dashboard, API and ingest (default 8080).")
    var httpPort: Int = 8080

    @Option(name: .customLong("http-host"), help: "Address to bind (default 127.0.0.1).")
    var httpHost: String = "127.0.0.1"

    @Flag(name: .customLong("serve"), inversion: .prefixedNo, help: "Keep serving the dashboard until Ctrl-C (default on).")
    var serve = true

    @Option(name: .customLong("repo-root"), help: "Folder with crds/ and examples/ (default: the working directory, then above the executable).")
    var repoRoot: String?

    @Option(name: .customLong("metrics-timeout"), help: "Seconds to wait for the four keys to be computed (default 30).")
    var metricsTimeout: Int = 30

    @Option(name: .customLong("log-level"), help: "Log level of the operator (default critical, for a clean terminal; logs go to stderr).")
    var logLevel: String = "critical"

    func validate() throws {
        guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be between 0 and 65535, got \(httpPort)") }
        guard httpPort != 0 else { throw ValidationError("--http-port 0 is not supported by the demo: pass a free port") }
        guard metricsTimeout > 0 else { throw ValidationError("--metrics-timeout must be positive") }
        guard Logger.Level(rawValue: logLevel.lowercased()) != nil else {
            throw ValidationError("unknown log level \"\(logLevel)\": use trace, debug, info, notice, warning, error or critical")
        }
    }

    func run() async throws {
        LoggingSetup.bootstrap(level: Logger.Level(rawValue: logLevel.lowercased()) ?? .critical, format: .text)
        var options = DemoOptions()
        options.databaseURL = databaseURL ?? Environment.value("PACER_DATABASE_URL")
        options.kubeconfig = kubeconfig
        options.httpHost = httpHost
        options.httpPort = httpPort
        options.serve = serve
        options.repoRoot = repoRoot
        options.metricsTimeout = .seconds(metricsTimeout)
        // Failures (DemoError and others) are printed as "Error: <message>" with exit status 1.
        try await PacerDemo(options: options, logger: Logger(label: "pacer")).run()
    }
}

enum Environment {
    static func value(_ name: String) -> String? {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else { return nil }
        return value
    }
}
