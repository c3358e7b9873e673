import AsyncHTTPClient
import EventModel
import EventStore
import Dispatch
import Foundation
import KubeSim
import Logging
import NIOCore
import NIOHTTP1
import PacerApp
import PacerCore
import PostgresNIO
import Synchronization
import UnixSignals

#if canImport(Glibc)
import Glibc
#endif

/// Settings of `pacer-demo`.
public struct DemoOptions: Sendable {
    /// PostgreSQL to use; nil starts a private cluster in a temporary folder.
    public var databaseURL: String?
    /// A real cluster; nil starts kube-sim in process.
    public var kubeconfig: String?
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// Keep serving the dashboard and API until Ctrl-C (`--no-serve`: exit after printing the table).
    public var serve = true
    /// Folder that holds `crds/` and `examples/` (default: the working directory, then the executable's ancestors).
    public var repoRoot: String?
    /// How long to wait for the calculator to publish the four keys.
    public var metricsTimeout: Duration = .seconds(30)

    public init() {}
}

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

    /// What the demo started, for cleanup after the structured part has ended.
    final class Started: Sendable {
        let postgres = Mutex<EmbeddedPostgres?>(nil)
        let cluster = Mutex<DemoCluster?>(nil)
    }

    struct Interrupted: Error {}

    public func run() async throws {
        let repoRoot = try Self.findRepoRoot(options.repoRoot)
        guard EmbeddedPostgres.portIsFree(host: options.httpHost, port: options.httpPort) else {
            throw DemoError("\(options.httpHost):\(options.httpPort) is already in use: stop what runs there or pass --http-port")
        }
        let directory = try Self.makeTemporaryDirectory()
        let started = Started()
        var failure: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sigint, .sigterm) {
                        Self.armWatchdog(started: started, directory: directory)
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

    /// Seconds a Ctrl-C shutdown may take before the watchdog stops PostgreSQL, removes the folder and exits.
    static let shutdownGrace = 20

    /// The safety net of Ctrl-C: if the structured shutdown (operator, kube-sim, PostgreSQL) has not finished
    /// within `shutdownGrace` seconds, for instance because a service ignores cancellation, stop PostgreSQL and
    /// remove the temporary folder from a plain thread and exit with status 130. A timer on a dispatch queue is
    /// used on purpose: the tasks it backs up may be the ones that are stuck.
    static func armWatchdog(started: Started, directory: String) {
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(shutdownGrace)) {
            FileHandle.standardError.write(Data("pacer-demo: shutdown did not finish within \(shutdownGrace) s; stopping PostgreSQL and exiting\n".utf8))
            started.postgres.withLock { $0 }?.stopBlocking()
            try? FileManager.default.removeItem(atPath: directory)
            exit(130)
        }
    }

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

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Returns on SIGINT/SIGTERM (graceful shutdown), which ends the demo.
                try await PacerOperator(configuration: operatorConfiguration, logger: logger).run()
            }
            group.addTask {
                let http = HTTPClient(eventLoopGroupProvider: .singleton)
                do {
                    try await self.script(cluster: cluster, databaseURL: databaseURL, base: base, http: http, pipeline: pipeline)
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

    /// Waits for the operator, plays the history and the live part, waits for the four keys and prints them.
    private func script(cluster: DemoCluster, databaseURL: String, base: String, http: HTTPClient, pipeline: [String: Int]) async throws {
        try await terminal.step("starting Pacer on \(base)") { try await waitReady(base: base, http: http) }
        // Events are routed by the routes that exist when the pipeline reads them: import only once the reconcilers
        // have stored every route, transform and definition (Ready).
        try await terminal.step("waiting for the operator to load the pipeline") {
            try await waitForConfiguration(databaseURL: databaseURL, expected: pipeline)
        }
        let now = Date()
        let steps = DemoHistory.steps(now: now)
        var events = DemoEvents()
        let history = steps.filter { $0.phase == .history }
        try await terminal.step("importing 4 weeks of history as Deployment-source CloudEvents (relative to \(RFC3339.format(now, fractionalDigits: 0)))") {
            let cloudEvents = history.flatMap { events.cloudEvents(for: $0) }
            for batch in stride(from: 0, to: cloudEvents.count, by: 100) {
                try await post(cloudEvents[batch..<min(batch + 100, cloudEvents.count)].map(\.jsonFormat), to: base + "/events", http: http)
            }
            return cloudEvents.count
        } detail: { "\($0) events, \(history.count) steps" }

        if cluster.sim != nil {
            try await terminal.step("creating namespace \(DemoHistory.namespace)") { try await cluster.createNamespace() }
        }
        for step in steps where step.phase != .history {
            if step.phase == .external {
                try await terminal.step("posting \(Self.describe(step)) to /cdevents (as an external tool)") {
                    guard let cdEvent = try DemoEvents.cdEvent(for: step) else { return }
                    try await post([cdEvent.cloudEvent().jsonFormat], to: base + "/cdevents", http: http)
                }
            } else if cluster.sim != nil {
                try await terminal.step("live in kube-sim: \(Self.describe(step))") { try await cluster.play(step) }
            } else {
                var live = step
                live.time = Date()
                try await terminal.step("posting \(Self.describe(step)) (not a kube-sim cluster: as Deployment-source events)") {
                    try await post(events.cloudEvents(for: live).map(\.jsonFormat), to: base + "/events", http: http)
                }
            }
        }
        let deployments = steps.filter { if case .rolloutCompleted = $0.action { true } else { false } }.count
        let restores = steps.filter {
            switch $0.action {
            case .availabilityRestored, .incidentResolved: true
            default: false
            }
        }.count
        let headlines = try await terminal.step("waiting for the four keys (at most \(options.metricsTimeout))") {
            try await waitForHeadlines(databaseURL: databaseURL, namespace: cluster.namespace, deployments: deployments, restores: restores)
        } detail: {
            $0.complete(deployments: deployments, restores: restores)
                ? "computed from \(deployments) deployments and \(restores) restored incidents"
                : "NOT complete: \($0.rows["all"]?["deploymentFrequency"]?.samples ?? 0) of \(deployments) deployments and "
                    + "\($0.rows["all"]?["timeToRestore"]?.samples ?? 0) of \(restores) restores counted so far; see the log with --log-level warning"
        }
        terminal.line("")
        terminal.line("DORA four keys, last 30 days, environment production (MetricDefinitions in namespace \(cluster.namespace)):")
        terminal.line(headlines.table(apps: DemoHistory.apps.map(\.name)))
        if !options.serve && !headlines.complete(deployments: deployments, restores: restores) {
            // For scripts and CI: an incomplete table is a failure, not a result.
            throw DemoIncomplete(
                description: "the pipeline did not count every deployment and restore within \(options.metricsTimeout)")
        }
    }

    static func describe(_ step: DemoHistory.Step) -> String {
        switch step.action {
        case .rolloutCompleted(let revision, let image, _, _, _): return "\(step.app): \(revision == 1 ? "deploy" : "roll out") \(image)"
        case .rolloutFailed(_, let image, _, _): return "\(step.app): roll out \(image), which fails"
        case .availabilityLost: return "\(step.app): becomes unavailable"
        case .availabilityRestored: return "\(step.app): available again"
        case .changeMerged(let commit): return "change.merged \(commit.prefix(8)) for \(step.app)"
        case .incidentDetected(let id): return "incident.detected \(id) for \(step.app)"
        case .incidentResolved(let id): return "incident.resolved \(id) for \(step.app)"
        }
    }

    /// Waits (at most 60 s, then 1 s more for the pipeline to reload) until the config tables hold, Ready, as many
    /// EventRoutes, CDEventTransforms and MetricDefinitions as were applied.
    private func waitForConfiguration(databaseURL: String, expected: [String: Int]) async throws {
        var quiet = logger
        quiet.logLevel = .critical
        let client = PostgresClient(configuration: try DatabaseURL(databaseURL).clientConfiguration(), backgroundLogger: quiet)
        let tables = [("EventRoute", "pacer_event_routes"), ("CDEventTransform", "pacer_cdevent_transforms"), ("MetricDefinition", "pacer_metric_definitions")]
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let deadline = ContinuousClock.now + .seconds(60)
            var missing: [String] = []
            while ContinuousClock.now < deadline {
                missing = []
                for (kind, table) in tables {
                    let query = PostgresQuery(unsafeSQL: "SELECT count(*) FILTER (WHERE ready) FROM \(table)")
                    var ready: Int64 = 0
                    if let rows = try? await client.query(query, logger: quiet) {
                        for try await count in rows.decode(Int64.self) { ready = count }
                    }
                    if ready < expected[kind] ?? 0 { missing.append("\(ready) of \(expected[kind] ?? 0) \(kind)s") }
                }
                if missing.isEmpty {
                    try await Task.sleep(for: .seconds(1))
                    return
                }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw DemoError("the operator did not load the pipeline within 60 s (ready: \(missing.joined(separator: ", ")))")
        }
    }

    private func waitReady(base: String, http: HTTPClient) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let response = try? await http.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(2)), response.status == .ok {
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw DemoError("Pacer was not ready on \(base)/readyz within 60 s")
    }

    /// POSTs a batch (`application/cloudevents-batch+json`); anything but 202 is an error with the answer.
    private func post(_ events: [JSONValue], to url: String, http: HTTPClient) async throws {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents-batch+json")
        request.body = .bytes(ByteBuffer(bytes: JSONValue.array(events).jsonData()))
        let response = try await http.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .accepted else {
            throw DemoError("POST \(url): \(response.status.code) \(String(buffer: body))")
        }
    }

    /// Polls `metric_headlines` until every key has its overall headline, everything the script played is counted
    /// and the values have stayed the same for 1 s, or until `metricsTimeout`; returns what is there.
    private func waitForHeadlines(databaseURL: String, namespace: String, deployments: Int, restores: Int) async throws -> DemoHeadlines {
        var quiet = logger
        quiet.logLevel = .critical
        let client = PostgresClient(configuration: try DatabaseURL(databaseURL).clientConfiguration(), backgroundLogger: quiet)
        return try await withThrowingTaskGroup(of: DemoHeadlines?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            let deadline = ContinuousClock.now + options.metricsTimeout
            var last = DemoHeadlines()
            var stableSince = ContinuousClock.now
            while ContinuousClock.now < deadline {
                let current = (try? await DemoHeadlines.read(client: client, namespace: namespace, logger: quiet)) ?? DemoHeadlines()
                if !current.sameValues(as: last) { stableSince = ContinuousClock.now }
                last = current
                if current.complete(deployments: deployments, restores: restores), ContinuousClock.now - stableSince >= .seconds(1) { return current }
                try await Task.sleep(for: .milliseconds(250))
            }
            return last
        }
    }

    // MARK: Files

    /// The folder with `crds/` and `examples/`: `explicit`, else the working directory, else an ancestor of the executable.
    static func findRepoRoot(_ explicit: String?) throws -> String {
        func holdsManifests(_ path: String) -> Bool {
            FileManager.default.fileExists(atPath: path + "/crds") && FileManager.default.fileExists(atPath: path + "/examples")
        }
        if let explicit {
            guard holdsManifests(explicit) else { throw DemoError("--repo-root \(explicit) has no crds/ and examples/ folders") }
            return explicit
        }
        let cwd = FileManager.default.currentDirectoryPath
        if holdsManifests(cwd) { return cwd }
        var url = URL(fileURLWithPath: CommandLine.arguments.first ?? cwd).resolvingSymlinksInPath()
        while url.path != "/" {
            url.deleteLastPathComponent()
            if holdsManifests(url.path) { return url.path }
        }
        throw DemoError("crds/ and examples/ not found in \(cwd) or above the pacer-demo executable: run pacer-demo from the repository root or pass --repo-root")
    }

    static func makeTemporaryDirectory() throws -> String {
        let temporary = NSTemporaryDirectory().hasSuffix("/") ? NSTemporaryDirectory() : NSTemporaryDirectory() + "/"
        var template = Array((temporary + "pacer-demo-XXXXXX").utf8CString)
        guard let created = template.withUnsafeMutableBufferPointer({ buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }) else {
            throw DemoError("cannot create a temporary folder in \(NSTemporaryDirectory())")
        }
        return String(cString: created)
    }
}

/// `pacer-demo --no-serve` ended before every value was computed.
struct DemoIncomplete: Error, CustomStringConvertible {
    var description: String
}
