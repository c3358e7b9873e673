/// Settings of a `KubeSim` server.
public struct KubeSimConfiguration: Sendable {
    /// TCP port on 127.0.0.1; 0 picks a free port (read it from `KubeSim.url` after `start()`).
    public var port: Int = 0
    /// Bearer token required on every API request; nil accepts any request.
    public var token: String? = "kube-sim-token"
    /// Accept requests that carry no `Authorization` header at all (the real apiserver's `--anonymous-auth`).
    /// A wrong token is always refused with 401. Needed for kubectl: client-go never sends a bearer token
    /// over plain HTTP (kubernetes/kubectl#744), so with `false` kubectl gets 401 on every request.
    public var anonymousAuth = true
    /// Simulate the Deployment controller (status, revision annotation, rollouts).
    public var rolloutsEnabled = true
    /// Delay of each simulated rollout step (a rollout has two: progressing, then complete).
    public var rolloutDelay: Duration = .milliseconds(200)
    /// Number of change events kept for watch replay; a watch from an older resourceVersion gets 410 Expired.
    public var historyWindow = 10_000
    /// Interval between BOOKMARK events on watches that allow them.
    public var bookmarkInterval: Duration = .seconds(1)

    public init() {}
}

/// A failure of the direct (non-HTTP) store API, carrying the HTTP code and message the API would answer.
public struct KubeSimError: Error, CustomStringConvertible, Sendable {
    public var code: Int
    public var reason: String
    public var message: String
    public var description: String { "\(code) \(reason): \(message)" }

    init(_ error: APIError) {
        code = error.code
        reason = error.reason
        message = error.message
    }

    init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }
}
