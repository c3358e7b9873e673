import HTTPAPI
import KubeClient
import KubeCore
import Logging
import PacerCore
import Synchronization

/// The read side's authorizer in cluster mode, as kube-rbac-proxy: a bearer token is authenticated with a
/// `TokenReview` and each permission checked with a `SubjectAccessReview` (group `pacer.dev`, resource
/// `metricdefinitions`, `get` in a namespace or `list` in all; `get` on a non-resource path for `/metrics`).
/// Answers are cached for `ttl` (allowed and denied alike), at most `capacity` entries, so a dashboard refreshing
/// every few seconds costs the API server one review per reader and permission per `ttl`.
public final class KubeReadAuthorizer: ReadAuthorizing {
    private let tokenReviews: ResourceClient<DynamicObject>
    private let accessReviews: ResourceClient<DynamicObject>
    private let ttl: Duration
    private let capacity: Int
    private struct Cached<Value> {
        var value: Value
        var expires: ContinuousClock.Instant
    }
    private struct State {
        var principals: [String: Cached<ReadPrincipal?>] = [:]
        var decisions: [Decision: Cached<Bool>] = [:]
    }
    private struct Decision: Hashable {
        var principal: ReadPrincipal
        var permission: ReadPermission
    }
    private let state = Mutex(State())

    static let tokenReviewResource = ResourceDescriptor(
        group: "authentication.k8s.io", version: "v1", plural: "tokenreviews", kind: "TokenReview", namespaced: false)
    static let subjectAccessReviewResource = ResourceDescriptor(
        group: "authorization.k8s.io", version: "v1", plural: "subjectaccessreviews", kind: "SubjectAccessReview", namespaced: false)

    public init(client: KubeClient, ttl: Duration = .seconds(30), capacity: Int = 10_000) {
        tokenReviews = client.resource(DynamicObject.self, descriptor: Self.tokenReviewResource)
        accessReviews = client.resource(DynamicObject.self, descriptor: Self.subjectAccessReviewResource)
        self.ttl = ttl
        self.capacity = capacity
    }

    public func authenticate(token: String) async throws -> ReadPrincipal? {
        let now = ContinuousClock.now
        if let cached = state.withLock({ $0.principals[token] }), cached.expires > now { return cached.value }
        let review = try DynamicObject(.object([
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "metadata": .object([:]),
            "spec": .object(["token": .string(token)]),
        ]))
        let answer = try await tokenReviews.create(review)
        let status = answer["status"]
        var principal: ReadPrincipal?
        if status?["authenticated"]?.boolValue == true, let user = status?["user"], let name = user["username"]?.stringValue {
            var extra: [String: [String]] = [:]
            for (key, values) in user["extra"]?.objectValue ?? [:] { extra[key] = values.arrayValue?.compactMap(\.stringValue) ?? [] }
            principal = ReadPrincipal(
                name: name, uid: user["uid"]?.stringValue, groups: user["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [], extra: extra)
        }
        state.withLock { state in
            if state.principals.count >= capacity { state.principals.removeAll() }
            state.principals[token] = Cached(value: principal, expires: now + ttl)
        }
        return principal
    }

    public func allows(_ principal: ReadPrincipal, _ permission: ReadPermission) async throws -> Bool {
        let now = ContinuousClock.now
        let key = Decision(principal: principal, permission: permission)
        if let cached = state.withLock({ $0.decisions[key] }), cached.expires > now { return cached.value }
        var spec: [String: JSONValue] = [
            "user": .string(principal.name), "groups": .array(principal.groups.map(JSONValue.string)),
            "extra": .object(principal.extra.mapValues { .array($0.map(JSONValue.string)) }),
        ]
        if let uid = principal.uid { spec["uid"] = .string(uid) }
        switch permission {
        case .metricDefinitions(let namespace):
            spec["resourceAttributes"] = .object([
                "namespace": .string(namespace), "verb": "get", "group": "pacer.dev", "resource": "metricdefinitions",
            ])
        case .metricDefinitionsInAllNamespaces:
            spec["resourceAttributes"] = .object(["namespace": "", "verb": "list", "group": "pacer.dev", "resource": "metricdefinitions"])
        case .nonResource(let path):
            spec["nonResourceAttributes"] = .object(["path": .string(path), "verb": "get"])
        }
        let review = try DynamicObject(.object([
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "metadata": .object([:]), "spec": .object(spec),
        ]))
        let allowed = try await accessReviews.create(review)["status"]?["allowed"]?.boolValue == true
        state.withLock { state in
            if state.decisions.count >= capacity { state.decisions.removeAll() }
            state.decisions[key] = Cached(value: allowed, expires: now + ttl)
        }
        return allowed
    }
}
