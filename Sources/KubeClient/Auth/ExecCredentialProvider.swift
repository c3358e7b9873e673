import Foundation
import PacerCore
import Synchronization

/// Runs a kubeconfig's credential plugin (`client.authentication.k8s.io` ExecCredential, as `aws eks get-token`,
/// `gke-gcloud-auth-plugin` and `kubelogin` print) and caches its token until `status.expirationTimestamp` (for
/// ever when it has none). A 401 answer throws the token away (`invalidate`), so the next request runs the plugin
/// again, as client-go does. Concurrent requests share one run.
actor ExecCredentialProvider {
    let plugin: KubeClientConfiguration.ExecPlugin
    /// How long one run may take before it is killed.
    let timeout: Duration
    private var cached: Credential?
    private var running: Task<Credential, any Error>?
    /// How many times the plugin ran (for tests and logs).
    private(set) var runs = 0

    struct Credential: Sendable {
        var token: String
        var expiry: Date?
    }

    init(plugin: KubeClientConfiguration.ExecPlugin, timeout: Duration = .seconds(60)) {
        self.plugin = plugin
        self.timeout = timeout
    }

    /// The cached token while it has not expired, else a fresh one from the plugin.
    func token() async throws -> String {
        if let cached, cached.expiry.map({ $0 > Date() }) ?? true { return cached.token }
        if let running { return try await running.value.token }
        let task = Task { [plugin, timeout] in try await Self.run(plugin, timeout: timeout) }
        running = task
        runs += 1
        defer { running = nil }
        let credential = try await task.value
        cached = credential
        return credential.token
    }

    /// Forgets `token` (the server refused it); a newer token already cached is kept.
    func invalidate(_ token: String) {
        if cached?.token == token { cached = nil }
    }

    /// Runs the plugin once and reads its ExecCredential.
    static func run(_ plugin: KubeClientConfiguration.ExecPlugin, timeout: Duration) async throws -> Credential {
        let output = try await execute(plugin, timeout: timeout)
        return try parse(output, plugin: plugin)
    }

    static func parse(_ output: Data, plugin: KubeClientConfiguration.ExecPlugin) throws -> Credential {
        let object = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any]
        guard let object else { throw failure(plugin, "printed no JSON object on standard output") }
        guard object["kind"] as? String == "ExecCredential" else {
            throw failure(plugin, "printed kind \"\(object["kind"] ?? "")\", expected ExecCredential")
        }
        guard object["apiVersion"] as? String == plugin.apiVersion else {
            throw failure(plugin, "printed apiVersion \"\(object["apiVersion"] ?? "")\", but the kubeconfig asks for \(plugin.apiVersion)")
        }
        let status = object["status"] as? [String: Any] ?? [:]
        guard let token = status["token"] as? String, !token.isEmpty else {
            if status["clientCertificateData"] != nil {
                throw failure(plugin, "returned a client certificate; Pacer supports plugins that return a token (status.token)")
            }
            throw failure(plugin, "printed no status.token")
        }
        var expiry: Date?
        if let text = status["expirationTimestamp"] as? String {
            guard let date = RFC3339.parse(text) else { throw failure(plugin, "printed an expirationTimestamp that is not RFC 3339: \"\(text)\"") }
            expiry = date
        }
        return Credential(token: token, expiry: expiry)
    }

    /// Runs the command with the kubeconfig's arguments and environment plus `KUBERNETES_EXEC_INFO`; standard input
    /// is empty (Pacer is never interactive).
    static func execute(_ plugin: KubeClientConfiguration.ExecPlugin, timeout: Duration) async throws -> Data {
        let info = #"{"apiVersion":"\#(plugin.apiVersion)","kind":"ExecCredential","spec":{"interactive":false}}"#
        return try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                // Through env, so a bare command is found on PATH as a shell would find it.
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = [plugin.command] + plugin.arguments
                var environment = ProcessInfo.processInfo.environment.merging(plugin.environment) { _, new in new }
                environment["KUBERNETES_EXEC_INFO"] = info
                process.environment = environment
                let stdout = Pipe(), stderr = Pipe()
                process.standardOutput = stdout
                process.standardError = stderr
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(throwing: failure(plugin, "could not be started: \(error)"))
                    return
                }
                let killer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(timeout.components.seconds * 1_000)), execute: killer)
                // Standard error on its own thread, so a plugin filling one pipe never blocks on the other.
                let errors = Mutex(Data())
                let group = DispatchGroup()
                group.enter()
                DispatchQueue.global().async {
                    let data = stderr.fileHandleForReading.readDataToEndOfFile()
                    errors.withLock { $0 = data }
                    group.leave()
                }
                let output = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                group.wait()
                killer.cancel()
                guard process.terminationReason == .exit, process.terminationStatus == 0 else {
                    let message = String(decoding: errors.withLock { $0 }, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    var reason = process.terminationReason == .uncaughtSignal
                        ? "was killed (signal \(process.terminationStatus); the limit is \(timeout))"
                        : "exited with status \(process.terminationStatus)"
                    if process.terminationStatus == 127 { reason += " (command not found)" }
                    var text = "\(reason)\(message.isEmpty ? "" : ": \(message.prefix(500))")"
                    if let hint = plugin.installHint, process.terminationStatus == 127 { text += "; \(hint)" }
                    continuation.resume(throwing: failure(plugin, text))
                    return
                }
                continuation.resume(returning: output)
            }
        }
    }

    static func failure(_ plugin: KubeClientConfiguration.ExecPlugin, _ message: String) -> KubeClientError {
        KubeClientError(code: .credentials, request: "exec \(plugin.command)", message: "credential plugin \(plugin.command) \(message)")
    }
}
