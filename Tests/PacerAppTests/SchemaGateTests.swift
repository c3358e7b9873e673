import Testing

@testable import PacerApp

@Suite("SchemaGate")
struct SchemaGateTests {
    @Test(.timeLimit(.minutes(5)))
    func waitersResumeWhenTheGateOpensAndLaterWaitsReturnAtOnce() async throws {
        let gate = SchemaGate()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { try await gate.waitUntilReady() } }
            #expect(!gate.isReady)
            gate.open()
            try await group.waitForAll()
        }
        #expect(gate.isReady)
        try await gate.waitUntilReady()
    }

    @Test(.timeLimit(.minutes(5)))
    func aCancelledWaitThrowsCancellationError() async {
        let gate = SchemaGate()
        let waiting = Task { try await gate.waitUntilReady() }
        waiting.cancel()
        await #expect(throws: CancellationError.self) { try await waiting.value }
        #expect(!gate.isReady)
    }
}
