import Foundation
@testable import KubeClient
import Testing

@Suite("kubeconfig and in-cluster configuration")
struct KubeConfigTests {
    static let caPEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"

    static func kubeconfig(server: String = "https://10.0.0.1:6443", current: String = "dev") -> String {
        let ca = Data(caPEM.utf8).base64EncodedString()
        return """
            apiVersion: v1
            kind: Config
            current-context: \(current)
            clusters:
            - name: c1
              cluster:
                server: \(server)
                certificate-authority-data: \(ca)
            - name: c2
              cluster:
                server: https://other:443
                insecure-skip-tls-verify: true
            contexts:
            - name: dev
              context: {cluster: c1, user: u1, namespace: team-a}
            - name: other
              context: {cluster: c2, user: u2}
            users:
            - name: u1
              user:
                token: secret-token
            - name: u2
              user:
                tokenFile: tokens/t
            preferences: {}
            """
    }

    func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "kubeconfig-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func missingFileIsAOneLineError() {
        do {
            _ = try KubeClientConfiguration.fromKubeconfig(path: "/nonexistent/dir/config")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "kubeconfig /nonexistent/dir/config: file not found")
        }
    }

    @Test func missingContextNamesIt() throws {
        let dir = try temporaryDirectory()
        let path = dir + "/config"
        try Self.kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try KubeClientConfiguration.fromKubeconfig(path: path, context: "foo")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "kubeconfig \(path): context \"foo\" not found")
        }
    }

    @Test func tokenCADataAndNamespaceOfCurrentContext() throws {
        let config = try KubeClientConfiguration.fromKubeconfig(text: Self.kubeconfig())
        #expect(config.server == "https://10.0.0.1:6443")
        #expect(config.namespace == "team-a")
        #expect(config.authentication == .bearer("secret-token"))
        #expect(config.tls.caPEM == Array(Self.caPEM.utf8))
        #expect(config.tls.insecureSkipVerify == false)
    }

    @Test func explicitContextWithRelativeTokenFileAndInsecure() throws {
        let dir = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/tokens", withIntermediateDirectories: true)
        try "file-token\n".write(toFile: dir + "/tokens/t", atomically: true, encoding: .utf8)
        try Self.kubeconfig().write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let config = try KubeClientConfiguration.fromKubeconfig(path: dir + "/config", context: "other")
        #expect(config.authentication == .tokenFile(dir + "/tokens/t"))
        #expect(config.tls.insecureSkipVerify)
        #expect(config.namespace == "default")
    }

    @Test func resolutionOrderPrefersExplicitThenKUBECONFIG() throws {
        let dir = try temporaryDirectory()
        try Self.kubeconfig(server: "https://explicit:1").write(toFile: dir + "/a", atomically: true, encoding: .utf8)
        try Self.kubeconfig(server: "https://env:2").write(toFile: dir + "/b", atomically: true, encoding: .utf8)
        let env = ["KUBECONFIG": "\(dir)/b:\(dir)/a", "HOME": dir]
        #expect(try KubeClientConfiguration.resolve(kubeconfigPath: dir + "/a", environment: env).server == "https://explicit:1")
        #expect(try KubeClientConfiguration.resolve(environment: env).server == "https://env:2")
        #expect(throws: KubeConfigError.self) { try KubeClientConfiguration.resolve(environment: ["HOME": dir]) }
    }

    @Test func badYAMLAndBadBase64AreErrors() {
        #expect(throws: KubeConfigError.self) { try KubeClientConfiguration.fromKubeconfig(text: "clusters: [oops") }
        let ca = Data(Self.caPEM.utf8).base64EncodedString()
        let broken = Self.kubeconfig().replacingOccurrences(of: ca, with: "'not base64 ***'")
        do {
            _ = try KubeClientConfiguration.fromKubeconfig(text: broken)
            Issue.record("expected an error")
        } catch {
            #expect(error.message == "certificate-authority-data is not valid base64")
        }
    }

    @Test func inClusterReadsServiceAccountFiles() throws {
        let dir = try temporaryDirectory()
        try "sa-token".write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        try Self.caPEM.write(toFile: dir + "/ca.crt", atomically: true, encoding: .utf8)
        try "pacer-system\n".write(toFile: dir + "/namespace", atomically: true, encoding: .utf8)
        let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"]
        let config = try KubeClientConfiguration.inCluster(environment: env, paths: .init(directory: dir))
        #expect(config.server == "https://10.96.0.1:443")
        #expect(config.namespace == "pacer-system")
        #expect(config.authentication == .tokenFile(dir + "/token"))
        #expect(throws: KubeConfigError.self) { try KubeClientConfiguration.inCluster(environment: [:], paths: .init(directory: dir)) }
    }
}

@Suite("Token file rotation")
struct TokenSourceTests {
    @Test func reReadsTheTokenWhenTheFileChanges() throws {
        let path = NSTemporaryDirectory() + "token-\(UUID().uuidString)"
        try "first".write(toFile: path, atomically: false, encoding: .utf8)
        let source = try TokenSource(path: path)
        #expect(source.token() == "first")
        try "second".write(toFile: path, atomically: false, encoding: .utf8)
        // Make sure the modification time differs even on coarse file systems.
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(5)], ofItemAtPath: path)
        #expect(source.token() == "second")
    }
}
