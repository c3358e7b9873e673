import Foundation
import PacerCore
import Testing

@testable import EventModel

/// Where the CDEvents v0.5.1 schemas and conformance examples live, and a runner for hack/validate-cdevents.py.
///
/// The shared folder is `$PACER_SHARED_DIR` or `<repo>/../shared`. When it is missing every test that needs it
/// FAILS with `FixtureError` naming the path: a missing spec copy must never pass silently.
enum CDEventFixtures {
    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }

    /// The repository root, three levels above this file (Tests/EventModelTests/CDEventFixtures.swift).
    static let repoRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var sharedDir: URL {
        if let env = ProcessInfo.processInfo.environment["PACER_SHARED_DIR"], !env.isEmpty { return URL(fileURLWithPath: env) }
        return repoRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// `<shared>/specs/cdevents/0.5.1`, after checking it holds the schemas.
    static func specDir() throws -> URL {
        let dir = sharedDir.appendingPathComponent("specs/cdevents/0.5.1")
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("schemas").path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FixtureError(
                description: "CDEvents v0.5.1 spec copy not found at \(dir.path): set PACER_SHARED_DIR to the shared folder "
                    + "(it must contain specs/cdevents/0.5.1/{schemas,conformance,custom})")
        }
        return dir
    }

    static func json(at url: URL) throws -> JSONValue {
        try JSONValue.parse(Array(try Data(contentsOf: url)))
    }

    /// Every official conformance example (45 files, sorted by name) plus the custom one.
    static func conformanceExamples() throws -> [(name: String, json: JSONValue)] {
        let dir = try specDir()
        let folder = dir.appendingPathComponent("conformance")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        guard names.count == 45 else {
            throw FixtureError(description: "expected 45 conformance examples in \(folder.path), found \(names.count)")
        }
        var examples = try names.map { (name: $0, json: try json(at: folder.appendingPathComponent($0))) }
        examples.append((name: "custom/conformance.json", json: try json(at: dir.appendingPathComponent("custom/conformance.json"))))
        return examples
    }

    /// The official conformance example of one type (`service_deployed.json`).
    static func example(_ file: String) throws -> JSONValue {
        try json(at: try specDir().appendingPathComponent("conformance/\(file)"))
    }

    struct ValidatorRun {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `python3 hack/validate-cdevents.py` with `events` as a JSON array on stdin; killed after 60 s.
    static func runValidator(_ events: [JSONValue], timeout: Duration = .seconds(60)) async throws -> ValidatorRun {
        _ = try specDir()
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("cdevents-validate-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("in.json")
        let output = work.appendingPathComponent("out.txt")
        let errors = work.appendingPathComponent("err.txt")
        try JSONValue.array(events).jsonData().write(to: input)
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", repoRoot.appendingPathComponent("hack/validate-cdevents.py").path]
        process.environment = ProcessInfo.processInfo.environment.merging(["PACER_SHARED_DIR": sharedDir.path]) { _, new in new }
        let stdin = try FileHandle(forReadingFrom: input)
        let stdout = try FileHandle(forWritingTo: output)
        let stderr = try FileHandle(forWritingTo: errors)
        defer {
            try? stdin.close()
            try? stdout.close()
            try? stderr.close()
        }
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while process.isRunning {
            if clock.now >= deadline {
                process.terminate()
                process.waitUntilExit()
                throw FixtureError(description: "hack/validate-cdevents.py did not finish within \(timeout); killed")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.waitUntilExit()
        return ValidatorRun(
            status: process.terminationStatus, stdout: String(decoding: try Data(contentsOf: output), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errors), as: UTF8.self))
    }
}

/// Decodes and validates, returning the thrown error (nil when the event is accepted).
func cdEventError(_ json: JSONValue, mode: CDEventValidationMode = .received) -> CDEventValidationError? {
    do {
        _ = try CDEvent(validating: json, mode: mode)
        return nil
    } catch {
        return error
    }
}

extension JSONValue {
    /// A copy with the member at `path` removed (no-op when absent).
    func removing(_ path: [String]) -> JSONValue {
        guard let first = path.first, case .object(var members) = self else { return self }
        if path.count == 1 {
            members[first] = nil
        } else if let child = members[first] {
            members[first] = child.removing(Array(path.dropFirst()))
        }
        return .object(members)
    }

    /// A copy with `value` set at `path` (intermediate objects must exist).
    func setting(_ path: [String], to value: JSONValue) -> JSONValue {
        guard let first = path.first, case .object(var members) = self else { return self }
        members[first] = path.count == 1 ? value : (members[first] ?? .object([:])).setting(Array(path.dropFirst()), to: value)
        return .object(members)
    }
}
