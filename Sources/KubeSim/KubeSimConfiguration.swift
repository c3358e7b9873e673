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
    /// `AlwaysAllow` (default) or `RBAC`: with RBAC every request is authorized against the stored Roles,
    /// ClusterRoles and bindings (403 Forbidden otherwise); the bootstrap policy is created at start and the
    /// `token` user is `kube-sim-admin` in group `system:masters` (bound to `cluster-admin`).
    public var authorizationMode: AuthorizationMode = .alwaysAllow
    /// Further bearer tokens and the users they authenticate as (the apiserver's `--token-auth-file`);
    /// `system:authenticated` is added to every user's groups.
    public var staticTokens: [String: UserInfo] = [:]
    /// Serve HTTPS with this CA and serving certificate (see `KubeSimTLS.generate(in:)`); nil serves plain HTTP.
    /// Client certificates signed by the CA authenticate (CN user, O groups).
    public var tls: KubeSimTLS?
    /// Simulate the Deployment controller (status, revision annotation, rollouts).
    public var rolloutsEnabled = true
    /// Delay of each simulated rollout step (a rollout has two: progressing, then complete).
    public var rolloutDelay: Duration = .milliseconds(200)
    /// Number of change events kept for watch replay; a watch from an older resourceVersion gets 410 Expired.
    public var historyWindow = 10_000
    /// Interval between BOOKMARK events on watches that allow them.
    public var bookmarkInterval: Duration = .seconds(1)

    public init() {}

    /// The user of `token`: `kube-sim-admin`, group `system:masters`.
    public static let adminUser = UserInfo(name: "kube-sim-admin", groups: ["system:masters"])

    /// Every static token with its user (`token` as the admin user, then `staticTokens`).
    var allStaticTokens: [String: UserInfo] {
        var tokens = staticTokens
        if let token { tokens[token] = Self.adminUser }
        return tokens
    }

    /// Whether requests are authenticated at all (a token, static tokens, or RBAC configured).
    var authenticationEnabled: Bool { token != nil || !staticTokens.isEmpty || authorizationMode == .rbac }
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
