import DequeModule
import EventModel
import KubeRuntime
import Logging
import Metrics
import PacerCore
import Synchronization

/// Hands derived CloudEvents to a ``CloudEventSink`` in order, from a bounded retry buffer.
///
/// ``enqueue(_:)`` never blocks (the watch keeps going while the sink is down). ``run()`` sends
/// batches; when the sink throws, the batch stays buffered and is retried with exponential backoff.
/// When the buffer is full, the oldest events are dropped (counted and logged): the ids are
/// deterministic and derivation is level-based, so a later relist or restart re-derives the
/// current state's events.
final class EventForwarder: Sendable {
    private struct State {
        var buffer: Deque<(sequence: UInt64, event: CloudEvent)> = []
        var nextSequence: UInt64 = 0
    }

    private let state = Mutex(State())
    private let doorbell: AsyncStream<Void>
    private let ring: AsyncStream<Void>.Continuation
    let sink: any CloudEventSink
    let capacity: Int
    let batchSize: Int
    let backoff: Backoff
    let logger: Logger
    private let emitted: [String: Counter]
    private let sinkFailures: Counter
    private let dropped: Counter
    private let pending: Gauge

    init(sink: any CloudEventSink, capacity: Int, batchSize: Int, backoff: Backoff, logger: Logger) {
        self.sink = sink
        self.capacity = max(1, capacity)
        self.batchSize = max(1, batchSize)
        self.backoff = backoff
        self.logger = logger
        (doorbell, ring) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        var counters: [String: Counter] = [:]
        for kind in WorkloadKind.allCases {
            for fact in WorkloadFact.allCases {
                let type = kind.eventType(fact)
                counters[type] = Counter(label: "pacer_deployment_source_events_total", dimensions: [("type", type)])
            }
        }
        emitted = counters
        sinkFailures = Counter(label: "pacer_deployment_source_sink_failures_total")
        dropped = Counter(label: "pacer_deployment_source_events_dropped_total")
        pending = Gauge(label: "pacer_deployment_source_pending_events")
    }

    /// Events waiting for the sink.
    var pendingCount: Int { state.withLock { $0.buffer.count } }

    /// Buffers events for sending; drops the oldest when over capacity. Never blocks.
    func enqueue(_ events: [CloudEvent]) {
        guard !events.isEmpty else { return }
        let (overflow, count) = state.withLock { state -> (Int, Int) in
            for event in events {
                state.buffer.append((state.nextSequence, event))
                state.nextSequence += 1
            }
            let overflow = max(0, state.buffer.count - capacity)
            if overflow > 0 { state.buffer.removeFirst(overflow) }
            return (overflow, state.buffer.count)
        }
        pending.record(count)
        if overflow > 0 {
            dropped.increment(by: overflow)
            logger.error("deployment source retry buffer full (\(capacity)); dropped the \(overflow) oldest event(s)")
        }
        ring.yield()
    }

    /// Sends buffered events until the task is cancelled; retries failed batches with backoff.
    func run() async {
        var backoff = self.backoff
        for await _ in doorbell {
            while !Task.isCancelled, let batch = nextBatch() {
                if await send(batch) {
                    backoff.reset()
                } else {
                    do { try await Task.sleep(for: backoff.next()) } catch { return }
                }
            }
        }
    }

    /// One attempt per batch until the buffer is empty, a batch fails, or `timeout` passes
    /// (used on shutdown, after ``run()`` has stopped).
    func flush(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled, let batch = self.nextBatch() {
                    guard await self.send(batch) else { return }
                }
            }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        let left = pendingCount
        if left > 0 { logger.warning("deployment source stopped with \(left) event(s) not yet stored; they are re-derived on the next start") }
    }

    private func nextBatch() -> [(sequence: UInt64, event: CloudEvent)]? {
        state.withLock { state in
            state.buffer.isEmpty ? nil : Array(state.buffer.prefix(batchSize))
        }
    }

    /// Sends one batch; on success removes it from the buffer (entries dropped meanwhile are skipped).
    private func send(_ batch: [(sequence: UInt64, event: CloudEvent)]) async -> Bool {
        do {
            try await sink.ingest(cloudEvents: batch.map(\.event))
        } catch {
            sinkFailures.increment()
            logger.warning("deployment source: sink failed for \(batch.count) event(s), will retry: \(String(reflecting: error))")
            return false
        }
        guard let last = batch.last?.sequence else { return true }
        let count = state.withLock { state -> Int in
            while let first = state.buffer.first, first.sequence <= last { state.buffer.removeFirst() }
            return state.buffer.count
        }
        pending.record(count)
        for item in batch { emitted[item.event.type]?.increment() }
        return true
    }
}
