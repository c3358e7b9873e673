import EventStore
import Foundation
import Logging
import PacerCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Stages 1 and 2 of the pipeline, in process: reads new `cloudevents_raw` rows after the durable cursor
/// `transform`, routes them through the Ready EventRoutes, applies their CDEventTransforms and commits the
/// CDEvents, errors, counters (per transform and per route) and the cursor advance in one transaction per batch
/// (see docs/pipeline.md).
///
/// `run()` is woken by a ``NotificationWaker`` on `pacer_cloudevents` (new events) and `pacer_config` (configuration
/// changed), and by its poll every `pollInterval`; each wake-up processes batches until caught up. A database outage is logged and retried
/// with backoff; the service keeps running and nothing is lost (the cursor only moves with committed outputs).
/// On graceful shutdown or cancellation `run()` returns promptly: an unfinished batch's transaction rolls back and
/// is done again by the next run.
public final class TransformStage: Service, Sendable {
    private let client: PostgresClient
    private let store: TransformStageStore
    private let configStore: PostgresConfigStore
    private let configuration: Configuration
    private let statusPublisher: (any TransformStatusPublishing)?
    private let routeStatusPublisher: (any RouteStatusPublishing)?
    private let logger: Logger
    private let metrics = TransformStageMetrics()

    private struct State {
        var rules: RouteTable?
        var configDirty = true
        var published: [String: TransformStatusUpdate] = [:]
        var publishedRoutes: [String: RouteStatusUpdate] = [:]
    }
    private let state = Mutex(State())

    public init(
        client: PostgresClient, configuration: Configuration = Configuration(),
        statusPublisher: (any TransformStatusPublishing)? = nil, routeStatusPublisher: (any RouteStatusPublishing)? = nil,
        logger: Logger
    ) {
        self.client = client
        self.store = TransformStageStore(client: client, cursorName: configuration.cursorName, logger: logger)
        self.configStore = PostgresConfigStore(client: client, logger: logger)
        self.configuration = configuration
        self.statusPublisher = statusPublisher
        self.routeStatusPublisher = routeStatusPublisher
        self.logger = logger
    }

    public func run() async throws {
        // A configuration change, a (re)connect or a poll reloads the rules, even in the middle of a round.
        let waker = NotificationWaker(
            client: client, channels: ["pacer_cloudevents", "pacer_config"], pollInterval: configuration.pollInterval,
            renewInterval: configuration.listenRenewInterval, backoff: configuration.retryBackoff, logger: logger
        ) { channels in
            if channels.contains("pacer_config") { self.state.withLock { $0.configDirty = true } }
        }
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await waker.run() }
                group.addTask { await self.reportStatus() }
                group.addTask { await self.work(waker) }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }

    /// Processes until caught up (reloading the configuration first) and returns the number of CloudEvents this
    /// call consumed. Rows held back by a still-open transaction are waited for, at most 5 s. For tests and demos.
    public func drain() async throws -> Int {
        state.withLock { $0.configDirty = true }
        var total = 0
        let deadline = ContinuousClock.now + .seconds(5)
        while true {
            let (processed, lag) = try await processUntilCaughtUp()
            total += processed
            if lag.events == 0 || ContinuousClock.now > deadline { return total }
            try await Task.sleep(for: configuration.heldBackRetry)
        }
    }

    // MARK: - processing

    /// Reads and commits batches until none is left; returns what it consumed and the lag left (rows after the
    /// cursor that are not readable yet because an older transaction is still open).
    ///
    /// Every database call is bounded by `stallTimeout` (`withDeadline`): a call stuck on an unreachable server is
    /// abandoned (and cancelled) so the service stays responsive; a commit that lands after all is harmless, because
    /// the next attempt finds the cursor moved.
    func processUntilCaughtUp() async throws -> (processed: Int, lag: StageLag) {
        let store = self.store
        let batchSize = configuration.batchSize
        var total = 0
        var cursor = try await bounded { try await store.position() }
        var horizon = try await bounded { try await store.readHorizon() }
        var refreshed = true
        while true {
            try Task.checkCancellation()
            let rules = try await bounded { try await self.currentRules() }
            let from = cursor
            let limit = horizon
            let records = try await bounded { try await store.cloudEvents(after: from, limit: batchSize, horizon: limit) }
            if records.count < batchSize, !refreshed {
                // Short batch with an old horizon: refresh it once before concluding there is nothing more.
                horizon = try await bounded { try await store.readHorizon() }
                refreshed = true
                if records.isEmpty { continue }
            }
            guard let last = records.last else {
                // Caught up with new events: route the ones stored before a route's current version, one batch at
                // a time, then look at new events again (they are not counted in `processed`: the cursor did not move).
                if try await catchUpOneBatch(rules) != nil { continue }
                let lag = try await bounded { try await store.lag(after: from) }
                setLag(lag)
                return (total, lag)
            }
            let output = await EventRouter(rules: rules, clusterName: configuration.clusterName).process(records, slice: 50)
            let result = try await bounded {
                try await store.commitTransformBatch(
                    expected: from, next: last.position, produced: output.produced, errors: output.failures,
                    routeMatches: output.routeMatches)
            }
            switch result {
            case .committed(let inserted):
                total += records.count
                cursor = last.position
                refreshed = false
                metrics.record(output, inserted: inserted)
                for (route, waiting) in output.waiting {
                    logger.warning(
                        "a route names a transform it cannot use yet; its events are transformed when the transform is Ready",
                        metadata: ["route": "\(route)", "events": "\(waiting.events)", "reason": "\(waiting.reason)"])
                }
                for failure in output.failures {
                    logger.debug(
                        "pipeline error", metadata: ["component": "\(failure.component)", "event": "\(failure.eventId ?? 0)", "error": "\(failure.message)"])
                }
            case .moved(let position):
                logger.debug("another replica committed this batch", metadata: ["from": "\(from)", "cursor": "\(position)"])
                cursor = position
            }
        }
    }

    /// Routes one batch of a pending catch-up (the oldest) through its route alone and commits it with the
    /// catch-up's advance; returns the CloudEvents it consumed, or nil when no catch-up is pending. A catch-up of a
    /// route version that is not the one loaded waits for the next configuration load (which restarts or removes it).
    private func catchUpOneBatch(_ rules: RouteTable) async throws -> Int? {
        let store = self.store
        let pending = try await bounded { try await store.pendingCatchUps() }
        let current = Dictionary(rules.routes.map { ($0.key, $0.version) }, uniquingKeysWith: { first, _ in first })
        guard let catchUp = pending.first(where: { current[$0.key] == $0.version }) else { return nil }
        let batchSize = configuration.batchSize
        let records = try await bounded { try await store.cloudEvents(for: catchUp, limit: batchSize) }
        let output = await EventRouter(rules: rules.only(route: catchUp.key), clusterName: configuration.clusterName).process(records, slice: 50)
        let next = records.count < batchSize ? nil : records.last?.position
        let inserted = try await bounded {
            try await store.commitCatchUpBatch(
                catchUp, next: next, produced: output.produced, errors: output.failures, routeMatches: output.routeMatches)
        }
        if let inserted {
            metrics.record(output, inserted: inserted, catchUp: true)
            if next == nil {
                logger.info("route caught up", metadata: ["route": "\(catchUp.key)", "version": "\(catchUp.version)"])
            }
        }
        return records.count
    }

    /// `operation` with `stallTimeout` as its deadline (see ``processUntilCaughtUp()``).
    private func bounded<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withDeadline(configuration.stallTimeout, operation)
    }

    private func currentRules() async throws -> RouteTable {
        let cached = state.withLock { state -> RouteTable? in state.configDirty ? nil : state.rules }
        if let cached { return cached }
        state.withLock { $0.configDirty = false }
        do {
            let rules = try await RouteTable.load(from: configStore)
            for problem in rules.problems { logger.error("pipeline configuration unusable", metadata: ["problem": "\(problem)"]) }
            let store = self.store
            let versions = rules.routes.map { (namespace: $0.name.namespace, name: $0.name.name, version: $0.version) }
            let started = try await store.registerRoutes(versions)
            if started > 0 { logger.info("routes catch up with the events stored before them", metadata: ["routes": "\(started)"]) }
            state.withLock { $0.rules = rules }
            logger.debug("pipeline configuration loaded", metadata: ["routes": "\(rules.routes.count)", "transforms": "\(rules.transforms.count)"])
            return rules
        } catch {
            state.withLock { $0.configDirty = true }
            throw error
        }
    }

    private func setLag(_ lag: StageLag) {
        metrics.record(lag)
    }

    // MARK: - loops of run()

    private func work(_ waker: NotificationWaker) async {
        var backoff = configuration.retryBackoff
        var heldBack = configuration.heldBackRetry
        for await _ in waker.wakes {
            do {
                let (processed, lag) = try await processUntilCaughtUp()
                backoff.reset()
                if lag.events > 0 {
                    // Rows exist but an open transaction holds them back: look again soon, less often the longer it lasts.
                    heldBack = processed > 0 ? configuration.heldBackRetry : min(heldBack * 2, .seconds(1))
                    try await Task.sleep(for: heldBack)
                    waker.wake()
                } else {
                    heldBack = configuration.heldBackRetry
                }
            } catch {
                if Task.isCancelled { return }
                let delay = backoff.next()
                logger.error(
                    "pipeline round failed; retrying", metadata: ["error": .describing(error), "retryIn": "\(delay)"])
                do { try await Task.sleep(for: delay) } catch { return }
                waker.wake()
            }
        }
    }

    /// Every `statusInterval`: the lag gauges, and the transform and route counters that changed to the publishers.
    private func reportStatus() async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: configuration.statusInterval) } catch { return }
            do {
                let store = self.store
                setLag(try await bounded { try await store.lag(after: try await store.position()) })
                if statusPublisher != nil { try await bounded { try await self.publishChangedStats() } }
                if routeStatusPublisher != nil { try await bounded { try await self.publishChangedRouteStats() } }
            } catch {
                if Task.isCancelled { return }
                logger.debug("pipeline status round failed", metadata: ["error": .describing(error)])
            }
        }
    }

    /// Offers every transform whose counters changed since the last successful publish to the publisher.
    func publishChangedStats() async throws {
        guard let statusPublisher else { return }
        for row in try await store.transformStats() {
            let key = "\(row.namespace)/\(row.name)"
            let update = TransformStatusUpdate(
                produced: row.produced, failed: row.failed, lastError: row.lastError, lastErrorEventId: row.lastErrorEvent,
                lastErrorAt: row.lastErrorAt)
            guard state.withLock({ $0.published[key] }) != update else { continue }
            do {
                try await statusPublisher.publish(namespace: row.namespace, name: row.name, status: update)
                state.withLock { $0.published[key] = update }
            } catch {
                logger.warning("publishing transform status failed", metadata: ["transform": "\(key)", "error": .describing(error)])
            }
        }
    }

    /// Offers every route whose counters changed since the last successful publish to the route publisher.
    func publishChangedRouteStats() async throws {
        guard let routeStatusPublisher else { return }
        for row in try await store.routeStats() {
            let key = "\(row.namespace)/\(row.name)"
            let update = RouteStatusUpdate(matchedEvents: row.matched, lastMatchTime: row.lastMatchAt)
            guard state.withLock({ $0.publishedRoutes[key] }) != update else { continue }
            do {
                try await routeStatusPublisher.publish(namespace: row.namespace, name: row.name, status: update)
                state.withLock { $0.publishedRoutes[key] = update }
            } catch {
                logger.warning("publishing route status failed", metadata: ["route": "\(key)", "error": .describing(error)])
            }
        }
    }
}
