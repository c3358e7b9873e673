import Synchronization

/// The HTTP port a server bound (with port 0, the one the kernel chose), for whoever embeds Pacer and must reach it:
/// pass `set` as `onServerRunning` of ``PacerServer/run(onServerRunning:)`` or ``PacerOperator/run(onServerRunning:)``,
/// and `wait()` from any task.
public final class ServerPort: Sendable {
    private struct State {
        var port: Int?
        var failure: (any Error)?
        var nextWaiter = 0
        var waiters: [Int: CheckedContinuation<Int, any Error>] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func set(_ port: Int) async {
        let waiters = state.withLock { state in
            state.port = port
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(returning: port) }
    }

    /// The server ended before it listened: waiting and future ``wait()`` calls throw `error`.
    public func fail(_ error: any Error) {
        let waiters = state.withLock { state in
            if state.port == nil, state.failure == nil { state.failure = error }
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(throwing: error) }
    }

    /// The port, once the server is running; throws `CancellationError` when the waiting task is cancelled first
    /// (a server that fails before it listens must not leave its waiter suspended forever).
    public func wait() async throws -> Int {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Int, any Error>) in
                let immediate: Result<Int, any Error>? = state.withLock { state in
                    if let port = state.port { return .success(port) }
                    if let failure = state.failure { return .failure(failure) }
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
