import Foundation

/// Paths in the repository and beside it.
public enum RepoPaths {
    /// The repository root (found from this file's path).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared` beside the checkout, or `PACER_SHARED_DIR`.
    public static var shared: String {
        ProcessInfo.processInfo.environment["PACER_SHARED_DIR"] ?? URL(fileURLWithPath: root).deletingLastPathComponent().appendingPathComponent("shared").path
    }
}

public struct SubprocessError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// Runs a program to completion with a time limit, capturing its output.
///
/// Output goes to temporary files rather than pipes (a daemon started by the program could hold a pipe open),
/// and the wait polls instead of blocking a thread of the concurrency pool.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil, workingDirectory: String? = nil,
        timeout: Duration = .seconds(60)
    ) async throws -> Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("stdout")
        let errURL = directory.appendingPathComponent("stderr")
        let inURL = directory.appendingPathComponent("stdin")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        FileManager.default.createFile(atPath: inURL.path, contents: stdin ?? Data())
        let outHandle = try FileHandle(forWritingTo: outURL)
        let errHandle = try FileHandle(forWritingTo: errURL)
        let inHandle = try FileHandle(forReadingFrom: inURL)
        defer {
            try? outHandle.close()
            try? errHandle.close()
            try? inHandle.close()
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        if let workingDirectory { process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory) }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                throw SubprocessError(message: "\(arguments.joined(separator: " ")) did not finish within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}

/// The real `/usr/bin/kubectl`, pointed at one kubeconfig with a private discovery cache.
public struct Kubectl: Sendable {
    public let kubeconfig: String
    public let cacheDirectory: String
    public let workingDirectory: String?

    public init(kubeconfig: String, cacheDirectory: String, workingDirectory: String? = nil) {
        self.kubeconfig = kubeconfig
        self.cacheDirectory = cacheDirectory
        self.workingDirectory = workingDirectory
    }

    /// Runs kubectl with these arguments (killed after 180 s: a generous bound for a hung kubectl, not a speed check;
    /// `apply -f examples` sends about 60 objects and took over 30 s on a loaded 2-core machine).
    public func callAsFunction(_ arguments: [String]) async throws -> Subprocess.Result {
        try await Subprocess.run(
            ["/usr/bin/kubectl", "--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory] + arguments,
            workingDirectory: workingDirectory, timeout: .seconds(180))
    }

    public func callAsFunction(_ arguments: String...) async throws -> Subprocess.Result {
        try await callAsFunction(arguments)
    }
}

extension Process {
    /// Waits for a started process to exit, polling, for at most `timeout`; true when it exited. A process that has
    /// exited but that Foundation has not reaped yet (a zombie) counts as exited. Unlike `waitUntilExit()`, which
    /// spins the run loop until Foundation sees the exit, it cannot block its thread forever.
    @discardableResult
    public func waitForExit(timeout: Duration = .seconds(30)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if Self.hasExited(processIdentifier) { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    /// Whether `/proc` shows the process gone or a zombie.
    static func hasExited(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        // "pid (comm) S ...": the state follows the last ')' (comm may contain parentheses).
        guard let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
