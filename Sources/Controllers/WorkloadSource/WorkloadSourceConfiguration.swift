import Foundation
import KubeRuntime
import PacerCore

/// The name the Deployment-only source's configuration had; the same type.
public typealias DeploymentSourceConfiguration = WorkloadSourceConfiguration

/// Configuration of the ``WorkloadSource``.
public struct WorkloadSourceConfiguration: Sendable {
    /// The cluster name in each event's `source` (`/k8s/<clusterName>/apis/apps/v1/...`).
    public var clusterName: String = "default"
    /// The workload kinds watched (each has its own list/watch and deriver).
    public var kinds: Set<WorkloadKind> = Set(WorkloadKind.allCases)
    /// How often the API of a custom kind (Argo CD, Flux) that is not served is checked again: its watch starts
    /// once its CustomResourceDefinition is installed.
    public var discoveryInterval: Duration = .seconds(30)
    /// Namespaces to watch workloads in; empty = all namespaces.
    public var watchNamespaces: [String] = []
    /// Only workloads matching this label selector (e.g. `team=payments`); nil = all.
    public var labelSelector: String?
    /// How often derivers are asked for events that fall due with time alone (progress deadlines).
    public var deadlineCheckInterval: Duration = .seconds(1)
    /// Pod templates remembered per workload for rollback detection.
    public var historyLimit = 20
    /// See ``DeploymentEventDeriver/Configuration/availabilityGrace``.
    public var availabilityGrace: TimeInterval = 10
    /// Seconds a StatefulSet or DaemonSet rollout may take before it counts as failed, unless the workload's
    /// `pacer.dev/progress-deadline-seconds` says otherwise (Deployments have their own `progressDeadlineSeconds`).
    public var progressDeadline: TimeInterval = 600
    /// See ``DeploymentEventDeriver/Configuration/countRestarts`` (default false: restarts are not deployments).
    public var countRestarts = false
    /// Events kept while the sink fails; beyond this the oldest are dropped (and re-derived on restart).
    public var retryBufferCapacity = 10_000
    /// Events per sink call.
    public var batchSize = 500
    /// Delays between retries of a failed sink call.
    public var retryBackoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
    /// How long to wait for the first Namespace list before watching workloads anyway
    /// (without namespace annotations until the namespaces arrive).
    public var namespaceSyncTimeout: Duration = .seconds(30)
    /// On shutdown, how long to keep trying to hand buffered events to the sink.
    public var shutdownFlushTimeout: Duration = .seconds(5)
    /// List/watch knobs shared by the workload and Namespace watches (the label selector is set from
    /// ``labelSelector`` for workloads only).
    public var watcher = WatcherConfiguration()

    public init(clusterName: String = "default", watchNamespaces: [String] = [], labelSelector: String? = nil) {
        self.clusterName = clusterName
        self.watchNamespaces = watchNamespaces
        self.labelSelector = labelSelector
    }
}
