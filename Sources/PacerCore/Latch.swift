import Synchronization

/// A value that is settled once (set, or failed) and that any number of tasks wait for, before or after it is
/// settled. A waiting task that is cancelled stops waiting at once with `CancellationError`: nothing that waits on a
/// latch can outlive its task's cancellation. Settling and the cancellation race are decided under one lock, so no
/// waiter is lost or resumed twice.
///
/// The building block of Pacer's one-shot signals: the schema gate, a server's bound port, a store's first sync,
/// a stop signal, a watched kind's discovery.
public final class Latch<Value: Sendable>: Sendable {
    private struct State {
        var outcome: Result<Value, any Error>?
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Value, any Error>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Whether the latch is settled (set or failed).
    public var isSettled: Bool { state.withLock { $0.outcome != nil } }

    /// The value, once set (nil before, or when the latch failed).
    public var value: Value? { state.withLock { try? $0.outcome?.get() } }

    /// Settles the latch with `value` and resumes every waiter; false (and nothing changes) when already settled.
    @discardableResult
    public func set(_ value: Value) -> Bool { settle(.success(value)) }

    /// Settles the latch with `error`: waiters and later ``wait()`` calls throw it; false when already settled.
    @discardableResult
    public func fail(_ error: any Error) -> Bool { settle(.failure(error)) }

    private func settle(_ outcome: Result<Value, any Error>) -> Bool {
        let waiters = state.withLock { state -> [CheckedContinuation<Value, any Error>]? in
            guard state.outcome == nil else { return nil }
            state.outcome = outcome
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        guard let waiters else { return false }
        for waiter in waiters { waiter.resume(with: outcome) }
        return true
    }

    /// The value once set; throws the latch's failure, or `CancellationError` when the waiting task is cancelled
    /// before the latch is settled.
    public func wait() async throws -> Value {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Value, any Error>) in
                // Decided under the lock: a cancellation that ran before this point finds no waiter to resume.
                let immediate: Result<Value, any Error>? = state.withLock { state in
                    if let outcome = state.outcome { return outcome }
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

extension Latch where Value == Void {
    /// Opens a `Void` latch.
    @discardableResult
    public func open() -> Bool { set(()) }

    /// Waits until the latch is open or the task is cancelled (whichever comes first), without throwing.
    public func waitUntilOpenOrCancelled() async { _ = try? await wait() }
}
