import EventStore
import Foundation
import Logging
import Metrics
import PacerCore
import PacerRules
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Stage 3 of the pipeline: keeps the fact tables, `metric_points`, `metric_headlines` and the MetricDefinition
/// statuses up to date from `cdevents_raw` (docs/metrics.md).
///
/// Woken by NOTIFY on `pacer_cdevents` (new CDEvents) and `pacer_config` (definitions changed), with a poll every
/// `pollInterval` as a fallback; headlines are refreshed every `headlineRefreshInterval` because windows slide.
/// A database outage is logged and retried with backoff; the service keeps running. On graceful shutdown or
/// cancellation `run()` returns promptly: a transaction in flight rolls back and is done again by the next run.
public final class MetricCalculator: Service, Sendable {
    let engine: MetricEngine
    let configuration: Configuration
    let publisher: (any MetricResultPublishing)?
    let logger: Logger
    private let metrics = CalculateStageMetrics()

    private struct State {
        /// When headlines were last refreshed.
        var lastRefresh: ContinuousClock.Instant?
        /// The previous transaction consumed rows (an idle calculator's next event is computed in full at once).
        var busy = false
        var lastAggregate: ContinuousClock.Instant?
        var lastAggregateDuration: Duration = .zero
        /// Definitions whose headlines wait for the next aggregating step.
        var headlines: Set<String> = []
        var throttle: MetricStatusThrottle
    }
    private let state: Mutex<State>

    /// - Parameter clock: "now" for headline windows (tests pin it).
    public init(
        client: PostgresClient, configuration: Configuration = .init(), publisher: (any MetricResultPublishing)? = nil, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.engine = MetricEngine(
            client: client, logger: logger, batchSize: configuration.batchSize,
            bulk: (above: configuration.bulkStartRows, upTo: configuration.bulkMaxRows), clock: clock)
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
        self.state = Mutex(State(throttle: MetricStatusThrottle(interval: configuration.statusInterval)))
    }

    public func run() async throws {
        // The poll also paces the coalesced status writes.
        let waker = NotificationWaker(
            client: engine.client, channels: ["pacer_cdevents", "pacer_config"],
            pollInterval: min(configuration.pollInterval, configuration.statusInterval), renewInterval: configuration.listenRenewInterval,
            backoff: configuration.retryBackoff, logger: logger)
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await waker.run() }
                group.addTask { await self.work(waker) }
                _ = await group.next()
                group.cancelAll()
            }
        }
    }

    /// Processes until every committed row is processed, writing results and headlines (all headlines are
    /// refreshed once), then publishes statuses that are due. Rows of transactions that committed while an older
    /// transaction (anywhere in the cluster) is still running become processable when it ends; this waits for
    /// them up to `settleTimeout`.
    public func catchUp(settleTimeout: Duration = .seconds(10)) async throws {
        var refresh = true
        let deadline = ContinuousClock.now + settleTimeout
        while true {
            let rows = try await step(refreshHeadlines: refresh)
            refresh = false
            if rows > 0 { continue }
            guard try await engine.facts.lag(client: engine.client).events > 0, ContinuousClock.now < deadline else { break }
            try await Task.sleep(for: .milliseconds(10))
        }
        await flushStatuses()
    }

    /// One transaction; returns the rows consumed.
    @discardableResult
    func step(refreshHeadlines: Bool) async throws -> Int {
        let interval = configuration.aggregateInterval
        let share = min(1, max(0.01, configuration.aggregateShare))
        let started = ContinuousClock.now
        let (deferring, pending) = state.withLock { state -> (Bool, Set<String>) in
            let wait = max(interval, state.lastAggregateDuration * (1 / share - 1))
            let deferring = !refreshHeadlines && state.busy && state.lastAggregate.map { started - $0 < wait } == true
            return (deferring, state.headlines)
        }
        let outcome = try await engine.step(refreshHeadlines: refreshHeadlines, deferAggregates: deferring, pendingHeadlines: pending)
        state.withLock { state in
            state.busy = outcome.rows > 0
            if !outcome.aggregated {
                state.headlines.formUnion(outcome.deferred)
            } else {
                state.lastAggregate = .now
                state.lastAggregateDuration = .now - started
                state.headlines.subtract(pending)
            }
            if refreshHeadlines { state.lastRefresh = .now }
        }
        metrics.record(processed: outcome.rows)
        logger.debug(
            "calculator step",
            metadata: [
                "rows": "\(outcome.rows)", "aggregated": "\(outcome.aggregated)", "headlines": "\(outcome.headlines.count)",
                "duration": "\(ContinuousClock.now - started)",
            ])
        await publish(outcome)
        return outcome.rows
    }

    // MARK: - statuses

    func publish(_ outcome: MetricEngine.Outcome) async {
        guard publisher != nil else { return }
        let now = state.withLock { state in outcome.results.compactMap { state.throttle.submit($0, now: .now) } }
        await writeAll(now + state.withLock { $0.throttle.due(now: .now) })
    }

    /// Writes the coalesced statuses whose interval has passed.
    public func flushStatuses() async {
        await writeAll(state.withLock { $0.throttle.due(now: .now) })
    }

    /// At most this many status writes in flight: each definition's status is its own object, so one rollout's
    /// statuses are written side by side rather than each waiting for the ones before it (in key order).
    static let concurrentStatusWrites = 8

    private func writeAll(_ results: [MetricResult]) async {
        await withTaskGroup(of: Void.self) { group in
            for (index, result) in results.enumerated() {
                if index >= Self.concurrentStatusWrites { await group.next() }
                group.addTask { await self.write(result) }
            }
        }
    }

    private func write(_ result: MetricResult) async {
        guard let publisher else { return }
        do {
            try await publisher.publish(result)
        } catch {
            state.withLock { $0.throttle.failed(result) }
            logger.warning("metric status not written", metadata: ["definition": "\(result.key)", "error": .describing(error)])
        }
    }

    // MARK: - the loop of run()

    /// On every wake-up: transactions until caught up (refreshing the headlines when they are due), the lag gauges
    /// and the statuses that are due. A failure waits for the backoff; the next wake-up tries again.
    private func work(_ waker: NotificationWaker) async {
        var backoff = configuration.retryBackoff
        for await _ in waker.wakes {
            do {
                var refresh = state.withLock { state in
                    state.lastRefresh.map { .now - $0 >= configuration.headlineRefreshInterval } ?? true
                }
                while !Task.isCancelled {
                    let once = refresh
                    let started = ContinuousClock.now
                    let rows = try await withDeadline(configuration.stepTimeout) { try await self.step(refreshHeadlines: once) }
                    refresh = false
                    if rows == 0 { break }
                    // Busy: let the next batch gather, so a transaction's fixed work (every touched point of
                    // the counting metrics, temporary tables) is shared by more rows.
                    try await Task.sleep(until: started + configuration.busyStepInterval)
                }
                try await withDeadline(.seconds(10)) { try await self.recordLag() }
                await flushStatuses()
                backoff.reset()
            } catch {
                if Task.isCancelled { return }
                let delay = backoff.next()
                logger.error(
                    "metric calculation failed; retrying",
                    metadata: ["error": .describing(error), "retryIn": "\(delay)", "failures": "\(backoff.attempts)"])
                try? await Task.sleep(for: delay)
            }
        }
    }

    private func recordLag() async throws {
        let lag = try await engine.facts.lag(client: engine.client)
        metrics.recordLag(events: lag.events, seconds: lag.seconds)
    }
}
