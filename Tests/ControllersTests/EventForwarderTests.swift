@testable import Controllers
import EventModel
import Foundation
import KubeRuntime
import Logging
import PacerCore
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@Suite("EventForwarder: bounded retry buffer in front of the sink")
struct EventForwarderTests {
    static func event(_ n: Int) -> CloudEvent {
        CloudEvent(id: "e\(n)", source: "/test", type: DeploymentEventType.created.rawValue)
    }

    /// Fails the first `failures` calls.
    final class FlakySink: CloudEventSink {
        let state: Mutex<(failuresLeft: Int, received: [String], calls: Int)>
        init(failures: Int) { state = Mutex((failures, [], 0)) }
        struct Down: Error {}
        func ingest(cloudEvents: [CloudEvent]) async throws {
            try state.withLock { state in
                state.calls += 1
                if state.failuresLeft > 0 {
                    state.failuresLeft -= 1
                    throw Down()
                }
                state.received += cloudEvents.map(\.id)
            }
        }
        var received: [String] { state.withLock { $0.received } }
    }

    func forwarder(_ sink: FlakySink, capacity: Int = 100, batchSize: Int = 2) -> EventForwarder {
        EventForwarder(
            sink: sink, capacity: capacity, batchSize: batchSize, backoff: Backoff(initial: .milliseconds(10), maximum: .milliseconds(40), jitter: 0),
            logger: Logger(label: "test"))
    }

    func running(_ forwarder: EventForwarder, until condition: @escaping @Sendable () -> Bool) async throws {
        try await withRunning(ClosureService { await forwarder.run() }) {
            try await eventually("forwarder") { condition() }
        }
    }

    @Test func failedBatchesAreRetriedInOrderWithoutLoss() async throws {
        let sink = FlakySink(failures: 3)
        let forwarder = forwarder(sink)
        forwarder.enqueue((0..<5).map(Self.event))
        try await running(forwarder) { sink.received.count == 5 }
        #expect(sink.received == ["e0", "e1", "e2", "e3", "e4"])
        #expect(sink.state.withLock { $0.calls } == 3 + 3)
        #expect(forwarder.pendingCount == 0)
    }

    @Test func overflowDropsTheOldest() async throws {
        let sink = FlakySink(failures: 0)
        let forwarder = forwarder(sink, capacity: 3)
        forwarder.enqueue((0..<5).map(Self.event))
        #expect(forwarder.pendingCount == 3)
        try await running(forwarder) { sink.received.count == 3 }
        #expect(sink.received == ["e2", "e3", "e4"])
    }

    @Test(.timeLimit(.minutes(5))) func flushIsBoundedWhenTheSinkIsDown() async throws {
        // The sink never comes back: a flush that waited for it would never return, so returning at all (within a
        // generous minute) shows the flush is bounded by its timeout.
        let sink = FlakySink(failures: .max)
        let forwarder = forwarder(sink)
        forwarder.enqueue((0..<3).map(Self.event))
        let flushed = try await withTimeout(60) {
            await forwarder.flush(timeout: .milliseconds(200))
            return true
        }
        #expect(flushed, "the flush must be bounded, not wait for the sink")
        #expect(forwarder.pendingCount == 3)

        let healthy = FlakySink(failures: 0)
        let second = self.forwarder(healthy)
        second.enqueue((0..<3).map(Self.event))
        await second.flush(timeout: .seconds(1))
        #expect(healthy.received == ["e0", "e1", "e2"])
    }
}
