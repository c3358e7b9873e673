import AsyncAlgorithms
import Foundation
import KubeClient
import KubeCore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Runs a ``Watcher`` into a ``Store`` and calls ``InformerHandler``s with added/updated/deleted
/// computed against the store, so relists neither re-announce unchanged objects nor lose deletes.
///
/// `run()` returns when the task is cancelled or on graceful shutdown. Register handlers with
/// ``addHandler(_:)`` before `run()`. Read the cache with ``store`` (e.g. `store.count`); wait for
/// the first full list with `store.waitUntilSynced()`.
public final class Informer<Object: KubernetesResource>: Service, Sendable {
    public let store: Store<Object>
    let source: any ListWatcher<Object>
    let configuration: InformerConfiguration
    let transform: (@Sendable (Object) -> Object)?
    let logger: Logger
    private let handlers = Mutex<[InformerHandler<Object>]>([])
    private let objectsGauge: Gauge
    private let lastEventGauge: Gauge

    /// - Parameter transform: applied to each object before it is stored and handed to handlers.
    public init(
        source: any ListWatcher<Object>, configuration: InformerConfiguration = InformerConfiguration(),
        transform: (@Sendable (Object) -> Object)? = nil, logger: Logger = Logger(label: "pacer.informer")
    ) {
        self.source = source
        self.configuration = configuration
        self.transform = transform
        self.logger = logger
        self.store = Store()
        objectsGauge = Gauge(label: "pacer_informer_objects", dimensions: [("resource", source.resourceLabel)])
        lastEventGauge = Gauge(label: "pacer_informer_last_event_timestamp_seconds", dimensions: [("resource", source.resourceLabel)])
    }

    /// Adds a handler; call before ``run()``.
    public func addHandler(_ handler: InformerHandler<Object>) {
        handlers.withLock { $0.append(handler) }
    }

    /// Watches until the task is cancelled or a graceful shutdown is triggered, then returns.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.consumeWatcher()
        }
    }

    private func consumeWatcher() async {
        var reflector = Reflector(store: store, transform: transform)
        let watcher = Watcher(source: source, configuration: configuration.watcher, logger: logger)
        let resync = configuration.resyncInterval
        guard let interval = resync else {
            for await event in watcher { await process(event, reflector: &reflector) }
            return
        }
        let ticks = AsyncTimerSequence(interval: interval, clock: ContinuousClock()).map { _ in Tick.resync }
        for await item in merge(watcher.map { Tick.event($0) }, ticks) {
            switch item {
            case .event(let event): await process(event, reflector: &reflector)
            case .resync: if store.hasSynced { await resyncAll(handlers.withLock { $0 }) }
            }
        }
    }

    private enum Tick: Sendable {
        case event(WatcherEvent<Object>)
        case resync
    }

    private func process(_ event: WatcherEvent<Object>, reflector: inout Reflector<Object>) async {
        let changes = reflector.apply(event)
        objectsGauge.record(store.count)
        lastEventGauge.record(Date().timeIntervalSince1970)
        let current = handlers.withLock { $0 }
        for change in changes {
            for handler in current { await handler.dispatch(change) }
        }
    }

    private func resyncAll(_ current: [InformerHandler<Object>]) async {
        for object in store.list() {
            for handler in current { await handler.resync?(object) }
        }
    }
}
