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
/// Output goes to temporary files rather than pipes: a program that starts a daemon (pg_ctl starting PostgreSQL)
/// may leave a descendant holding a pipe open, and a reader would then wait for an end of file that never comes.
public enum Subprocess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: Data? = nil, timeout: Duration = .seconds(60)
    ) throws -> Result {
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
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = inHandle
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        if exited.wait(timeout: .now() + seconds) == .timedOut {
            process.terminate()
            _ = exited.wait(timeout: .now() + 5)
            throw SubprocessError(message: "\(arguments.joined(separator: " ")) did not finish within \(timeout)")
        }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: (try? Data(contentsOf: outURL)) ?? Data(), as: UTF8.self),
            stderr: String(decoding: (try? Data(contentsOf: errURL)) ?? Data(), as: UTF8.self))
    }
}
