import Foundation
import KubeClient
import KubeCore
import KubeSim
import PacerCore
import TestSupport
import Testing

/// Our client against kube-sim serving HTTPS (a CA made with openssl, a serving certificate with IP SANs) and
/// enforcing RBAC: kubeconfig `certificate-authority-data`, the in-cluster path, a wrong CA, client certificates,
/// and the real kubectl with `--token` (client-go sends credentials only over TLS).
@Suite("KubeClient over TLS against kube-sim")
struct TLSSimTests {
    static func directory() -> String { RepoPaths.root + "/.tmp/tls-\(UUID().uuidString)" }

    static func withTLSSim(_ body: (KubeSim, KubeSimTLS, KubeClient) async throws -> Void) async throws {
        let folder = directory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let tls = try KubeSimTLS.generate(in: folder)
        try await SimulatedCluster.with(configure: {
            $0.tls = tls
            $0.authorizationMode = .rbac
            $0.anonymousAuth = false
            $0.rolloutsEnabled = false
        }) { sim, client in
            try await body(sim, tls, client)
        }
    }

    /// Namespace `team`, ServiceAccount `bot` allowed to list ConfigMaps there; returns a token for it.
    static func bot(_ sim: KubeSim) async throws -> String {
        try await sim.apply(
            yaml: """
                apiVersion: v1
                kind: Namespace
                metadata: {name: team}
                ---
                apiVersion: v1
                kind: ServiceAccount
                metadata: {name: bot, namespace: team}
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: Role
                metadata: {name: maps, namespace: team}
                rules: [{apiGroups: [""], resources: [configmaps], verbs: [list]}]
                ---
                apiVersion: rbac.authorization.k8s.io/v1
                kind: RoleBinding
                metadata: {name: maps, namespace: team}
                roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: maps}
                subjects: [{kind: ServiceAccount, name: bot, namespace: team}]
                """)
        return try sim.serviceAccountToken(namespace: "team", name: "bot")
    }

    @Test("https URL, kubeconfig certificate-authority-data, admin token")
    func kubeconfigCA() async throws {
        try await Self.withTLSSim { sim, _, client in
            #expect(sim.url.absoluteString.hasPrefix("https://127.0.0.1:"))
            #expect(sim.kubeconfig().contains("certificate-authority-data: "))
            let namespaces = try await client.resource(Namespace.self).list()
            #expect(namespaces.items.contains { $0.metadata.name == "kube-system" })
        }
    }

    @Test("a CA that did not sign the server's certificate is refused with a clear error")
    func wrongCA() async throws {
        let other = Self.directory()
        defer { try? FileManager.default.removeItem(atPath: other) }
        let stranger = try KubeSimTLS.generate(in: other)
        try await Self.withTLSSim { sim, _, _ in
            var configuration = try KubeClientConfiguration.fromKubeconfig(text: sim.kubeconfig())
            configuration.tls.caPEM = Array(try #require(FileManager.default.contents(atPath: stranger.caCertificatePath)))
            configuration.requestTimeout = .seconds(5)
            let client = try KubeClient(configuration: configuration)
            do {
                _ = try await client.resource(Namespace.self).list()
                Issue.record("a server certificate from another CA was accepted")
            } catch {
                let text = "\(error)"
                #expect(text.contains("TLS handshake failed: the API server's certificate is not trusted by the configured certificate authority"), "\(text)")
            }
            try await client.shutdown()
        }
    }

    @Test("in-cluster: KUBERNETES_SERVICE_HOST/PORT, token file, ca.crt, namespace file")
    func inCluster() async throws {
        try await Self.withTLSSim { sim, tls, _ in
            let token = try await Self.bot(sim)
            let folder = Self.directory()
            defer { try? FileManager.default.removeItem(atPath: folder) }
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try token.write(toFile: folder + "/token", atomically: true, encoding: .utf8)
            try "team\n".write(toFile: folder + "/namespace", atomically: true, encoding: .utf8)
            try FileManager.default.copyItem(atPath: tls.caCertificatePath, toPath: folder + "/ca.crt")
            let port = try #require(sim.url.port)
            let configuration = try KubeClientConfiguration.inCluster(
                environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(port)],
                paths: .init(directory: folder))
            #expect(configuration.server == "https://127.0.0.1:\(port)")
            #expect(configuration.namespace == "team")
            let client = try KubeClient(configuration: configuration)
            let maps = try await client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "team").list()
            #expect(maps.items.isEmpty)
            do {
                _ = try await client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "default").list()
                Issue.record("listing outside the Role's namespace was allowed")
            } catch let error as KubeClientError {
                #expect(error.httpStatus == 403)
                #expect(error.status?.message == "configmaps is forbidden: User \"system:serviceaccount:team:bot\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\"")
            }
            try await client.shutdown()
        }
    }

    @Test("client certificates: CN is the user, O the groups")
    func clientCertificates() async throws {
        try await Self.withTLSSim { sim, tls, _ in
            func client(_ user: String, _ groups: [String]) throws -> KubeClient {
                let (certificate, key) = try tls.clientCertificate(user: user, groups: groups)
                var configuration = try KubeClientConfiguration.fromKubeconfig(text: sim.kubeconfig())
                configuration.authentication = .none
                configuration.tls.clientCertificatePEM = Array(try #require(FileManager.default.contents(atPath: certificate)))
                configuration.tls.clientKeyPEM = Array(try #require(FileManager.default.contents(atPath: key)))
                return try KubeClient(configuration: configuration)
            }
            let admin = try client("alice", ["system:masters", "dev"])
            #expect(try await admin.resource(Namespace.self).list().items.count >= 4)
            try await admin.shutdown()
            let bob = try client("bob", ["dev"])
            do {
                _ = try await bob.resource(Namespace.self).list()
                Issue.record("bob may not list namespaces")
            } catch let error as KubeClientError {
                #expect(error.status?.message == "namespaces is forbidden: User \"bob\" cannot list resource \"namespaces\" in API group \"\" at the cluster scope")
            }
            try await bob.shutdown()
        }
    }

    @Test("kubectl over HTTPS sends --token: auth can-i and a Forbidden get as the ServiceAccount", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")))
    func kubectlWithToken() async throws {
        try await Self.withTLSSim { sim, _, _ in
            let token = try await Self.bot(sim)
            let kubeconfig = Self.directory() + ".kubeconfig"
            defer {
                try? FileManager.default.removeItem(atPath: kubeconfig)
                try? FileManager.default.removeItem(atPath: kubeconfig + "-cache")
            }
            try sim.writeKubeconfig(to: kubeconfig)
            let kubectl = Kubectl(kubeconfig: kubeconfig, cacheDirectory: kubeconfig + "-cache")
            let admin = try await kubectl("auth", "can-i", "delete", "namespaces")
            #expect(admin.stdout == "yes\n", "\(admin.stderr)")
            let yes = try await kubectl("--token", token, "auth", "can-i", "list", "configmaps", "-n", "team")
            #expect(yes.stdout == "yes\n", "\(yes.stderr)")
            let no = try await kubectl("--token", token, "auth", "can-i", "list", "configmaps", "-n", "default")
            #expect(no.stdout == "no\n", "\(no.stderr)")
            let refused = try await kubectl("--token", token, "get", "configmaps", "-n", "default")
            #expect(refused.stderr.contains(
                "Error from server (Forbidden): configmaps is forbidden: User \"system:serviceaccount:team:bot\" cannot list resource \"configmaps\" in API group \"\" in the namespace \"default\""),
                "\(refused.stderr)")
            let unknown = try await kubectl("--token", "forged", "get", "configmaps", "-n", "team")
            #expect(unknown.stderr.contains("Unauthorized"), "\(unknown.stderr)")
        }
    }
}
