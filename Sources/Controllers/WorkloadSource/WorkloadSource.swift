import EventModel
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import PacerCore
import ServiceLifecycle
import Synchronization

/// The built-in workload source: watches the enabled workload kinds (and Namespaces, for their annotations), passes
/// each observed object to its kind's pure ``WorkloadEventDeriver``, and writes the `dev.pacer.<kind>.*` CloudEvents
/// to a ``CloudEventSink``.
///
/// `run()` first waits (up to ``WorkloadSourceConfiguration/namespaceSyncTimeout``) for the Namespace list, then
/// watches every kind; a custom kind (Argo CD, Flux) only once its API is served, checked every
/// ``WorkloadSourceConfiguration/discoveryInterval`` until then. The events are buffered in one bounded retry buffer and sent in order, with backoff while the
/// sink fails; every ``WorkloadSourceConfiguration/deadlineCheckInterval`` the derivers are asked for events that
/// fall due with time alone. On graceful shutdown or cancellation the watches stop, buffered events get one last
/// bounded attempt (``WorkloadSourceConfiguration/shutdownFlushTimeout``), and `run()` returns.
public final class WorkloadSource: Service, Sendable {
    /// One kind to watch: its deriver and its list/watch sources (one per watched namespace, or one for all).
    public struct Watched: Sendable {
        public var deriver: any WorkloadEventDeriver
        public var sources: [any ListWatcher<DynamicObject>]

        public init(deriver: any WorkloadEventDeriver, sources: [any ListWatcher<DynamicObject>]) {
            self.deriver = deriver
            self.sources = sources
        }
    }

    public let configuration: WorkloadSourceConfiguration
    let logger: Logger
    let namespaces: Informer<Namespace>
    let watches: [KindWatch]
    /// ReplicaSet informers (when Deployments are watched) and the templates they index.
    let replicaSetInformers: [Informer<DynamicObject>]
    let templates = ReplicaSetTemplates()
    let forwarder: EventForwarder

    /// Watches the enabled kinds through `client` (the app's ``KubeClient``; the caller shuts it down).
    public convenience init(
        client: KubeClient, sink: any CloudEventSink, configuration: WorkloadSourceConfiguration = WorkloadSourceConfiguration(),
        logger: Logger = Logger(label: "pacer.workload-source")
    ) {
        let watched = WorkloadKind.allCases.filter(configuration.kinds.contains).map { kind in
            let sources: [any ListWatcher<DynamicObject>] =
                configuration.watchNamespaces.isEmpty
                ? [client.resource(DynamicObject.self, descriptor: kind.descriptor)]
                : configuration.watchNamespaces.map { client.resource(DynamicObject.self, descriptor: kind.descriptor, namespace: $0) }
            return Watched(deriver: Self.deriver(for: kind, configuration: configuration), sources: sources)
        }
        let replicaSets: [any ListWatcher<DynamicObject>] =
            !configuration.kinds.contains(.deployment) ? []
            : configuration.watchNamespaces.isEmpty
            ? [client.resource(DynamicObject.self, descriptor: .replicaSets)]
            : configuration.watchNamespaces.map { client.resource(DynamicObject.self, descriptor: .replicaSets, namespace: $0) }
        self.init(
            watching: watched, namespaces: client.resource(Namespace.self), replicaSets: replicaSets, sink: sink, configuration: configuration,
            logger: logger)
    }

    /// Watches the given kinds. Objects are watched untyped so that derivers see the whole object (the whole pod
    /// template counts for rollback detection). `replicaSets` (one per watched namespace, or one for all) give the
    /// Deployment deriver the previous revision's template of a Deployment it first sees (restart detection).
    public init(
        watching watched: [Watched], namespaces: any ListWatcher<Namespace>, replicaSets: [any ListWatcher<DynamicObject>] = [],
        sink: any CloudEventSink,
        configuration: WorkloadSourceConfiguration = WorkloadSourceConfiguration(),
        logger: Logger = Logger(label: "pacer.workload-source")
    ) {
        self.configuration = configuration
        self.logger = logger
        var namespaceWatcher = configuration.watcher
        namespaceWatcher.labelSelector = nil
        self.namespaces = Informer(source: namespaces, configuration: InformerConfiguration(watcher: namespaceWatcher), logger: logger)
        var workloadWatcher = configuration.watcher
        workloadWatcher.labelSelector = configuration.labelSelector
        self.watches = watched.map { watched in
            KindWatch(
                deriver: watched.deriver, sources: watched.sources,
                informers: watched.sources.map {
                    Informer(source: $0, configuration: InformerConfiguration(watcher: workloadWatcher), transform: Self.slim, logger: logger)
                })
        }
        var replicaSetWatcher = configuration.watcher
        replicaSetWatcher.labelSelector = nil
        self.replicaSetInformers = replicaSets.map {
            Informer(source: $0, configuration: InformerConfiguration(watcher: replicaSetWatcher), transform: ReplicaSetTemplates.slim, logger: logger)
        }
        self.forwarder = EventForwarder(
            sink: sink, capacity: configuration.retryBufferCapacity, batchSize: configuration.batchSize, backoff: configuration.retryBackoff,
            logger: logger)
        for watch in watches {
            for informer in watch.informers { informer.addHandler(handler(watch)) }
        }
        for informer in replicaSetInformers { informer.addHandler(templates.handler) }
    }

    /// The deriver of `kind` with the configuration's knobs.
    public static func deriver(for kind: WorkloadKind, configuration: WorkloadSourceConfiguration) -> any WorkloadEventDeriver {
        switch kind {
        case .deployment:
            DeploymentEventDeriver(
                configuration: .init(
                    clusterName: configuration.clusterName, historyLimit: configuration.historyLimit,
                    availabilityGrace: configuration.availabilityGrace, countRestarts: configuration.countRestarts))
        case .statefulSet:
            StatefulSetEventDeriver(configuration: revisionConfiguration(configuration))
        case .daemonSet:
            DaemonSetEventDeriver(configuration: revisionConfiguration(configuration))
        case .argoCDApplication:
            ArgoCDApplicationDeriver(configuration: .init(clusterName: configuration.clusterName, availabilityGrace: configuration.availabilityGrace))
        case .fluxKustomization, .fluxHelmRelease:
            FluxEventDeriver(kind: kind, configuration: .init(clusterName: configuration.clusterName))
        case .argoRollout:
            ArgoRolloutEventDeriver(configuration: revisionConfiguration(configuration))
        case .knativeService:
            KnativeServiceEventDeriver(configuration: revisionConfiguration(configuration))
        }
    }

    private static func revisionConfiguration<Reader>(_ configuration: WorkloadSourceConfiguration) -> RolloutStatusDeriver<Reader>.Configuration {
        .init(
            clusterName: configuration.clusterName, historyLimit: configuration.historyLimit, availabilityGrace: configuration.availabilityGrace,
            progressDeadline: configuration.progressDeadline)
    }

    /// The kinds watched, in order.
    public var kinds: [WorkloadKind] { watches.map(\.kind) }

    /// Events derived but not yet accepted by the sink.
    public var pendingEvents: Int { forwarder.pendingCount }

    /// Returns once `run()` has listed every served kind and is watching it (like controller-runtime's
    /// `WaitForCacheSync`): a change made after this is seen as a change, not as part of the first list. A custom
    /// kind whose API was not served at its first check does not hold this up (see ``waitUntilWatching(_:)``).
    public func waitUntilWatching() async {
        for watch in watches {
            await watch.decided.wait()
            guard watch.isServed else { continue }
            for informer in watch.informers { await informer.store.waitUntilSynced() }
        }
    }

    /// Returns once `kind` is served, listed and watched (for a custom kind, possibly only after its CRD was
    /// installed); at once when `kind` is not watched at all.
    public func waitUntilWatching(_ kind: WorkloadKind) async {
        guard let watch = watches.first(where: { $0.kind == kind }) else { return }
        await watch.served.wait()
        for informer in watch.informers { await informer.store.waitUntilSynced() }
    }

    /// The custom kinds whose API was not served at their last check (not watched yet).
    public var unservedKinds: [WorkloadKind] { watches.filter { $0.decided.isOpen && !$0.isServed }.map(\.kind) }

    /// Watches until graceful shutdown or cancellation; see the type's documentation.
    public func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.forwarder.run() }
            await withDiscardingTaskGroup { informers in
                informers.addTask { try? await self.namespaces.run() }
                for informer in replicaSetInformers { informers.addTask { try? await informer.run() } }
                let synced = await cancelWhenGracefulShutdown { await self.waitForNamespaces() }
                if !synced, !Task.isCancelled, !Task.isShuttingDownGracefully {
                    logger.warning("namespaces not listed within \(configuration.namespaceSyncTimeout); watching workloads without namespace annotations for now")
                }
                // Deployments first seen need their previous ReplicaSet (restart detection): list those first too.
                let replicaSetsSynced = await cancelWhenGracefulShutdown { await self.waitForReplicaSets() }
                if !replicaSetsSynced, !Task.isCancelled, !Task.isShuttingDownGracefully {
                    logger.warning(
                        "replicasets not listed within \(configuration.namespaceSyncTimeout); a restart revision of a Deployment seen before they are is counted as a deployment")
                }
                guard !Task.isCancelled, !Task.isShuttingDownGracefully else { return }
                for watch in watches {
                    if watch.kind.isCustomResource {
                        informers.addTask { await cancelWhenGracefulShutdown { await self.watchWhenServed(watch) } }
                    } else {
                        watch.markServed()
                        for informer in watch.informers { informers.addTask { try? await informer.run() } }
                    }
                }
                informers.addTask { await cancelWhenGracefulShutdown { await self.checkDeadlines() } }
            }
            group.cancelAll()
        }
        await forwarder.flush(timeout: configuration.shutdownFlushTimeout)
    }

    /// Checks (every ``WorkloadSourceConfiguration/discoveryInterval``) that the kind's API is served, then watches
    /// it. Each source (each watched namespace, or the cluster) is listed with `limit=1`: a 404 means not served (the
    /// CRD is cluster-wide, so one 404 decides), logged once and checked again later. Any other failure (a 403 where
    /// RBAC does not grant the kind in a namespace) is logged per source, and the kind is watched anyway: its
    /// informers retry with backoff and log the refusal, as for the built-in kinds, while the other namespaces work.
    /// Never throws: a missing CRD never stops the source.
    private func watchWhenServed(_ watch: KindWatch) async {
        guard !watch.informers.isEmpty else { return }
        let resource = watch.kind.descriptor
        var reportedAbsent = false
        while !Task.isCancelled {
            var served = true
            var refusals: [String] = []
            for source in watch.sources {
                do {
                    _ = try await source.list(ListOptions(limit: 1))
                } catch let error as KubeClientError where error.isNotFound {
                    served = false
                    break
                } catch is CancellationError {
                    return
                } catch {
                    refusals.append("\(error)")
                }
            }
            guard !Task.isCancelled else { return }
            if served {
                for refusal in refusals {
                    logger.warning(
                        "\(resource.kind) (\(resource.description)) cannot be listed (\(refusal)) (check the RBAC rules for it): watching it anyway, retried with backoff")
                }
                break
            }
            if !reportedAbsent {
                logger.notice(
                    "\(resource.kind) (\(resource.description)) is not served (its CustomResourceDefinition is not installed): not watched; checking again every \(configuration.discoveryInterval)")
                reportedAbsent = true
            }
            watch.markAbsent()
            do { try await Task.sleep(for: configuration.discoveryInterval) } catch { return }
        }
        guard !Task.isCancelled else { return }
        if reportedAbsent { logger.notice("\(resource.kind) (\(resource.description)) is now served: watching it") }
        watch.markServed()
        await withDiscardingTaskGroup { group in
            for informer in watch.informers { group.addTask { try? await informer.run() } }
        }
    }

    private func checkDeadlines() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.deadlineCheckInterval) } catch { return }
            for watch in watches {
                let events = watch.deriver.withLock { $0.tick(now: Date()) }
                if !events.isEmpty {
                    logger.debug("\(watch.kind.typeName) deadlines: \(events.map(\.type).joined(separator: ", "))")
                    forwarder.enqueue(events)
                }
            }
        }
    }

    /// Waits (at most `namespaceSyncTimeout`) for the ReplicaSet lists, then indexes what they hold (the informer's
    /// handlers may still be catching up with the list).
    private func waitForReplicaSets() async -> Bool {
        guard !replicaSetInformers.isEmpty else { return true }
        let synced = await Self.within(configuration.namespaceSyncTimeout) {
            for informer in self.replicaSetInformers { await informer.store.waitUntilSynced() }
            return true
        }
        for informer in replicaSetInformers {
            for replicaSet in informer.store.list() { templates.upsert(replicaSet) }
        }
        return synced
    }

    private func waitForNamespaces() async -> Bool {
        await Self.within(configuration.namespaceSyncTimeout) {
            await self.namespaces.store.waitUntilSynced()
            return self.namespaces.store.hasSynced
        }
    }

    /// `wait()`'s answer, or false once `timeout` passes first.
    private static func within(_ timeout: Duration, _ wait: @escaping @Sendable () async -> Bool) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { await wait() }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    private func namespace(of object: DynamicObject, _ watch: KindWatch) -> Namespace? {
        guard let name = watch.contextNamespace(object) else { return nil }
        return namespaces.store.get(ObjectKey(namespace: nil, name: name))
    }

    /// Drops what the source never reads (managedFields, the last-applied annotation) before caching.
    @Sendable public static func slim(_ object: DynamicObject) -> DynamicObject {
        var raw = object.raw
        raw["metadata"]?["managedFields"] = nil
        if var annotations = raw["metadata"]?["annotations"]?.objectValue {
            annotations["kubectl.kubernetes.io/last-applied-configuration"] = nil
            raw["metadata"]?["annotations"] = .object(annotations)
        }
        return (try? DynamicObject(raw)) ?? object
    }

    private func derive(_ watch: KindWatch, _ object: DynamicObject, deleted: Bool) {
        let namespace = namespace(of: object, watch)
        let now = Date()
        let observation: WorkloadObservation
        do {
            observation = try watch.deriver.withLock { deriver in
                deleted
                    ? try deriver.delete(object, namespace: namespace, now: now)
                    : try deriver.observe(object, namespace: namespace, templates: replicaSetInformers.isEmpty ? nil : templates, now: now)
            }
        } catch {
            logger.warning("cannot read \(watch.kind.typeName) \(object.key?.description ?? "?"): \(error)")
            return
        }
        guard !observation.events.isEmpty else { return }
        for warning in observation.warnings { logger.warning("\(warning)") }
        logger.debug("\(watch.kind.typeName) \(object.key?.description ?? "?"): \(observation.events.map(\.type).joined(separator: ", "))")
        forwarder.enqueue(observation.events)
    }

    private func handler(_ watch: KindWatch) -> InformerHandler<DynamicObject> {
        InformerHandler(
            added: { [weak self] in self?.derive(watch, $0, deleted: false) },
            updated: { [weak self] _, new in self?.derive(watch, new, deleted: false) },
            deleted: { [weak self] in self?.derive(watch, $0, deleted: true) },
            resync: { [weak self] in self?.derive(watch, $0, deleted: false) })
    }
}

/// One watched kind: its informers and its deriver (behind a lock: informer callbacks and the deadline check call it),
/// and whether its API is served.
final class KindWatch: Sendable {
    let kind: WorkloadKind
    let sources: [any ListWatcher<DynamicObject>]
    let informers: [Informer<DynamicObject>]
    let deriver: Mutex<any WorkloadEventDeriver>
    /// Open once the first check of the API is done (served or not).
    let decided = Gate()
    /// Open once the API is served and the informers run.
    let served = Gate()
    let contextNamespace: @Sendable (DynamicObject) -> String?

    init(deriver: any WorkloadEventDeriver, sources: [any ListWatcher<DynamicObject>], informers: [Informer<DynamicObject>]) {
        self.kind = deriver.kind
        self.sources = sources
        self.informers = informers
        self.deriver = Mutex(deriver)
        self.contextNamespace = { [deriver] in deriver.contextNamespace(of: $0) }
    }

    var isServed: Bool { served.isOpen }

    func markServed() {
        served.open()
        decided.open()
    }

    func markAbsent() { decided.open() }
}

/// A one-way latch: ``wait()`` returns once ``open()`` was called, or when the waiting task is cancelled.
final class Gate: Sendable {
    private let latch = Latch<Void>()

    var isOpen: Bool { latch.isSettled }

    func open() { latch.open() }

    func wait() async { await latch.waitUntilOpenOrCancelled() }
}
