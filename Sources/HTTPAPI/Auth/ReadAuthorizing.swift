/// Who a reader is, as the authenticator says (a Kubernetes user: name, uid, groups, extra).
public struct ReadPrincipal: Sendable, Hashable {
    public var name: String
    public var uid: String?
    public var groups: [String]
    public var extra: [String: [String]]

    public init(name: String, uid: String? = nil, groups: [String] = [], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }
}

/// What a read needs: MetricDefinitions of one namespace (`get`), of every namespace (`list` across all), or a
/// non-resource path such as `/metrics` (`get`).
public enum ReadPermission: Sendable, Hashable {
    case metricDefinitions(namespace: String)
    case metricDefinitionsInAllNamespaces
    case nonResource(path: String)

    /// As a Kubernetes user reads it in a refusal.
    var description: String {
        switch self {
        case .metricDefinitions(let namespace): "get metricdefinitions.pacer.dev in the namespace \"\(namespace)\""
        case .metricDefinitionsInAllNamespaces: "list metricdefinitions.pacer.dev in all namespaces"
        case .nonResource(let path): "get path \"\(path)\""
        }
    }
}

/// The read side's authenticator and authorizer (a port): `TokenReview` and `SubjectAccessReview` against the API
/// server in cluster mode, a token file for `pacer serve`.
public protocol ReadAuthorizing: Sendable {
    /// The principal of a bearer token; nil when the token is not valid. Throws when it cannot be checked now.
    func authenticate(token: String) async throws -> ReadPrincipal?
    /// Whether `principal` holds `permission`. Throws when it cannot be checked now.
    func allows(_ principal: ReadPrincipal, _ permission: ReadPermission) async throws -> Bool
}

/// The reader of the request being handled (set by `ReadAuthMiddleware` for the routes below it), so a listing
/// can leave out what the reader may not see.
public struct ReadGrant: Sendable {
    public let principal: ReadPrincipal
    let authorizer: any ReadAuthorizing

    @TaskLocal public static var current: ReadGrant?

    /// The namespaces of `namespaces` the reader may read MetricDefinitions in (all of them with a cluster-wide grant).
    public func visibleNamespaces(_ namespaces: Set<String>) async throws -> Set<String> {
        if try await authorizer.allows(principal, .metricDefinitionsInAllNamespaces) { return namespaces }
        var visible: Set<String> = []
        for namespace in namespaces where try await authorizer.allows(principal, .metricDefinitions(namespace: namespace)) {
            visible.insert(namespace)
        }
        return visible
    }
}
