import PacerCore
import Testing

@Suite("Latch: a value settled once, waited for by any number of tasks")
struct LatchTests {
    @Test func waitersBeforeAndAfterTheValueGetIt() async throws {
        let latch = Latch<Int>()
        #expect(!latch.isSettled)
        #expect(latch.value == nil)
        async let early = latch.wait()
        async let early2 = latch.wait()
        #expect(latch.set(7))
        #expect(try await early == 7)
        #expect(try await early2 == 7)
        #expect(try await latch.wait() == 7)  // after
        #expect(latch.value == 7)
    }

    @Test func onlyTheFirstSettlingCounts() async throws {
        let latch = Latch<String>()
        #expect(latch.set("first"))
        #expect(!latch.set("second"))
        #expect(!latch.fail(Failure()))
        #expect(try await latch.wait() == "first")
    }

    @Test func aFailureIsThrownToEveryWaiter() async {
        let latch = Latch<Int>()
        let waiting = Task { try await latch.wait() }
        #expect(latch.fail(Failure()))
        await #expect(throws: Failure.self) { try await waiting.value }
        await #expect(throws: Failure.self) { try await latch.wait() }
        #expect(latch.isSettled)
        #expect(latch.value == nil)
    }

    @Test func aCancelledWaiterStopsWaitingAndTheLatchStillWorks() async throws {
        let latch = Latch<Void>()
        let waiter = Task { try await latch.wait() }
        waiter.cancel()
        await #expect(throws: CancellationError.self) { try await waiter.value }
        // A task cancelled before it waits does not wait at all.
        let cancelledFirst = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            await latch.waitUntilOpenOrCancelled()
            return latch.isSettled
        }
        #expect(await cancelledFirst.value == false)
        #expect(latch.open())
        try await latch.wait()
    }

    struct Failure: Error {}
}
