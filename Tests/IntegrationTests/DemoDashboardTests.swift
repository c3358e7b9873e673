import Foundation
import PacerDemo
import TestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The built-in dashboard in a real browser: `pacer-demo` serving, headless Chromium (Debian's `chromium`)
/// loads `GET /`, the tiles must show the values computed from the script, and a screenshot is saved as
/// `.tmp/artifacts/dashboard.png`. Ctrl-C (SIGINT) then stops everything and removes the temporary folder.
@Suite("pacer-demo dashboard in Chromium", .enabled(if: DemoBinary.enabled && DemoBrowser.available))
struct DemoDashboardTests {

    @Test(.timeLimit(.minutes(10)))
    func tilesShowTheComputedFourKeysAndAScreenshotIsSaved() async throws {
        let browser = try #require(DemoBrowser.chromium, "chromium is not installed (apt-get install chromium)")
        let port = try EmbeddedPostgres.freeLoopbackPort()
        let demo = try DemoProcessHandle(arguments: [DemoBinary.path, "--http-port", String(port)])
        defer { demo.kill() }
        let output = try await demo.waitForOutput(containing: "Dashboard and API:", timeout: .seconds(200))
        _ = try #require(DemoBinary.scriptNow(in: output), "\(output)")
        let expected = DemoExpectations()
        let url = "http://127.0.0.1:\(port)/"
        let profile = NSTemporaryDirectory() + "/pacer-chromium-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--user-data-dir=\(profile)", "--virtual-time-budget=5000"]

        let dom = try await Subprocess.run([browser] + flags + ["--dump-dom", url], timeout: .seconds(90))
        #expect(dom.status == 0, "\(dom.stderr.suffix(2000))")
        let tiles = Self.tiles(in: dom.stdout)
        for metric in ["deploymentFrequency", "leadTimeForChanges", "changeFailureRate", "timeToRestore"] {
            let want = try #require(expected.rows["all"]?[metric])
            let tile = tiles[metric]
            #expect(tile != nil, "no tile for \(metric) in:\n\(dom.stdout.prefix(4000))")
            if let value = want.value {
                let shown = try #require(tile?.value.flatMap(Double.init), "\(metric): tile \(String(describing: tile))")
                // The API rounds (a ratio to 2 decimals, hours to 2 decimals); live steps add seconds to lead times.
                #expect(abs(shown - value) <= (metric == "changeFailureRate" ? 0.0051 : 0.02), "\(metric): tile \(shown), expected \(want)")
                #expect(tile?.level == want.level, "\(metric): tile \(String(describing: tile)), expected \(want)")
            }
        }

        // The per-app table: one row per app, a cell per key with the app's value.
        let table = Self.appCells(in: dom.stdout)
        for app in DemoHistory.apps.map(\.name) {
            for (metric, want) in expected.rows[app] ?? [:] {
                guard let value = want.value else { continue }
                let shown = table[app]?[metric].flatMap(Double.init)
                #expect(
                    shown.map { abs($0 - value) <= (metric == "changeFailureRate" ? 0.0051 : max(0.02, value * 0.005)) } == true,
                    "\(app) \(metric): cell \(String(describing: shown)), expected \(want)")
            }
        }

        let artifacts = RepoPaths.root + "/.tmp/artifacts"
        try FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
        let png = artifacts + "/dashboard.png"
        try? FileManager.default.removeItem(atPath: png)
        let shot = try await Subprocess.run(
            [browser] + flags + ["--hide-scrollbars", "--window-size=1400,1000", "--screenshot=\(png)", url], timeout: .seconds(90))
        #expect(shot.status == 0, "\(shot.stderr.suffix(2000))")
        let bytes = FileManager.default.contents(atPath: png) ?? Data()
        #expect(bytes.count > 10_000 && bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), "screenshot missing or empty: \(bytes.count) bytes")

        // Ctrl-C: a clean shutdown that removes the temporary folder (it holds the kubeconfig the demo printed).
        let kubeconfig = output.components(separatedBy: "kubectl --kubeconfig ").last?.split(separator: " ").first.map(String.init)
        let status = try await demo.interrupt(timeout: .seconds(180))
        #expect(status == 0, "\(demo.output())")
        if let kubeconfig {
            #expect(!FileManager.default.fileExists(atPath: kubeconfig), "\(kubeconfig) left behind")
        }
    }

    /// `#apps tr[data-app]` → `td[data-metric]` → `data-value` in the rendered DOM.
    static func appCells(in dom: String) -> [String: [String: String]] {
        var cells: [String: [String: String]] = [:]
        for row in dom.components(separatedBy: "<tr data-app=\"").dropFirst() {
            guard let quote = row.firstIndex(of: "\"") else { continue }
            let app = String(row[..<quote])
            let body = row.components(separatedBy: "</tr>").first ?? ""
            for cell in body.components(separatedBy: "<td data-metric=\"").dropFirst() {
                guard let end = cell.firstIndex(of: "\"") else { continue }
                let metric = String(cell[..<end])
                guard let value = cell.range(of: "data-value=\"") else { continue }
                let rest = cell[value.upperBound...]
                if let close = rest.firstIndex(of: "\""), !rest[..<close].isEmpty { cells[app, default: [:]][metric] = String(rest[..<close]) }
            }
        }
        return cells
    }

    /// `data-metric` → (`data-value`, `data-level`) of every `.tile` in the rendered DOM.
    static func tiles(in dom: String) -> [String: (value: String?, level: String?)] {
        var tiles: [String: (value: String?, level: String?)] = [:]
        for chunk in dom.components(separatedBy: "<div class=\"tile").dropFirst() {
            guard let end = chunk.firstIndex(of: ">") else { continue }
            let tag = String(chunk[..<end])
            func attribute(_ name: String) -> String? {
                guard let start = tag.range(of: " \(name)=\"") else { return nil }
                let rest = tag[start.upperBound...]
                return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
            }
            if let metric = attribute("data-metric"), tiles[metric] == nil {
                let value = attribute("data-value")
                tiles[metric] = (value?.isEmpty == true ? nil : value, attribute("data-level"))
            }
        }
        return tiles
    }
}

/// Debian's headless-capable Chromium.
enum DemoBrowser {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// In CI a missing browser is a failure (hack/deps.sh installs it); elsewhere the test is skipped.
    static var available: Bool { chromium != nil || ProcessInfo.processInfo.environment["CI"] != nil }
}

/// A long-running `pacer-demo` whose output goes to a file the test polls.
final class DemoProcessHandle: @unchecked Sendable {
    let process = Process()
    let outputFile: String

    init(arguments: [String]) throws {
        outputFile = NSTemporaryDirectory() + "/pacer-demo-output-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: outputFile, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputFile))
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        process.currentDirectoryURL = URL(fileURLWithPath: RepoPaths.root)
        process.standardOutput = handle
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }

    func output() -> String {
        String(decoding: FileManager.default.contents(atPath: outputFile) ?? Data(), as: UTF8.self)
    }

    func waitForOutput(containing text: String, timeout: Duration) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let current = output()
            if current.contains(text) { return current }
            guard process.isRunning else { throw SubprocessError(message: "pacer-demo exited (\(process.terminationStatus)):\n\(current)") }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw SubprocessError(message: "no \"\(text)\" within \(timeout):\n\(output())")
    }

    /// Sends SIGINT and waits for the exit status.
    func interrupt(timeout: Duration) async throws -> Int32 {
        process.interrupt()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw SubprocessError(message: "pacer-demo did not stop within \(timeout) of SIGINT") }
            try await Task.sleep(for: .milliseconds(100))
        }
        return process.terminationStatus
    }

    /// Last resort on every exit path: SIGKILL if still running, and the output file removed.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(atPath: outputFile)
    }
}
