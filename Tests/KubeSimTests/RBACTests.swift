import Foundation
import NIOHTTP1
import KubeSim
import PacerCore
import Testing

/// Authentication (static and ServiceAccount tokens, TokenRequest) and RBAC authorization of kube-sim, over HTTP.
/// Expected messages are the apiserver's, written out by hand.
@Suite("kube-sim authentication and RBAC")
struct RBACTests {
    static func rbac(_ configuration: inout KubeSimConfiguration) {
        configuration.authorizationMode = .rbac
        configuration.anonymousAuth = false
    }

    /// Namespace `team` with ServiceAccount `bot`, and a token for it obtained through TokenRequest.
    static func botToken(_ sim: SimFixture, namespace: String = "team") async throws -> String {
        _ = try await sim.request(.POST, "/api/v1/namespaces", body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])
        let account = try await sim.request(
            .POST, "/api/v1/namespaces/\(namespace)/serviceaccounts", body: ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": ["name": "bot"]])
        #expect(account.status == 201, "\(account.text)")
        let request = try await sim.request(
            .POST, "/api/v1/namespaces/\(namespace)/serviceaccounts/bot/token",
            body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": ["expirationSeconds": 3600]])
        #expect(request.status == 201, "\(request.text)")
        #expect(request.body["kind"] == "TokenRequest")
        #expect(request.body["spec"]?["audiences"] == ["https://kubernetes.default.svc.cluster.local"])
        #expect(request.body["status"]?["expirationTimestamp"]?.stringValue != nil)
        return try #require(request.body["status"]?["token"]?.stringValue)
    }

    static func as_(_ token: String) -> [(String, String)] { [("Authorization", "Bearer \(token)")] }

    @Test("missing and invalid tokens get 401 Unauthorized; the admin token and a ServiceAccount token are accepted")
    func authentication() async throws {
        try await SimFixture.with(Self.rbac) { sim in
            let missing = try await sim.request(.GET, "/api/v1/namespaces", authorized: false)
            #expect(missing.status == 401)
            #expect(missing.body["reason"] == "Unauthorized" && missing.body["message"] == "Unauthorized" && missing.body["kind"] == "Status")
            let wrong = try await sim.request(.GET, "/api/v1/namespaces", headers: Self.as_("nope"), authorized: false)
            #expect(wrong.status == 401)
            let admin = try await sim.request(.GET, "/api/v1/namespaces")
            #expect(admin.status == 200)
            let token = try await Self.botToken(sim)
            // Discovery is granted to system:authenticated by the bootstrap policy (system:discovery).
            let discovery = try await sim.request(.GET, "/apis", headers: Self.as_(token), authorized: false)
            #expect(discovery.status == 200, "\(discovery.text)")

            let tooShort = try await sim.request(
                .POST, "/api/v1/namespaces/team/serviceaccounts/bot/token", body: ["spec": ["expirationSeconds": 60]])
            #expect(tooShort.status == 422)
            #expect(tooShort.body["message"] == "TokenRequest.authentication.k8s.io \"bot\" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes")
            let noAccount = try await sim.request(.POST, "/api/v1/namespaces/team/serviceaccounts/ghost/token", body: ["spec": [:]])
            #expect(noAccount.status == 404)
            #expect(noAccount.body["message"] == "serviceaccounts \"ghost\" not found")

            // Deleting the ServiceAccount invalidates its tokens (bound tokens).
            _ = try await sim.request(.DELETE, "/api/v1/namespaces/team/serviceaccounts/bot")
            let afterDelete = try await sim.request(.GET, "/apis", headers: Self.as_(token), authorized: false)
            #expect(afterDelete.status == 401)
        }
    }

    @Test("403 Forbidden as Kubernetes formats it, for namespaced, named, cluster-scoped and non-resource requests")
    func forbiddenMessages() async throws {
        try await SimFixture.with(Self.rbac) { sim in
            let token = try await Self.botToken(sim)
            let list = try await sim.request(.GET, "/apis/apps/v1/namespaces/team/deployments", headers: Self.as_(token), authorized: false)
            #expect(list.status == 403)
            #expect(list.body["reason"] == "Forbidden" && list.body["code"] == 403)
            #expect(list.body["message"] == "deployments.apps is forbidden: User \"system:serviceaccount:team:bot\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"team\"")
            #expect(list.body["details"] == ["group": "apps", "kind": "deployments"])

            let watch = try await sim.request(.GET, "/apis/apps/v1/namespaces/team/deployments?watch=true", headers: Self.as_(token), authorized: false)
            #expect(watch.body["message"] == "deployments.apps is forbidden: User \"system:serviceaccount:team:bot\" cannot watch resource \"deployments\" in API group \"apps\" in the namespace \"team\"")

            let get = try await sim.request(.GET, "/api/v1/namespaces/team/configmaps/settings", headers: Self.as_(token), authorized: false)
            #expect(get.body["message"] == "configmaps \"settings\" is forbidden: User \"system:serviceaccount:team:bot\" cannot get resource \"configmaps\" in API group \"\" in the namespace \"team\"")
            #expect(get.body["details"] == ["name": "settings", "kind": "configmaps"])

            let namespaces = try await sim.request(.GET, "/api/v1/namespaces", headers: Self.as_(token), authorized: false)
            #expect(namespaces.body["message"] == "namespaces is forbidden: User \"system:serviceaccount:team:bot\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope")

            let status = try await sim.request(
                .PUT, "/apis/apps/v1/namespaces/team/deployments/web/status", body: [:], headers: Self.as_(token), authorized: false)
            #expect(status.body["message"] == "deployments.apps \"web\" is forbidden: User \"system:serviceaccount:team:bot\" cannot update resource \"deployments/status\" in API group \"apps\" in the namespace \"team\"")

        }
        try await SimFixture.with({ $0.authorizationMode = .rbac }) { open in
            let anonymous = try await open.request(.GET, "/api", authorized: false)
            #expect(anonymous.status == 403)
            #expect(anonymous.body["message"] == "forbidden: User \"system:anonymous\" cannot get path \"/api\"")
            #expect(anonymous.body["details"] == nil)
            // /version is public (system:public-info-viewer is bound to system:unauthenticated).
            #expect(try await open.request(.GET, "/version", authorized: false).status == 200)
        }
    }

    @Test("Role and RoleBinding: allowed in their namespace only; resourceNames; subresources; */status")
    func rolesAndBindings() async throws {
        try await SimFixture.with(Self.rbac) { sim in
            let token = try await Self.botToken(sim)
            _ = try await sim.request(.POST, "/api/v1/namespaces", body: ["metadata": ["name": "other"]])
            try await sim.sim.apply(
                yaml: """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: reader, namespace: team}
                    rules:
                    - {apiGroups: [apps], resources: [deployments], verbs: [get, list]}
                    - {apiGroups: [apps], resources: [deployments/status], verbs: [update]}
                    - {apiGroups: [coordination.k8s.io], resources: [leases], verbs: [get, update, list], resourceNames: [leader]}
                    - {apiGroups: [""], resources: ["*/status"], verbs: [patch]}
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: read, namespace: team}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
                    subjects: [{kind: ServiceAccount, name: bot, namespace: team}]
                    """)
            func status(_ method: HTTPMethod, _ path: String) async throws -> Int {
                try await sim.request(method, path, body: method == .GET ? nil : [:], headers: Self.as_(token), authorized: false).status
            }
            #expect(try await status(.GET, "/apis/apps/v1/namespaces/team/deployments") == 200)
            #expect(try await status(.GET, "/apis/apps/v1/namespaces/team/deployments/web") == 404)  // authorized, absent
            #expect(try await status(.GET, "/apis/apps/v1/namespaces/other/deployments") == 403)
            #expect(try await status(.GET, "/apis/apps/v1/deployments") == 403)  // all namespaces needs a ClusterRoleBinding
            #expect(try await status(.PUT, "/apis/apps/v1/namespaces/team/deployments/web") == 403)
            #expect(try await status(.PUT, "/apis/apps/v1/namespaces/team/deployments/web/status") != 403)
            #expect(try await status(.GET, "/apis/coordination.k8s.io/v1/namespaces/team/leases/leader") == 404)
            #expect(try await status(.GET, "/apis/coordination.k8s.io/v1/namespaces/team/leases/other") == 403)
            #expect(try await status(.POST, "/apis/coordination.k8s.io/v1/namespaces/team/leases") == 403)  // create has no name
            // A list narrowed to one name by `metadata.name=` counts as a request for that name.
            #expect(try await status(.GET, "/apis/coordination.k8s.io/v1/namespaces/team/leases?fieldSelector=metadata.name%3Dleader") == 200)
            #expect(try await status(.GET, "/apis/coordination.k8s.io/v1/namespaces/team/leases") == 403)
            #expect(try await status(.PATCH, "/api/v1/namespaces/team/pods/p/status") != 403)
            #expect(try await status(.PATCH, "/api/v1/namespaces/team/pods/p") == 403)
        }
    }

    @Test("ClusterRole aggregation, ClusterRoleBinding to a group, nonResourceURLs with a wildcard")
    func aggregationAndGroups() async throws {
        try await SimFixture.with(Self.rbac) { sim in
            let token = try await Self.botToken(sim)
            try await sim.sim.apply(
                yaml: """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: aggregate}
                    aggregationRule:
                      clusterRoleSelectors: [{matchLabels: {pacer.dev/aggregate-to-aggregate: "true"}}]
                    rules: []
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: part, labels: {pacer.dev/aggregate-to-aggregate: "true"}}
                    rules:
                    - {apiGroups: [""], resources: [configmaps], verbs: [list]}
                    - {nonResourceURLs: ["/metrics/*"], verbs: [get]}
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: aggregate}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: aggregate}
                    subjects: [{kind: Group, name: "system:serviceaccounts:team"}]
                    """)
            let list = try await sim.request(.GET, "/api/v1/configmaps", headers: Self.as_(token), authorized: false)
            #expect(list.status == 200, "\(list.text)")
            let metrics = try await sim.request(.GET, "/metrics/x", headers: Self.as_(token), authorized: false)
            #expect(metrics.status == 404)  // allowed, then not found
            let metricsRoot = try await sim.request(.GET, "/metrics", headers: Self.as_(token), authorized: false)
            #expect(metricsRoot.status == 403)  // "/metrics/*" does not cover "/metrics"

            // Taking the label away takes the rules away from the aggregate.
            _ = try await sim.request(
                .PATCH, "/apis/rbac.authorization.k8s.io/v1/clusterroles/part",
                body: ["metadata": ["labels": ["pacer.dev/aggregate-to-aggregate": .null]]], contentType: "application/merge-patch+json")
            let after = try await sim.request(.GET, "/api/v1/configmaps", headers: Self.as_(token), authorized: false)
            #expect(after.status == 403)
        }
    }

    @Test("TokenReview, SubjectAccessReview and SelfSubjectAccessReview answer from the same rules")
    func reviews() async throws {
        try await SimFixture.with(Self.rbac) { sim in
            let token = try await Self.botToken(sim)
            try await sim.sim.apply(
                yaml: """
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: read, namespace: team}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
                    subjects: [{kind: ServiceAccount, name: bot}]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRole
                    metadata: {name: reader}
                    rules: [{apiGroups: [apps], resources: [deployments], verbs: [list]}]
                    """)
            let review = try await sim.request(
                .POST, "/apis/authentication.k8s.io/v1/tokenreviews",
                body: ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]])
            #expect(review.status == 201)
            #expect(review.body["status"]?["authenticated"] == true)
            #expect(review.body["status"]?["user"]?["username"] == "system:serviceaccount:team:bot")
            #expect(review.body["status"]?["user"]?["groups"] == ["system:serviceaccounts", "system:serviceaccounts:team", "system:authenticated"])
            let bad = try await sim.request(.POST, "/apis/authentication.k8s.io/v1/tokenreviews", body: ["spec": ["token": "forged"]])
            #expect(bad.body["status"]?["authenticated"] == false)

            func access(_ attributes: JSONValue) async throws -> JSONValue {
                let reply = try await sim.request(
                    .POST, "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                    body: ["spec": ["user": "system:serviceaccount:team:bot", "groups": ["system:serviceaccounts"], "resourceAttributes": attributes]])
                #expect(reply.status == 201, "\(reply.text)")
                return reply.body["status"] ?? .null
            }
            let allowed = try await access(["namespace": "team", "verb": "list", "group": "apps", "resource": "deployments"])
            #expect(allowed["allowed"] == true)
            #expect(allowed["reason"] == "RBAC: allowed by RoleBinding \"read/team\" of ClusterRole \"reader\" to ServiceAccount \"bot/team\"")
            let denied = try await access(["namespace": "team", "verb": "watch", "group": "apps", "resource": "deployments"])
            #expect(denied == ["allowed": false])

            // The ServiceAccount may not ask about others, but may ask about itself.
            let sar = try await sim.request(
                .POST, "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: ["spec": ["user": "x", "resourceAttributes": ["verb": "get"]]],
                headers: Self.as_(token), authorized: false)
            #expect(sar.status == 403)
            let selfReview = try await sim.request(
                .POST, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                body: ["spec": ["resourceAttributes": ["namespace": "team", "verb": "list", "group": "apps", "resource": "deployments"]]],
                headers: Self.as_(token), authorized: false)
            #expect(selfReview.status == 201)
            #expect(selfReview.body["kind"] == "SelfSubjectAccessReview")
            #expect(selfReview.body["status"]?["allowed"] == true)
            let admin = try await sim.request(
                .POST, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                body: ["spec": ["nonResourceAttributes": ["path": "/anything", "verb": "delete"]]])
            #expect(admin.body["status"]?["reason"] == "RBAC: allowed by ClusterRoleBinding \"cluster-admin\" of ClusterRole \"cluster-admin\" to Group \"system:masters\"")
        }
    }

    @Test("AlwaysAllow (the default) still accepts ServiceAccount tokens and refuses unknown ones")
    func alwaysAllow() async throws {
        try await SimFixture.with { sim in
            let token = try await Self.botToken(sim)
            let list = try await sim.request(.GET, "/apis/apps/v1/namespaces/team/deployments", headers: Self.as_(token), authorized: false)
            #expect(list.status == 200)
            let wrong = try await sim.request(.GET, "/apis/apps/v1/namespaces/team/deployments", headers: Self.as_("nope"), authorized: false)
            #expect(wrong.status == 401)
            let sar = try await sim.request(
                .POST, "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: ["spec": ["user": "x", "resourceAttributes": ["verb": "get"]]])
            #expect(sar.body["status"]?["allowed"] == true)
        }
    }

    @Test("--token-auth-file lines: token,user,uid,\"groups\"")
    func staticTokenFile() throws {
        let tokens = try StaticTokenFile.parse("# users\nt1,alice,1,\"dev,ops\"\nt2,bob,2\n")
        #expect(tokens["t1"] == UserInfo(name: "alice", uid: "1", groups: ["dev", "ops"]))
        #expect(tokens["t2"] == UserInfo(name: "bob", uid: "2"))
        #expect(throws: StaticTokenFile.ParseError.self) { try StaticTokenFile.parse("only-a-token\n") }
    }
}
