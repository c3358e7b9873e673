import EventModel
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import PacerCore
import ServiceLifecycle
import Synchronization

/// The built-in Deployment source: watches `apps/v1` Deployments (and Namespaces, for their
/// annotations) and writes `dev.pacer.deployment.*` CloudEvents to a ``CloudEventSink``.
///
/// `run()` first waits (up to ``DeploymentSourceConfiguration/namespaceSyncTimeout``) for the Namespace
/// list, then watches Deployments. Each observed state goes through a ``DeploymentEventDeriver``; the
/// events are buffered in a bounded retry buffer and sent in order, with backoff while the sink fails.
/// On graceful shutdown or cancellation the watches stop, buffered events get one last bounded
/// attempt (``DeploymentSourceConfiguration/shutdownFlushTimeout``), and `run()` returns.
public final class DeploymentSource: Service, Sendable {
    public let configuration: DeploymentSourceConfiguration
    let logger: Logger
    let namespaces: Informer<Namespace>
    let deployments: [Informer<DynamicObject>]
    let forwarder: EventForwarder
    private let deriver: Mutex<DeploymentEventDeriver>

    /// Watches through `client` (the app's ``KubeClient``; the caller shuts it down).
    public convenience init(
        client: KubeClient, sink: any CloudEventSink, configuration: DeploymentSourceConfiguration = DeploymentSourceConfiguration(),
        logger: Logger = Logger(label: "pacer.deployment-source")
    ) {
        let deploymentSources: [any ListWatcher<DynamicObject>] =
            configuration.watchNamespaces.isEmpty
            ? [client.resource(DynamicObject.self, descriptor: .deployments)]
            : configuration.watchNamespaces.map { client.resource(DynamicObject.self, descriptor: .deployments, namespace: $0) }
        self.init(deployments: deploymentSources, namespaces: client.resource(Namespace.self), sink: sink, configuration: configuration, logger: logger)
    }

    /// Watches the given list/watch sources of Deployments (one per watched namespace, or one for all).
    /// Deployments are watched untyped so that the whole pod template counts for rollback detection.
    public init(
        deployments: [any ListWatcher<DynamicObject>], namespaces: any ListWatcher<Namespace>, sink: any CloudEventSink,
        configuration: DeploymentSourceConfiguration = DeploymentSourceConfiguration(),
        logger: Logger = Logger(label: "pacer.deployment-source")
    ) {
        self.configuration = configuration
        self.logger = logger
        var namespaceWatcher = configuration.watcher
        namespaceWatcher.labelSelector = nil
        self.namespaces = Informer(source: namespaces, configuration: InformerConfiguration(watcher: namespaceWatcher), logger: logger)
        var deploymentWatcher = configuration.watcher
        deploymentWatcher.labelSelector = configuration.labelSelector
        self.deployments = deployments.map {
            Informer(source: $0, configuration: InformerConfiguration(watcher: deploymentWatcher), transform: Self.slim, logger: logger)
        }
        self.forwarder = EventForwarder(
            sink: sink, capacity: configuration.retryBufferCapacity, batchSize: configuration.batchSize, backoff: configuration.retryBackoff,
            logger: logger)
        self.deriver = Mutex(
            DeploymentEventDeriver(
                configuration: .init(
                    clusterName: configuration.clusterName, historyLimit: configuration.historyLimit,
                    availabilityGrace: configuration.availabilityGrace, countRestarts: configuration.countRestarts)))
        for informer in self.deployments { informer.addHandler(handler()) }
    }

    /// Events derived but not yet accepted by the sink.
    public var pendingEvents: Int { forwarder.pendingCount }

    /// Returns once `run()` has listed the Deployments and is watching them (like controller-runtime's
    /// `WaitForCacheSync`): a change made after this is seen as a change, not as part of the first list.
    public func waitUntilWatching() async {
        for informer in deployments { await informer.store.waitUntilSynced() }
    }

    /// Watches until graceful shutdown or cancellation; see the type's documentation.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.forwarder.run() }
            await withDiscardingTaskGroup { informers in
                informers.addTask { try? await self.namespaces.run() }
                let synced = await cancelWhenGracefulShutdown { await self.waitForNamespaces() }
                if !synced, !Task.isCancelled, !Task.isShuttingDownGracefully {
                    logger.warning("namespaces not listed within \(configuration.namespaceSyncTimeout); watching Deployments without namespace annotations for now")
                }
                guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
                for informer in deployments { informers.addTask { try? await informer.run() } }
            }
            group.cancelAll()
        }
        await forwarder.flush(timeout: configuration.shutdownFlushTimeout)
    }

    private func waitForNamespaces() async -> Bool {
        let timeout = configuration.namespaceSyncTimeout
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.namespaces.store.waitUntilSynced()
                return self.namespaces.store.hasSynced
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func namespace(of deployment: Deployment) -> Namespace? {
        guard let name = deployment.metadata.namespace else { return nil }
        return namespaces.store.get(ObjectKey(namespace: nil, name: name))
    }

    /// Drops what the source never reads (managedFields, the last-applied annotation) before caching.
    @Sendable static func slim(_ object: DynamicObject) -> DynamicObject {
        var raw = object.raw
        raw["metadata"]?["managedFields"] = nil
        if var annotations = raw["metadata"]?["annotations"]?.objectValue {
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            raw["metadata"]?["annotations"] = .object(annotations)
        }
        return (try? DynamicObject(raw)) ?? object
    }

    private func typed(_ object: DynamicObject) -> Deployment? {
        do {
            return try object.raw.decode(as: Deployment.self)
        } catch {
            logger.warning("cannot read deployment \(object.key?.description ?? "?"): \(error)")
            return nil
        }
    }

    private func observe(_ object: DynamicObject) {
        guard let deployment = typed(object) else { return }
        let namespace = namespace(of: deployment)
        let template = object["spec"]?["template"]
        let events = deriver.withLock { $0.observe(deployment, namespace: namespace, rawTemplate: template, now: Date()) }
        publish(events, deployment: deployment, namespace: namespace)
    }

    private func remove(_ object: DynamicObject) {
        guard let deployment = typed(object) else { return }
        let namespace = namespace(of: deployment)
        let events = deriver.withLock { $0.delete(deployment, namespace: namespace, now: Date()) }
        publish(events, deployment: deployment, namespace: namespace)
    }

    private func publish(_ events: [CloudEvent], deployment: Deployment, namespace: Namespace?) {
        guard !events.isEmpty else { return }
        for warning in WorkloadContext.resolve(deployment: deployment, namespace: namespace).warnings { logger.warning("\(warning)") }
        logger.debug("deployment \(deployment.key?.description ?? "?"): \(events.map(\.type).joined(separator: ", "))")
        forwarder.enqueue(events)
    }

    private func handler() -> InformerHandler<DynamicObject> {
        InformerHandler(
            added: { [weak self] in self?.observe($0) },
            updated: { [weak self] _, new in self?.observe(new) },
            deleted: { [weak self] in self?.remove($0) },
            resync: { [weak self] in self?.observe($0) })
    }
}
