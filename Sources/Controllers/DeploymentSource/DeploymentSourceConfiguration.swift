import Foundation
import KubeRuntime
import PacerCore

/// Configuration of the ``DeploymentSource``.
public struct DeploymentSourceConfiguration: Sendable {
    /// The cluster name in each event's `source` (`/k8s/<clusterName>/apis/apps/v1/...`).
    public var clusterName: String = "default"
    /// Namespaces to watch Deployments in; empty = all namespaces.
    public var watchNamespaces: [String] = []
    /// Only Deployments matching this label selector (e.g. `team=payments`); nil = all.
    public var labelSelector: String?
    /// Pod templates remembered per Deployment for rollback detection.
    public var historyLimit = 20
    /// See ``DeploymentEventDeriver/Configuration/availabilityGrace``.
    public var availabilityGrace: TimeInterval = 10
    /// See ``DeploymentEventDeriver/Configuration/countRestarts`` (default false: restarts are not deployments).
    public var countRestarts = false
    /// Events kept while the sink fails; beyond this the oldest are dropped (and re-derived on restart).
    public var retryBufferCapacity = 10_000
    /// Events per sink call.
    public var batchSize = 500
    /// Delays between retries of a failed sink call.
    public var retryBackoff = Backoff(initial: .milliseconds(500), maximum: .seconds(30))
    /// How long to wait for the first Namespace list before watching Deployments anyway
    /// (without namespace annotations until the namespaces arrive).
    public var namespaceSyncTimeout: Duration = .seconds(30)
    /// On shutdown, how long to keep trying to hand buffered events to the sink.
    public var shutdownFlushTimeout: Duration = .seconds(5)
    /// List/watch knobs shared by the Deployment and Namespace watches (the label selector is set from
    /// ``labelSelector`` for Deployments only).
    public var watcher = WatcherConfiguration()

    public init(clusterName: String = "default", watchNamespaces: [String] = [], labelSelector: String? = nil) {
        self.clusterName = clusterName
        self.watchNamespaces = watchNamespaces
        self.labelSelector = labelSelector
    }
}
