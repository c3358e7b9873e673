import Synchronization

/// Fault injection for tests: drop watches, compact history, fail or stall the next requests.
/// Also reachable over HTTP under `/_sim/...` (see docs/kube-sim.md).
public final class KubeSimFaults: Sendable {
    private struct State {
        var failRemaining = 0
        var failStatus = 500
        var stallRemaining = 0
        var stallDuration: Duration = .zero
    }

    private let state = Mutex(State())
    private let store: ObjectStore

    init(store: ObjectStore) {
        self.store = store
    }

    /// Closes every open watch abruptly (the connection ends without a clean end of stream).
    public func dropWatches() {
        store.endAllWatches(abruptly: true)
    }

    /// Forgets the event history: a watch from any resourceVersion before now gets 410 Expired.
    public func compactHistory() {
        store.compact()
    }

    /// Answers the next `count` API requests with `status` (500 InternalError, 429 TooManyRequests with
    /// `Retry-After: 1`, or any other code) as a `Status` object.
    public func failNext(_ count: Int, status: Int = 500) {
        state.withLock {
            $0.failRemaining = max(0, count)
            $0.failStatus = status
        }
    }

    /// Delays the next `count` API requests by `duration` before they are handled.
    public func stallNext(_ count: Int, for duration: Duration) {
        state.withLock {
            $0.stallRemaining = max(0, count)
            $0.stallDuration = duration
        }
    }

    /// The injected failure for this request, if any (consumes one).
    func takeFailure() -> APIError? {
        let code: Int? = state.withLock { state in
            guard state.failRemaining > 0 else { return nil }
            state.failRemaining -= 1
            return state.failStatus
        }
        guard let code else { return nil }
        switch code {
        case 429:
            return APIError(
                code: 429, reason: "TooManyRequests", message: "Too many requests, please try again later.", retryAfterSeconds: 1)
        case 500:
            return APIError(
                code: 500, reason: "InternalError", message: "Internal error occurred: kube-sim injected failure",
                causes: [StatusCause(reason: "", message: "kube-sim injected failure", field: "")])
        case 503:
            return APIError(code: 503, reason: "ServiceUnavailable", message: "kube-sim injected failure", retryAfterSeconds: 1)
        default:
            return APIError(code: code, reason: "InternalError", message: "kube-sim injected failure (\(code))")
        }
    }

    /// The injected delay for this request, if any (consumes one).
    func takeStall() -> Duration? {
        state.withLock { state in
            guard state.stallRemaining > 0 else { return nil }
            state.stallRemaining -= 1
            return state.stallDuration
        }
    }
}
