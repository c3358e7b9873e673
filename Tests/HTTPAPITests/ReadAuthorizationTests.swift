import Foundation
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KubeClient
import KubeCore
import KubeSim
import PacerApp
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// Read-side authorization in cluster mode against kube-sim with RBAC on: real bearer tokens, real TokenReview and
/// SubjectAccessReview answers from the Roles and bindings the test creates.
///
/// The readers: alice may read MetricDefinitions in `team-a` (a Role); bob may read nothing; carol may list them in
/// every namespace (a ClusterRole); prometheus may `get /metrics` (a non-resource rule), nothing else.
@Suite("Read authorization: TokenReview and SubjectAccessReview against kube-sim's RBAC (issue 16)", .enabled(if: TestDatabase.enabled))
struct ReadAuthorizationTests {
    static let readers: [String: UserInfo] = [
        "alice-token": UserInfo(name: "alice"), "bob-token": UserInfo(name: "bob"),
        "carol-token": UserInfo(name: "carol", groups: ["platform"]), "prometheus-token": UserInfo(name: "prometheus"),
    ]

    static func object(_ value: JSONValue) throws -> DynamicObject { try DynamicObject(value) }

    /// The Roles and bindings above, created as the admin.
    static func grant(_ client: KubeClient) async throws {
        let rules: JSONValue = [["apiGroups": ["pacer.dev"], "resources": ["metricdefinitions"], "verbs": ["get", "list"]]]
        _ = try await client.resource(Namespace.self).create(Namespace(metadata: ObjectMeta(name: "team-a")))
        func create(_ plural: String, _ kind: String, group: String = "rbac.authorization.k8s.io", namespaced: Bool, _ body: JSONValue) async throws {
            let descriptor = ResourceDescriptor(group: group, version: "v1", plural: plural, kind: kind, namespaced: namespaced)
            _ = try await client.resource(DynamicObject.self, descriptor: descriptor).create(try object(body))
        }
        try await create("roles", "Role", namespaced: true, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": ["name": "metrics-reader", "namespace": "team-a"], "rules": rules,
        ])
        try await create("rolebindings", "RoleBinding", namespaced: true, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": ["name": "alice", "namespace": "team-a"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "metrics-reader"],
            "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"]],
        ])
        try await create("clusterroles", "ClusterRole", namespaced: false, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "metrics-reader-all"], "rules": rules,
        ])
        try await create("clusterrolebindings", "ClusterRoleBinding", namespaced: false, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": "platform"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "metrics-reader-all"],
            "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "platform"]],
        ])
        try await create("clusterroles", "ClusterRole", namespaced: false, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": ["name": "scraper"],
            "rules": [["nonResourceURLs": ["/metrics"], "verbs": ["get"]]],
        ])
        try await create("clusterrolebindings", "ClusterRoleBinding", namespaced: false, [
            "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": ["name": "scraper"],
            "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "scraper"],
            "subjects": [["apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "prometheus"]],
        ])
    }

    /// The fixture's 4 definitions in `default`, plus `lead-time` copied into `team-a` and `team-b`.
    static func definitions(_ client: PostgresClient) async throws {
        try await MetricsFixture.insert(client)
        for namespace in ["team-a", "team-b"] {
            try await client.query(PostgresQuery(unsafeSQL: """
                INSERT INTO pacer_metric_definitions (namespace, name, uid, generation, spec, ready, message, updated_at)
                SELECT '\(namespace)', name, uid || '-\(namespace)', generation, spec, ready, message, updated_at
                FROM pacer_metric_definitions WHERE namespace = 'default' AND name = 'lead-time'
                """), logger: TestDatabase.logger)
        }
    }

    static func router(_ postgres: PostgresClient, authorizer: any ReadAuthorizing, metricsOpen: Bool = false) -> Router<BasicRequestContext> {
        HTTPRouterBuilder(
            ingester: MetricsTestApp.NoIngest(), readiness: MetricsTestApp.Ready(), tokens: nil, maxBodyBytes: 1 << 20,
            metrics: MetricsReadAdapter(client: postgres, logger: TestDatabase.logger), readAuthorizer: authorizer, metricsOpen: metricsOpen
        ).build()
    }

    func get(_ client: some TestClientProtocol, _ uri: String, token: String?) async throws -> TestResponse {
        var headers = HTTPFields()
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    func names(_ response: TestResponse) -> [String] {
        ((response.json?["items"] as? [[String: Any]]) ?? []).map { "\($0["namespace"] ?? "")/\($0["name"] ?? "")" }
    }

    @Test func eachReaderSeesWhatRBACAllowsAndNothingElse() async throws {
        try await withSim(configure: { configuration in
            configuration.authorizationMode = .rbac
            configuration.anonymousAuth = false
            configuration.staticTokens = Self.readers
        }) { _, kube in
            try await Self.grant(kube)
            try await TestDatabase.withFreshDatabase { postgres, _ in
                try await Self.definitions(postgres)
                let app = Application(router: Self.router(postgres, authorizer: KubeReadAuthorizer(client: kube)), logger: TestDatabase.logger)
                try await app.test(.router) { client in
                    // No token, a token the API server does not know: 401.
                    let none = try await get(client, "/api/v1/metrics", token: nil)
                    #expect(none.status == .unauthorized)
                    #expect(none.headers[.wwwAuthenticate] == "Bearer")
                    #expect(try await get(client, "/api/v1/metrics", token: "forged-token").status == .unauthorized)

                    // The listing holds what each reader may read: alice team-a only, bob nothing, carol all 6.
                    #expect(names(try await get(client, "/api/v1/metrics", token: "alice-token")) == ["team-a/lead-time"])
                    let bob = try await get(client, "/api/v1/metrics", token: "bob-token")
                    #expect(bob.status == .ok)
                    #expect(names(bob) == [])
                    #expect(names(try await get(client, "/api/v1/metrics", token: "carol-token")) == [
                        "default/change-failure-rate", "default/deployment-frequency", "default/lead-time", "default/time-to-restore",
                        "team-a/lead-time", "team-b/lead-time",
                    ])

                    // One definition: alice in team-a yes, team-b no (403 naming the permission).
                    #expect(try await get(client, "/api/v1/metrics/team-a/lead-time", token: "alice-token").status == .ok)
                    let other = try await get(client, "/api/v1/metrics/team-b/lead-time", token: "alice-token")
                    #expect(other.status == .forbidden)
                    #expect(other.errorMessage == #"user "alice" cannot get metricdefinitions.pacer.dev in the namespace "team-b""#)
                    #expect(try await get(client, "/api/v1/metrics/team-b/lead-time", token: "carol-token").status == .ok)
                    // Its samples: the same namespace rule.
                    #expect(try await get(client, "/api/v1/metrics/team-a/lead-time/samples", token: "alice-token").status == .ok)
                    #expect(try await get(client, "/api/v1/metrics/team-b/lead-time/samples", token: "alice-token").status == .forbidden)
                    #expect(try await get(client, "/api/v1/metrics/team-a/lead-time/samples", token: nil).status == .unauthorized)

                    // Views over every namespace need the cluster-wide grant.
                    let seed = try await get(client, "/deploy-frequency/week", token: "alice-token")
                    #expect(seed.status == .forbidden)
                    #expect(seed.errorMessage == #"user "alice" cannot list metricdefinitions.pacer.dev in all namespaces"#)
                    #expect(try await get(client, "/deploy-frequency/week", token: "carol-token").status == .ok)
                    #expect(try await get(client, "/api/v1/pipeline/errors", token: "alice-token").status == .forbidden)
                    #expect(try await get(client, "/api/v1/pipeline/errors", token: "carol-token").status == .ok)

                    // /metrics: the scraper's non-resource rule, not a MetricDefinition grant.
                    #expect(try await get(client, "/metrics", token: "carol-token").status == .forbidden)
                    #expect(try await get(client, "/metrics", token: "prometheus-token").status == .ok)
                    #expect(try await get(client, "/metrics", token: nil).status == .unauthorized)
                    #expect(try await get(client, "/api/v1/metrics", token: "prometheus-token").json?["items"] as? [Any] != nil)

                    // Health and the dashboard page stay open; its data calls carry the token.
                    #expect(try await get(client, "/healthz", token: nil).status == .ok)
                    #expect(try await get(client, "/dashboard", token: nil).status == .ok)
                    #expect(try await get(client, "/api/v1/openapi.json", token: nil).status == .ok)
                }
                // metricsOpen: /metrics for a scraper without a token; the API still needs one.
                let open = Application(router: Self.router(postgres, authorizer: KubeReadAuthorizer(client: kube), metricsOpen: true), logger: TestDatabase.logger)
                try await open.test(.router) { (client) async throws -> Void in
                    #expect(try await get(client, "/metrics", token: nil).status == .ok)
                    #expect(try await get(client, "/api/v1/metrics", token: nil).status == .unauthorized)
                }
            }
        }
    }

    @Test func anAuthorizerThatCannotBeReachedIs503NotOpen() async throws {
        try await TestDatabase.withFreshDatabase { postgres, _ in
            // An API server that is not there: nothing listens on port 1.
            let kube = try KubeClient(configuration: KubeClientConfiguration(server: "http://127.0.0.1:1", authentication: .bearer("x")))
            let app = Application(router: Self.router(postgres, authorizer: KubeReadAuthorizer(client: kube)), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let answer = try await get(client, "/api/v1/metrics", token: "alice-token")
                #expect(answer.status == .serviceUnavailable)
                #expect(answer.headers[.retryAfter] == "2")
                #expect(answer.errorMessage?.hasPrefix("cannot check access right now") == true)
            }
            try await kube.shutdown()
        }
    }
}
