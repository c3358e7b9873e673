import KubeCore
import KubeRuntime
import Logging

/// The Deployment source of earlier releases is the workload source (which watches Deployments among other kinds).
public typealias DeploymentSource = WorkloadSource

extension WorkloadSource {
    /// Watches only Deployments, from the given list/watch sources (one per watched namespace, or one for all).
    public convenience init(
        deployments: [any ListWatcher<DynamicObject>], namespaces: any ListWatcher<Namespace>, sink: any CloudEventSink,
        configuration: WorkloadSourceConfiguration = WorkloadSourceConfiguration(),
        logger: Logger = Logger(label: "pacer.workload-source")
    ) {
        self.init(
            watching: [Watched(deriver: Self.deriver(for: .deployment, configuration: configuration), sources: deployments)],
            namespaces: namespaces, sink: sink, configuration: configuration, logger: logger)
    }
}
