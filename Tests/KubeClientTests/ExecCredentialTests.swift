import Foundation
import KubeClient
import KubeCore
import KubeSim
import TestSupport
import Testing

/// A credential plugin written for the test: each run appends a line to `runs`, records its arguments and
/// `KUBERNETES_EXEC_INFO`, and prints an ExecCredential whose token is the run's entry of `$TOKENS` (comma-separated,
/// the last one repeated) and whose expiry is `$EXPIRY` (none when empty).
private let pluginScript = #"""
    #!/bin/sh
    dir="$(cd "$(dirname "$0")" && pwd)"
    echo run >> "$dir/runs"
    n=$(wc -l < "$dir/runs")
    printf '%s\n' "$*" > "$dir/args"
    printf '%s' "$KUBERNETES_EXEC_INFO" > "$dir/exec-info"
    if [ -n "$FAIL" ]; then echo "$FAIL" >&2; exit 1; fi
    token=$(printf '%s' "$TOKENS" | tr ',' '\n' | sed -n "${n}p")
    [ -z "$token" ] && token=$(printf '%s' "$TOKENS" | tr ',' '\n' | tail -n 1)
    expiry=""
    [ -n "$EXPIRY" ] && expiry=",\"expirationTimestamp\":\"$EXPIRY\""
    printf '{"apiVersion":"%s","kind":"%s","status":{"token":"%s"%s}}\n' "${API_VERSION:-client.authentication.k8s.io/v1}" "${KIND:-ExecCredential}" "$token" "$expiry"
    """#

private struct PluginFolder {
    let path: String

    init() throws {
        path = RepoPaths.root + "/.tmp/exec-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try pluginScript.write(toFile: path + "/plugin.sh", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path + "/plugin.sh")
    }

    var runs: Int {
        (try? String(contentsOfFile: path + "/runs", encoding: .utf8))?.split(separator: "\n").count ?? 0
    }

    func read(_ name: String) -> String { (try? String(contentsOfFile: path + "/" + name, encoding: .utf8)) ?? "" }

    /// A kubeconfig for `server` whose user runs `./plugin.sh` (relative to the kubeconfig's folder).
    func configuration(server: URL, environment: [String: String], command: String = "./plugin.sh", installHint: String? = nil) throws -> KubeClientConfiguration {
        let env = environment.sorted { $0.key < $1.key }.map { "      - name: \($0.key)\n        value: \"\($0.value)\"" }.joined(separator: "\n")
        let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: sim
              cluster:
                server: \(server.absoluteString)
            users:
            - name: plugin-user
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: \(command)
                  args: ["get-token", "--cluster", "sim"]
                  interactiveMode: Never
            \(installHint.map { "      installHint: \"\($0)\"" } ?? "")
                  env:
            \(env)
            contexts:
            - name: sim
              context: {cluster: sim, user: plugin-user}
            current-context: sim
            """
        try text.write(toFile: path + "/kubeconfig", atomically: true, encoding: .utf8)
        return try KubeClientConfiguration.fromKubeconfig(path: path + "/kubeconfig")
    }
}

/// Runs `body` with a client made from `configuration` against the running sim, then shuts the client down.
private func withClient<T: Sendable>(_ configuration: KubeClientConfiguration, _ body: (KubeClient) async throws -> T) async throws -> T {
    let client = try KubeClient(configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

@Suite("Exec credential plugins (client.authentication.k8s.io/v1), as EKS, GKE and AKS kubeconfigs use")
struct ExecCredentialTests {
    @Test func aTokenIsCachedUntilItExpiresAndThePluginGetsItsArgumentsAndExecInfo() async throws {
        let folder = try PluginFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        try await withSim { sim, _ in
            // kube-sim's token, valid until 2999: one run serves every request.
            let configuration = try folder.configuration(server: sim.url, environment: ["TOKENS": "kube-sim-token", "EXPIRY": "2999-01-01T00:00:00Z"])
            try await withClient(configuration) { client in
                for _ in 0..<5 { _ = try await client.resource(Namespace.self).list() }
            }
            #expect(folder.runs == 1)
            #expect(folder.read("args") == "get-token --cluster sim\n")
            #expect(folder.read("exec-info") == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}"#)
        }
    }

    @Test func anExpiredTokenRunsThePluginAgain() async throws {
        let folder = try PluginFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        try await withSim { sim, _ in
            // Every token the plugin prints expired in 2000: each of the 3 requests runs it once.
            let configuration = try folder.configuration(server: sim.url, environment: ["TOKENS": "kube-sim-token", "EXPIRY": "2000-01-01T00:00:00Z"])
            try await withClient(configuration) { client in
                for _ in 0..<3 { _ = try await client.resource(Namespace.self).list() }
            }
            #expect(folder.runs == 3)
        }
    }

    @Test func a401ThrowsTheTokenAwayAndTheRequestIsRetriedWithANewOne() async throws {
        let folder = try PluginFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        try await withSim { sim, _ in
            // Run 1 prints a token kube-sim refuses (401); run 2 prints the right one, valid until 2999.
            let configuration = try folder.configuration(
                server: sim.url, environment: ["TOKENS": "revoked-token,kube-sim-token", "EXPIRY": "2999-01-01T00:00:00Z"])
            try await withClient(configuration) { client in
                let namespaces = try await client.resource(Namespace.self).list()
                #expect(namespaces.items.contains { $0.metadata.name == "w" })
                #expect(folder.runs == 2)
                // The new token is cached: no more runs.
                _ = try await client.resource(Namespace.self).list()
                _ = try await client.resource(Namespace.self).watch(WatchOptions(timeoutSeconds: 1))
                #expect(folder.runs == 2)
            }
        }
    }

    @Test func aFailingPluginIsAClearError() async throws {
        let folder = try PluginFolder()
        defer { try? FileManager.default.removeItem(atPath: folder.path) }
        try await withSim { sim, _ in
            let failing = try folder.configuration(server: sim.url, environment: ["FAIL": "token expired; run aws sso login"])
            try await withClient(failing) { client in
                let error = await #expect(throws: KubeClientError.self) { _ = try await client.resource(Namespace.self).list() }
                #expect(error?.code == .credentials)
                #expect(error?.message.contains("credential plugin") == true)
                #expect(error?.message.contains("exited with status 1: token expired; run aws sso login") == true)
            }
            let wrongKind = try folder.configuration(server: sim.url, environment: ["TOKENS": "x", "KIND": "Secret"])
            try await withClient(wrongKind) { client in
                let error = await #expect(throws: KubeClientError.self) { _ = try await client.resource(Namespace.self).list() }
                #expect(error?.message.contains("printed kind \"Secret\", expected ExecCredential") == true)
            }
            let missing = try folder.configuration(
                server: sim.url, environment: [:], command: "pacer-no-such-plugin", installHint: "install it with: brew install it")
            try await withClient(missing) { client in
                let error = await #expect(throws: KubeClientError.self) { _ = try await client.resource(Namespace.self).list() }
                #expect(error?.message.contains("command not found") == true, "\(String(describing: error))")
                #expect(error?.message.contains("install it with: brew install it") == true)
            }
        }
    }

    @Test func aKubeconfigWithAnUnknownExecVersionIsRefused() throws {
        let text = """
            apiVersion: v1
            kind: Config
            clusters: [{name: c, cluster: {server: "https://127.0.0.1:6443"}}]
            users: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: plugin}}}]
            contexts: [{name: c, context: {cluster: c, user: u}}]
            current-context: c
            """
        #expect {
            _ = try KubeClientConfiguration.fromKubeconfig(text: text)
        } throws: { error in
            "\(error)".contains("exec apiVersion must be one of client.authentication.k8s.io/v1, client.authentication.k8s.io/v1beta1")
        }
    }
}
