import Foundation

/// The real Prometheus Alertmanager (Debian's `prometheus-alertmanager`, installed by hack/deps.sh), started with a
/// configuration written here: one webhook receiver pointing at Pacer with bearer authorization, short group timers.
public final class AlertmanagerProcess: @unchecked Sendable {
    public static let binary = "/usr/bin/prometheus-alertmanager"
    public static var installed: Bool { FileManager.default.isExecutableFile(atPath: binary) }

    public let port: Int
    public let directory: String
    private let process: Process

    /// Starts Alertmanager and waits until `/-/ready` answers. `webhookURL` receives every notification, with
    /// `Authorization: Bearer <content of tokenFile>`.
    public static func start(webhookURL: String, tokenFile: String, timeout: Duration = .seconds(30)) async throws -> AlertmanagerProcess {
        let directory = RepoPaths.root + "/.tmp/alertmanager-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/data", withIntermediateDirectories: true)
        let config = """
            route:
              receiver: pacer
              group_by: [alertname, app]
              group_wait: 1s
              group_interval: 1s
              repeat_interval: 1h
            receivers:
            - name: pacer
              webhook_configs:
              - url: \(webhookURL)
                send_resolved: true
                http_config:
                  authorization:
                    type: Bearer
                    credentials_file: \(tokenFile)
            """
        try config.write(toFile: directory + "/alertmanager.yml", atomically: true, encoding: .utf8)
        let port = try await freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "--config.file=\(directory)/alertmanager.yml", "--storage.path=\(directory)/data",
            "--web.listen-address=127.0.0.1:\(port)", "--cluster.listen-address=", "--log.level=warn",
        ]
        let log = FileHandle(forWritingAtPath: directory + "/log") ?? {
            FileManager.default.createFile(atPath: directory + "/log", contents: nil)
            return FileHandle(forWritingAtPath: directory + "/log")!
        }()
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let alertmanager = AlertmanagerProcess(port: port, directory: directory, process: process)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let ready = try await Subprocess.run(["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)/-/ready"], timeout: .seconds(5))
            if ready.stdout == "200" { return alertmanager }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let output = (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? ""
        alertmanager.stop()
        throw SubprocessError(message: "Alertmanager did not become ready on port \(port): \(output)")
    }

    private init(port: Int, directory: String, process: Process) {
        self.port = port
        self.directory = directory
        self.process = process
    }

    /// Posts alerts to the v2 API (`POST /api/v2/alerts`); returns the HTTP status.
    public func post(alerts json: String) async throws -> Int {
        let result = try await Subprocess.run(
            ["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: application/json",
             "--data-binary", "@-", "http://127.0.0.1:\(port)/api/v2/alerts"],
            stdin: Data(json.utf8), timeout: .seconds(30))
        return Int(result.stdout) ?? -1
    }

    public var log: String { (try? String(contentsOfFile: directory + "/log", encoding: .utf8)) ?? "" }

    public func stop() {
        if process.isRunning {
            process.terminate()
            if !process.waitForExit() { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A TCP port nobody listens on right now (the kernel's choice).
    static func freePort() async throws -> Int {
        let result = try await Subprocess.run(
            ["/usr/bin/env", "python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"],
            timeout: .seconds(30))
        guard let port = Int(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw SubprocessError(message: "no free port: \(result.stderr)")
        }
        return port
    }
}
