import Synchronization

/// Opens once migrations have been applied. Ingest checks `isReady` per request; the services behind the gate
/// (`AfterMigrations`) wait on it and are resumed the moment `MigrationService` opens it.
public final class SchemaGate: Sendable {
    private struct State {
        var isOpen = false
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Void, any Error>] = [:]
    }

    private let ready = Atomic<Bool>(false)
    private let state = Mutex(State())

    public init() {}

    public var isReady: Bool { ready.load(ordering: .acquiring) }

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            ready.store(true, ordering: .releasing)
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the schema is ready; throws `CancellationError` when cancelled first.
    func waitUntilReady() async throws {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // Decided under the lock: cancellation that ran before this point finds no waiter to resume, so it is
                // checked here instead.
                let immediate: Result<Void, any Error>? = state.withLock { state in
                    if state.isOpen { return .success(()) }
                    if Task.isCancelled { return .failure(CancellationError()) }
                    state.waiters[id] = continuation
                    return nil
                }
                if let immediate { continuation.resume(with: immediate) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }
}
