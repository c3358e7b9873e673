import KubeCore
@testable import KubeRuntime
import Synchronization
import TestSupport
import Testing

@Suite("WorkQueue and Controller")
struct WorkQueueTests {
    @Test func deduplicatesAndHoldsBackKeysInFlight() async throws {
        let queue = WorkQueue<String>()
        queue.add("a")
        queue.add("b")
        queue.add("a")
        #expect(queue.count == 2)
        let first = await queue.get()
        #expect(first == "a")
        queue.add("a")  // while "a" is processing: held back
        #expect(queue.count == 1)
        #expect(await queue.get() == "b")
        #expect(queue.count == 0)
        queue.done("a")  // now re-queued
        #expect(queue.count == 1)
        #expect(await queue.get() == "a")
        queue.done("a")
        queue.done("b")
        #expect(queue.count == 0)
    }

    @Test func getWaitsForAddAndShutdownWakesWaiters() async throws {
        let queue = WorkQueue<String>()
        let got = try await withTimeout(120) {
            await withTaskGroup(of: String?.self) { group in
                group.addTask { await queue.get() }
                try? await Task.sleep(for: .milliseconds(20))
                queue.add("x")
                return await group.next() ?? nil
            }
        }
        #expect(got == "x")
        let afterShutdown = try await withTimeout(120) {
            await withTaskGroup(of: String?.self) { group in
                group.addTask { await queue.get() }
                try? await Task.sleep(for: .milliseconds(20))
                queue.shutDown()
                return await group.next() ?? "not nil"
            }
        }
        #expect(afterShutdown == nil)
    }

    @Test func addAfterAndRateLimitedDelays() async throws {
        let queue = WorkQueue<String>(rateLimiter: RateLimiter(base: .milliseconds(50), maximum: .seconds(1)))
        #expect(queue.rateLimiter.delay(failures: 1) == .milliseconds(50))
        #expect(queue.rateLimiter.delay(failures: 3) == .milliseconds(200))
        #expect(queue.rateLimiter.delay(failures: 30) == .seconds(1))
        try await withTimeout(120) {  // a hang guard: on 2 cores the parallel suite can starve this test for seconds
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await queue.runDelayLoop() }
                let start = ContinuousClock.now
                queue.addAfter("late", delay: .milliseconds(300))
                queue.addAfter("late", delay: .milliseconds(100))  // earlier deadline wins
                queue.addAfter("marker", delay: .milliseconds(200))
                queue.addRateLimited("r")  // 50 ms
                queue.addRateLimited("r")  // 100 ms, but the 50 ms deadline is earlier
                #expect(queue.numRequeues("r") == 2)
                #expect(queue.count == 0)
                let first = await queue.get()
                #expect(first == "r")
                #expect(ContinuousClock.now - start >= .milliseconds(45))
                let second = await queue.get()
                #expect(second == "late")
                #expect(ContinuousClock.now - start >= .milliseconds(95))
                // Had the 300 ms deadline been kept, "marker" (200 ms) would come first.
                let third = await queue.get()
                #expect(third == "marker")
                queue.forget("r")
                #expect(queue.numRequeues("r") == 0)
                queue.shutDown()
            }
        }
    }

    final class Recorder: Reconciler {
        let state = Mutex<(calls: [String], inFlight: Set<String>, overlap: Bool, failuresLeft: Int)>(([], [], false, 2))

        func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
            let fail = state.withLock { state -> Bool in
                if state.inFlight.contains(key.name) { state.overlap = true }
                state.inFlight.insert(key.name)
                state.calls.append(key.name)
                if key.name == "flaky", state.failuresLeft > 0 {
                    state.failuresLeft -= 1
                    return true
                }
                return false
            }
            try await Task.sleep(for: .milliseconds(20))
            state.withLock { _ = $0.inFlight.remove(key.name) }
            if fail { throw TestFailure() }
            return key.name == "again" && state.withLock({ $0.calls.filter { $0 == "again" }.count }) < 2 ? .requeue(after: .milliseconds(30)) : .done
        }
    }

    struct TestFailure: Error {}

    @Test func controllerRetriesRequeuesAndNeverOverlapsAKey() async throws {
        let reconciler = Recorder()
        let controller = Controller(name: "test", reconciler: reconciler, workers: 3, rateLimiter: RateLimiter(base: .milliseconds(10), maximum: .milliseconds(50)))
        try await withTimeout(120) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await controller.run() }
                for _ in 0..<5 {
                    controller.queue.add(ObjectKey(namespace: "ns", name: "busy"))
                    try? await Task.sleep(for: .milliseconds(5))
                }
                controller.queue.add(ObjectKey(namespace: "ns", name: "flaky"))
                controller.queue.add(ObjectKey(namespace: "ns", name: "again"))
                while true {
                    let calls = reconciler.state.withLock { $0.calls }
                    if calls.filter({ $0 == "flaky" }).count >= 3, calls.filter({ $0 == "again" }).count >= 2,
                        controller.queue.numRequeues(ObjectKey(namespace: "ns", name: "flaky")) == 0, controller.queue.count == 0
                    {
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(10))
                }
                group.cancelAll()
            }
        }
        let state = reconciler.state.withLock { $0 }
        #expect(!state.overlap)
        #expect(state.calls.filter { $0 == "flaky" }.count == 3, "two failures, then success")
        #expect(state.calls.filter { $0 == "busy" }.count <= 3, "adds while queued are deduplicated")
        #expect(controller.queue.numRequeues(ObjectKey(namespace: "ns", name: "flaky")) == 0, "forgotten after success")
    }
}
