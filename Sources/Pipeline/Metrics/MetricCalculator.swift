import CoreMetrics
import EventStore
import Foundation
import Logging
import Metrics
import OperatorAPI
import PacerCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Stage 3 of the pipeline: keeps the fact tables, `metric_points`, `metric_headlines` and the MetricDefinition
/// statuses up to date from `cdevents_raw` (docs/metrics.md).
///
/// Woken by NOTIFY on `pacer_cdevents` (new CDEvents) and `pacer_config` (definitions changed), with a poll every
/// `pollInterval` as a fallback; headlines are refreshed every `headlineRefreshInterval` because windows slide.
/// A database outage is logged and retried with backoff; the service keeps running.
public struct MetricCalculator: Service {
    /// Tunables.
    public struct Configuration: Sendable {
        /// Poll for new rows this often even without a notification.
        public var pollInterval: Duration = .seconds(1)
        /// At most one status write per definition per interval (the first change is written at once).
        public var statusInterval: Duration = .seconds(1)
        /// Recompute headlines this often (the window ends now).
        public var headlineRefreshInterval: Duration = .seconds(60)
        /// cdevents_raw rows per transaction at most. Large, so that under load the work each transaction does
        /// whatever its size (touched points, headlines) is shared by many rows; a quiet pipeline's batches are small.
        public var batchSize = 20_000
        /// While busy (the previous transaction consumed rows too: events keep arriving), the work that grows
        /// with history (medians and other aggregated points, headlines) runs at most this often, and for at most
        /// `aggregateShare` of the time (after an aggregating transaction that took d, the next waits at least
        /// d × (1 / share − 1)), so the batches that keep the counting metrics current get most of the time and the
        /// lag stays bounded. When the calculator was idle, an event's transaction computes everything at once.
        public var aggregateInterval: Duration = .seconds(1)
        /// See `aggregateInterval`; between 0.01 and 1.
        public var aggregateShare = 0.1
        /// While busy, consecutive transactions start at least this far apart (an idle calculator's first
        /// transaction starts at once).
        public var busyStepInterval: Duration = .milliseconds(500)
        /// Waits between retries while the database fails.
        public var retryBackoff = Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0)
        /// A transaction that takes longer is abandoned and retried (a dead connection may never answer).
        public var stepTimeout: Duration = .seconds(300)
        /// A LISTEN session is renewed this often (a silently dead connection delivers nothing; the poll covers
        /// the gap).
        public var listenRenewInterval: Duration = .seconds(300)
        public init() {}
    }

    let engine: MetricEngine
    let configuration: Configuration
    let publisher: (any MetricStatusPublishing)?
    let logger: Logger
    let throttle: MetricStatusThrottle
    private let lastRefresh = RefreshTime()
    private let load = LoadState()

    /// - Parameter clock: "now" for headline windows (tests pin it).
    public init(
        client: PostgresClient, configuration: Configuration = .init(), publisher: (any MetricStatusPublishing)? = nil, logger: Logger,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.engine = MetricEngine(client: client, logger: logger, batchSize: configuration.batchSize, clock: clock)
        self.configuration = configuration
        self.publisher = publisher
        self.logger = logger
        self.throttle = MetricStatusThrottle(interval: configuration.statusInterval)
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
        let (deferring, pending) = load.value.withLock { state -> (Bool, Set<String>) in
            let wait = max(interval, state.lastAggregateDuration * (1 / share - 1))
            let deferring = !refreshHeadlines && state.busy && state.lastAggregate.map { started - $0 < wait } == true
            return (deferring, state.headlines)
        }
        let outcome = try await engine.step(refreshHeadlines: refreshHeadlines, deferAggregates: deferring, pendingHeadlines: pending)
        load.value.withLock { state in
            state.busy = outcome.rows > 0
            if !outcome.aggregated {
                state.headlines.formUnion(outcome.deferred)
            } else {
                state.lastAggregate = .now
                state.lastAggregateDuration = .now - started
                state.headlines.subtract(pending)
            }
        }
        if refreshHeadlines { lastRefresh.value.withLock { $0 = .now } }
        if outcome.rows > 0 {
            Counter(label: "pacer_pipeline_events_total", dimensions: [("stage", "calculate"), ("result", "processed")])
                .increment(by: outcome.rows)
        }
        await publish(outcome)
        return outcome.rows
    }

    func publish(_ outcome: MetricEngine.Outcome) async {
        guard publisher != nil else { return }
        for key in outcome.headlines.keys.sorted() {
            guard let (plan, rows, at) = outcome.headlines[key] else { continue }
            let status = MetricDefinitionStatus(headlines: rows, unit: plan.metric.unit, window: plan.metric.window, computedAt: at)
            if let entry = throttle.submit(.init(namespace: plan.namespace, name: plan.name, status: status), now: .now) {
                await write(entry)
            }
        }
        await flushStatuses()
    }

    /// Writes the coalesced statuses whose interval has passed.
    public func flushStatuses() async {
        for entry in throttle.due(now: .now) {
            await write(entry)
        }
    }

    private func write(_ entry: MetricStatusThrottle.Entry) async {
        guard let publisher else { return }
        do {
            try await publisher.publish(namespace: entry.namespace, name: entry.name, status: entry.status)
        } catch {
            throttle.failed(entry)
            logger.warning(
                "metric status not written", metadata: ["definition": "\(entry.namespace)/\(entry.name)", "error": "\(String(reflecting: error))"])
        }
    }

    public func run() async throws {
        // The poll also paces the coalesced status writes.
        let waker = NotificationWaker(
            client: engine.client, channels: ["pacer_cdevents", "pacer_config"],
            pollInterval: min(configuration.pollInterval, configuration.statusInterval), renewInterval: configuration.listenRenewInterval,
            backoff: configuration.retryBackoff, logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await waker.run() }
            var backoff = configuration.retryBackoff
            for await _ in waker.wakes.cancelOnGracefulShutdown() {
                do {
                    let due = lastRefresh.value.withLock { last in last.map { .now - $0 >= configuration.headlineRefreshInterval } ?? true }
                    var refresh = due
                    while !Task.isCancelled {
                        let once = refresh
                        let started = ContinuousClock.now
                        let rows = try await withDeadline(configuration.stepTimeout) { try await step(refreshHeadlines: once) }
                        refresh = false
                        if rows == 0 { break }
                        // Busy: let the next batch gather, so a transaction's fixed work (every touched point of
                        // the counting metrics, temporary tables) is shared by more rows.
                        try await Task.sleep(until: started + configuration.busyStepInterval)
                    }
                    try await withDeadline(.seconds(10)) { try await recordLag() }
                    await flushStatuses()
                    backoff.reset()
                } catch {
                    let delay = backoff.next()
                    logger.error(
                        "metric calculation failed; retrying",
                        metadata: ["error": "\(String(reflecting: error))", "retryIn": "\(delay)", "failures": "\(backoff.attempts)"])
                    try? await Task.sleep(for: delay)
                }
            }
            group.cancelAll()
        }
    }

    private func recordLag() async throws {
        let lag = try await engine.facts.lag(client: engine.client)
        Gauge(label: "pacer_pipeline_lag_events", dimensions: [("stage", "calculate")]).record(lag.events)
        Gauge(label: "pacer_pipeline_lag_seconds", dimensions: [("stage", "calculate")]).record(lag.seconds)
    }
}

/// When headlines were last refreshed (shared by copies of the service value).
final class RefreshTime: Sendable {
    let value = Mutex<ContinuousClock.Instant?>(nil)
}

/// Whether the calculator is busy, when it last aggregated and how long that took, and the definitions whose
/// headlines wait for the next aggregating step (shared by copies of the service value).
final class LoadState: Sendable {
    struct State {
        /// The previous transaction consumed rows (an idle calculator's next event is computed in full at once).
        var busy = false
        var lastAggregate: ContinuousClock.Instant?
        var lastAggregateDuration: Duration = .zero
        var headlines: Set<String> = []
    }
    let value = Mutex(State())
}
