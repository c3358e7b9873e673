import Foundation
import KubeSim
import PacerCore
import TestSupport
import Testing

/// The real kubectl against kube-sim with RBAC on. Over plain HTTP client-go sends no credentials
/// (kubernetes/kubectl#744), so kubectl is `system:anonymous` here; the test grants that user's group what it needs.
@Suite("kubectl against kube-sim with RBAC", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")))
struct RBACKubectlTests {
    @Test("kubectl auth can-i answers from the rules; a refused kubectl get prints the apiserver's Forbidden message")
    func canI() async throws {
        try await SimFixture.with({ $0.authorizationMode = .rbac }) { sim in
            try await sim.sim.apply(
                yaml: """
                    apiVersion: v1
                    kind: Namespace
                    metadata: {name: team}
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: anonymous-discovery}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:discovery"}
                    subjects: [{kind: Group, name: "system:unauthenticated"}]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: ClusterRoleBinding
                    metadata: {name: anonymous-basic}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:basic-user"}
                    subjects: [{kind: Group, name: "system:unauthenticated"}]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: Role
                    metadata: {name: deployment-reader, namespace: team}
                    rules: [{apiGroups: [apps], resources: [deployments], verbs: [get, list]}]
                    ---
                    apiVersion: rbac.authorization.k8s.io/v1
                    kind: RoleBinding
                    metadata: {name: anonymous-reads, namespace: team}
                    roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployment-reader}
                    subjects: [{kind: User, name: "system:anonymous"}]
                    """)
            let yes = try await sim.kubectl("auth", "can-i", "list", "deployments", "-n", "team")
            #expect(yes.status == 0 && yes.stdout == "yes\n", "\(yes.stdout) \(yes.stderr)")
            let no = try await sim.kubectl("auth", "can-i", "watch", "deployments", "-n", "team")
            #expect(no.status == 1 && no.stdout == "no\n", "\(no.stdout) \(no.stderr)")
            let elsewhere = try await sim.kubectl("auth", "can-i", "get", "deployments.apps", "-n", "default")
            #expect(elsewhere.stdout == "no\n", "\(elsewhere.stderr)")

            let listed = try await sim.kubectl("get", "deployments", "-n", "team")
            #expect(listed.status == 0, "\(listed.stderr)")
            let refused = try await sim.kubectl("get", "deployments", "-n", "default")
            #expect(refused.status != 0)
            #expect(
                refused.stderr.contains(
                    "Error from server (Forbidden): deployments.apps is forbidden: User \"system:anonymous\" cannot list resource \"deployments\" in API group \"apps\" in the namespace \"default\""),
                "\(refused.stderr)")
            let leases = try await sim.kubectl("get", "lease", "leader", "-n", "team")
            #expect(
                leases.stderr.contains(
                    "Error from server (Forbidden): leases.coordination.k8s.io \"leader\" is forbidden: User \"system:anonymous\" cannot get resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"team\""),
                "\(leases.stderr)")
        }
    }
}
