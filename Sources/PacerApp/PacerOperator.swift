import AsyncHTTPClient
import Controllers
import EventStore
import Foundation
import HTTPAPI
import Hummingbird
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import PacerRules
import ServiceLifecycle
import UnixSignals

/// What `pacer run` needs beyond `pacer serve`: where the Kubernetes API is and what to watch.
public struct OperatorConfiguration: Sendable {
    public var server: PacerConfiguration
    /// Explicit kubeconfig; otherwise `$KUBECONFIG`, `~/.kube/config`, then the in-cluster service account.
    public var kubeconfig: String?
    public var context: String?
    /// Names this cluster (docs/metrics.md, "Clusters"): in the `source` and the `cluster` attribute of the
    /// CloudEvents the workload source writes, and as the cluster of the events received that name none. nil: not
    /// configured: `default`, or in agent mode the UID of the `kube-system` Namespace (stable for the life of the
    /// cluster, OpenTelemetry's `k8s.cluster.uid`), so that two agents left unnamed never merge.
    public var clusterName: String?
    /// Namespaces to watch (empty: all).
    public var watchNamespaces: [String] = []
    public var labelSelector: String?
    /// The workload kinds the workload source watches (default: all).
    public var workloadKinds: Set<WorkloadKind> = Set(WorkloadKind.allCases)
    /// See ``WorkloadSourceConfiguration/countRestarts``.
    public var countRestarts = false
    public var leaderElection = true
    /// Namespace of the leader-election Lease (default: the kubeconfig's or pod's namespace).
    public var leaseNamespace: String?
    public var leaseName = "pacer-leader"
    /// Check every read of Pacer's data with the API server (TokenReview, SubjectAccessReview), as kube-rbac-proxy
    /// does; off leaves the read side as `server` configures it (open, or its read token file).
    public var kubernetesReadAuthorization = false
    /// Namespace isolation (docs/security.md): resources outside the cluster-wide namespaces (Pacer's own namespace
    /// and ``clusterWideNamespaces``) see only their own namespace. Off: every namespace is cluster-wide.
    public var namespaceIsolation = false
    /// With ``namespaceIsolation``: namespaces besides Pacer's own whose resources see every namespace.
    public var clusterWideNamespaces: [String] = []
    public var identity: String = ProcessInfo.processInfo.hostName + "-" + String(ProcessInfo.processInfo.processIdentifier)
    /// Agent mode (`--forward-to`): run only the workload source and send its CloudEvents to a central Pacer's ingest;
    /// no database, no reconcilers, no pipeline. The HTTP server then serves only `/healthz`, `/readyz` and `/metrics`.
    public var forwardTo: ForwardTarget?

    public init(server: PacerConfiguration) {
        self.server = server
    }

    /// Switches each workload kind's watch on or off (`--no-watch-statefulsets`, ...).
    public mutating func watchWorkloads(deployments: Bool, statefulSets: Bool, daemonSets: Bool) {
        watch([(.deployment, deployments), (.statefulSet, statefulSets), (.daemonSet, daemonSets)])
    }

    /// Switches each GitOps kind's watch on or off (`--no-watch-argocd-applications`, ...); an enabled kind is watched
    /// once its CRD is installed.
    public mutating func watchGitOps(argoCDApplications: Bool, fluxKustomizations: Bool, fluxHelmReleases: Bool) {
        watch([(.argoCDApplication, argoCDApplications), (.fluxKustomization, fluxKustomizations), (.fluxHelmRelease, fluxHelmReleases)])
    }

    /// Switches the progressive-delivery and serverless kinds on or off (`--no-watch-argo-rollouts`,
    /// `--no-watch-knative-services`); an enabled kind is watched once its CRD is installed.
    public mutating func watchCustomWorkloads(argoRollouts: Bool, knativeServices: Bool) {
        watch([(.argoRollout, argoRollouts), (.knativeService, knativeServices)])
    }

    /// Adds each kind switched on to ``workloadKinds`` and removes each switched off.
    private mutating func watch(_ switches: [(WorkloadKind, Bool)]) {
        for (kind, on) in switches {
            if on { workloadKinds.insert(kind) } else { workloadKinds.remove(kind) }
        }
    }

    /// An operator embedded in another process (tests, benchmarks): HTTP on loopback at a port the kernel picks
    /// (learn it with ``ServerPort``), against the cluster of `kubeconfig`.
    public static func embedded(databaseURL: String, kubeconfig: String, identity: String) -> OperatorConfiguration {
        var server = PacerConfiguration(databaseURL: databaseURL)
        server.httpHost = "127.0.0.1"
        server.httpPort = 0
        var configuration = OperatorConfiguration(server: server)
        configuration.kubeconfig = kubeconfig
        configuration.identity = identity
        return configuration
    }
}

/// `pacer run`: the HTTP server on every replica; the Deployment source (and the reconcilers) only on the
/// elected leader.
public struct PacerOperator: Sendable {
    public let configuration: OperatorConfiguration
    public let logger: Logger

    public init(configuration: OperatorConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT or cancellation. `onServerRunning` receives the bound HTTP port (useful with port 0).
    public func run(onServerRunning: (@Sendable (Int) async -> Void)? = nil) async throws {
        let kubeConfiguration = try KubeClientConfiguration.resolve(kubeconfigPath: configuration.kubeconfig, context: configuration.context)
        logger.info("kubernetes API", metadata: ["server": "\(kubeConfiguration.server)", "from": "\(kubeConfiguration.source)"])
        let kube = try KubeClient(configuration: kubeConfiguration, logger: logger)
        do {
            let cluster = try await clusterName(kube: kube)
            if let target = configuration.forwardTo {
                try await runAgent(
                    kube: kube, namespace: kubeConfiguration.namespace, cluster: cluster, target: target, onServerRunning: onServerRunning)
            } else {
                try await runServices(kube: kube, namespace: kubeConfiguration.namespace, cluster: cluster, onServerRunning: onServerRunning)
            }
        } catch {
            try? await kube.shutdown()
            throw error
        }
        try await kube.shutdown()
    }

    /// The configured cluster name; unset: `default`, or for an agent the `kube-system` Namespace's UID (read with
    /// the Namespace list the chart already grants; `default` when it cannot be read, with a warning).
    private func clusterName(kube: KubeClient) async throws -> String {
        if let name = configuration.clusterName { return name }
        guard configuration.forwardTo != nil else { return "default" }
        do {
            let namespaces = try await kube.resource(Namespace.self).list(ListOptions(fieldSelector: "metadata.name=kube-system"))
            if let uid = namespaces.items.first?.metadata.uid, !uid.isEmpty {
                logger.info("cluster name not configured: using the kube-system Namespace's UID", metadata: ["cluster": "\(uid)"])
                return uid
            }
            logger.warning("cluster name not configured and the kube-system Namespace has no UID: using \"default\" (set --cluster-name)")
        } catch {
            logger.warning("cluster name not configured and the kube-system Namespace cannot be read: using \"default\" (set --cluster-name)",
                metadata: ["error": "\(error)"])
        }
        return "default"
    }

    private func runServices(kube: KubeClient, namespace: String, cluster: String, onServerRunning: (@Sendable (Int) async -> Void)?) async throws {
        var serverConfiguration = configuration.server
        serverConfiguration.clusterName = cluster
        let server = PacerServer(configuration: serverConfiguration, logger: logger)
        // Only the replica that leads exports the DORA gauges: one series per installation, not per replica.
        // The metrics backend first, so that the `pacer_leader` gauge is not bound to the no-op one.
        Observability.bootstrap()
        let leadership = Leadership()
        let parts = try server.makeParts(
            exportsDORAGauges: { leadership.isLeading },
            readAuthorizer: configuration.kubernetesReadAuthorization ? KubeReadAuthorizer(client: kube) : nil)
        let source = DeploymentSource(
            client: kube, sink: StoreCloudEventSink(ingester: parts.ingester), configuration: sourceConfiguration(cluster: cluster), logger: logger)
        let scope: NamespaceScope = configuration.namespaceIsolation
            ? .isolated(clusterWide: Set([namespace] + configuration.clusterWideNamespaces)) : .unrestricted
        if let clusterWide = scope.clusterWideNamespaces {
            logger.info("namespace isolation on", metadata: ["clusterWideNamespaces": "\(clusterWide.sorted())"])
        }
        let reconcilers = PacerResourceController.all(
            client: kube, store: PostgresConfigStore(client: parts.client, logger: logger),
            namespaces: configuration.watchNamespaces.isEmpty ? nil : configuration.watchNamespaces, scope: scope, logger: logger)
        let pipeline = configuration.server.pipelineEnabled
            ? server.pipelineServices(
                client: parts.client, transformPublisher: KubeTransformStatusPublisher(client: kube),
                routePublisher: KubeRouteStatusPublisher(client: kube), metricPublisher: KubeMetricStatusPublisher(client: kube))
            : []
        let leaderServices = LeaderServices(
            services: ([source] + reconcilers + pipeline).map { AfterMigrations(gate: parts.schema, service: $0) },
            leadership: leadership, logger: logger)
        let elected = elected(leaderServices, kube: kube, namespace: namespace)
        let app = try server.application(router: parts.router, onServerRunning: onServerRunning)
        let group = ServiceGroup(
            configuration: .init(
                services: (parts.services + [elected, app]).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
        try await group.run()
    }

    /// The workload source's configuration from the operator's.
    private func sourceConfiguration(cluster: String) -> DeploymentSourceConfiguration {
        var sourceConfiguration = DeploymentSourceConfiguration()
        sourceConfiguration.clusterName = cluster
        sourceConfiguration.watchNamespaces = configuration.watchNamespaces
        sourceConfiguration.labelSelector = configuration.labelSelector
        sourceConfiguration.kinds = configuration.workloadKinds
        sourceConfiguration.countRestarts = configuration.countRestarts
        return sourceConfiguration
    }

    /// Runs `leaderServices` while this replica holds the Lease (or always, without leader election).
    private func elected(_ leaderServices: LeaderServices, kube: KubeClient, namespace: String) -> any Service {
        guard configuration.leaderElection else { return ClosureService { try await leaderServices.runWhileLeading() } }
        let lease = (namespace: configuration.leaseNamespace ?? namespace, name: configuration.leaseName, identity: configuration.identity)
        return ClosureService { [logger] in
            try await leaderServices.run { onStartedLeading in
                LeaderElector(
                    client: kube, namespace: lease.namespace, name: lease.name, identity: lease.identity, logger: logger,
                    onStartedLeading: onStartedLeading,
                    onStoppedLeading: { logger.notice("leadership lost: leader-only services stopped") })
            }
        }
    }

    /// Agent mode: the workload source on the elected replica, forwarding to `target`; `/healthz`, `/readyz` and
    /// `/metrics` (Pacer's own metrics: events forwarded, refused, dropped) on the HTTP port.
    private func runAgent(
        kube: KubeClient, namespace: String, cluster: String, target: ForwardTarget, onServerRunning: (@Sendable (Int) async -> Void)?
    ) async throws {
        let registry = Observability.bootstrap()
        let leadership = Leadership()
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, backgroundActivityLogger: logger)
        logger.info("agent mode: forwarding the workload source's events", metadata: ["to": "\(target.url)", "cluster": "\(cluster)"])
        let source = DeploymentSource(
            client: kube, sink: HTTPForwardingSink(target: target, http: http, logger: logger), configuration: sourceConfiguration(cluster: cluster),
            logger: logger)
        let leaderServices = LeaderServices(services: [source], leadership: leadership, logger: logger)
        let router = Router(context: BasicRequestContext.self)
        HealthRoutes<BasicRequestContext>(readiness: AgentReadiness()).register(on: router)
        MetricsExpositionRoute<BasicRequestContext>(registry: registry, reader: nil, exportsDORAGauges: { false }).register(on: router)
        let app = try PacerServer(configuration: configuration.server, logger: logger).application(router: router, onServerRunning: onServerRunning)
        let group = ServiceGroup(
            configuration: .init(
                services: [elected(leaderServices, kube: kube, namespace: namespace), app].map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger))
        do {
            try await group.run()
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}

/// An agent has no database: it is ready once it runs (the forwarder's backlog is visible in `/metrics`).
private struct AgentReadiness: ReadinessChecking {
    func notReadyReason() async -> String? { nil }
}
