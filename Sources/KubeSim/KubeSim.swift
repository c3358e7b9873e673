import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import PacerCore
import ServiceLifecycle
import Synchronization

/// An in-memory Kubernetes API server (envtest's role, without binaries): discovery, OpenAPI v3,
/// CRDs with schema validation, watches with history and bookmarks, Tables for kubectl, a simulated
/// Deployment controller and fault injection. The real `kubectl` and our own client work against it.
///
/// Two ways to run it:
/// - `start()` / `stop()` for test fixtures: `start()` runs the server in a task owned by this object and
///   returns once the port is bound; `stop()` cancels that task and waits for it. (A fixture's
///   start/stop lifetime cannot be expressed as one structured scope, hence the single owned task.)
/// - `run()` as a `ServiceLifecycle.Service` (e.g. in `pacer-demo`): serves until cancelled or graceful
///   shutdown, which also ends all open watches so the HTTP server can drain.
public final class KubeSim: Service, Sendable {
    private struct RunState {
        var task: Task<Void, Never>?
        var port: Int?
        var services: ServiceGroup?
        /// Runs started by ``start()`` that have ended.
        var finishedRuns = 0
    }

    public let configuration: KubeSimConfiguration
    public let faults: KubeSimFaults
    let store: ObjectStore
    let authenticator: Authenticator
    private let logger: Logger
    private let runState = Mutex(RunState())

    public init(configuration: KubeSimConfiguration = .init(), logger: Logger = Logger(label: "kube-sim")) {
        self.configuration = configuration
        self.logger = logger
        self.store = ObjectStore(historyWindow: configuration.historyWindow)
        self.faults = KubeSimFaults(store: store)
        self.authenticator = Authenticator(staticTokens: configuration.allStaticTokens)
        if configuration.authorizationMode == .rbac {
            do {
                try applyDocuments(YAML.documents(BootstrapPolicy.yaml))
            } catch {
                logger.error("kube-sim: the bootstrap RBAC policy could not be stored: \(error)")
            }
        }
    }

    /// `http://127.0.0.1:PORT` (`https://` with TLS) once the server is listening (port 0 before that).
    public var url: URL {
        let port = runState.withLock { $0.port } ?? configuration.port
        return URL(string: "\(scheme)://127.0.0.1:\(port)") ?? URL(fileURLWithPath: "/")
    }

    var scheme: String { configuration.tls == nil ? "http" : "https" }

    // MARK: Lifecycle

    /// Binds 127.0.0.1 and serves in the background until `stop()`. Returns the server URL.
    public func start() async throws -> URL {
        let (bound, continuation) = AsyncStream.makeStream(of: Result<Int, any Error>.self)
        let task = Task {
            do {
                try await self.serve { port in continuation.yield(.success(port)) }
                continuation.finish()
            } catch {
                continuation.yield(.failure(error))
                continuation.finish()
            }
            self.runState.withLock { $0.finishedRuns += 1 }
        }
        runState.withLock { $0.task = task }
        for await result in bound {
            let port = try result.get()
            return URL(string: "\(scheme)://127.0.0.1:\(port)") ?? url
        }
        throw KubeSimError(code: 500, reason: "InternalError", message: "kube-sim stopped before it was listening")
    }

    /// Closes all watches and the listener (graceful shutdown, cancellation after 5 s), and waits for the server task to
    /// end (at most 30 s more: a server that ignores cancellation is logged and left behind, never waited for forever).
    public func stop() async {
        let (task, services) = runState.withLock { state -> (Task<Void, Never>?, ServiceGroup?) in
            defer {
                state.task = nil
                state.services = nil
            }
            return (state.task, state.services)
        }
        guard let task else { return }
        let finishedBefore = runState.withLock { $0.finishedRuns }
        func ended(within timeout: Duration) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while runState.withLock({ $0.finishedRuns }) == finishedBefore {
                guard ContinuousClock.now < deadline else { return false }
                // Not Task.sleep: a cancelled caller must still wait out the bound rather than spin.
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { continuation.resume() }
                }
            }
            return true
        }
        store.endAllWatches(abruptly: false)
        await services?.triggerGracefulShutdown()
        if await ended(within: .seconds(5)) { return }
        task.cancel()
        if await ended(within: .seconds(30)) { return }
        logger.error("kube-sim did not stop within 35 s of its shutdown; its server task is left running")
    }

    /// Serves until cancelled or graceful shutdown (the `Service` entry point).
    public func run() async throws {
        try await serve { _ in }
    }

    /// HTTP/1.1, wrapped in TLS when configured: the serving certificate, client certificates verified against the
    /// CA when presented (the apiserver's `--client-ca-file`), not required.
    private func serverBuilder() throws -> HTTPServerBuilder {
        guard let tls = configuration.tls else { return .http1() }
        var settings = TLSConfiguration.makeServerConfiguration(
            certificateChain: try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { .certificate($0) },
            privateKey: .privateKey(try NIOSSLPrivateKey(file: tls.keyPath, format: .pem)))
        settings.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(tls.caCertificatePath))
        settings.certificateVerification = .optionalVerification
        return try .tls(.http1(), tlsConfiguration: settings)
    }

    private func serve(onBound: @escaping @Sendable (Int) -> Void) async throws {
        let authorizer = Authorizer(mode: configuration.authorizationMode, store: store)
        let responder = APIResponder(
            store: store, faults: faults, authenticator: authenticator, authorizer: authorizer,
            authenticationEnabled: configuration.authenticationEnabled, anonymousAuth: configuration.anonymousAuth,
            resources: ResourceHandler(store: store, bookmarkInterval: configuration.bookmarkInterval),
            reviews: ReviewHandler(store: store, authenticator: authenticator, authorizer: authorizer), logger: logger)
        let app = Application(
            responder: responder,
            server: try serverBuilder(),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: configuration.port), serverName: "kube-sim"),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? 0
                self.runState.withLock { $0.port = port }
                onBound(port)
            },
            logger: logger)
        let store = self.store
        let rollouts = configuration.rolloutsEnabled ? RolloutController(store: store, delay: configuration.rolloutDelay, logger: logger) : nil
        // Our own ServiceGroup, so that stop() can shut the server down gracefully; nested in an outer
        // ServiceGroup (run() as a Service) it receives that group's graceful shutdown as well.
        let services = ServiceGroup(configuration: ServiceGroupConfiguration(services: [.init(service: app)], logger: logger))
        runState.withLock { $0.services = services }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await services.run()
                } onGracefulShutdown: {
                    store.endAllWatches(abruptly: false)
                }
            }
            if let rollouts {
                group.addTask { await rollouts.run() }
                let statefulSets = WorkloadRolloutController<StatefulSetSimulation>(store: store, delay: configuration.rolloutDelay, logger: logger)
                let daemonSets = WorkloadRolloutController<DaemonSetSimulation>(store: store, delay: configuration.rolloutDelay, logger: logger)
                group.addTask { await statefulSets.run() }
                group.addTask { await daemonSets.run() }
            }
            // The server ending (shutdown, cancellation or error) ends the controller too.
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}
