import Foundation
import PacerRules
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PostgresNIO
import TestSupport
import Testing

/// Debian's Chromium, or `PACER_CHROMIUM`.
let chromiumPath = ProcessInfo.processInfo.environment["PACER_CHROMIUM"] ?? "/usr/bin/chromium"

/// The dashboard in a real browser: Debian's headless Chromium loads the page from a live server over seeded tables,
/// runs its JavaScript, and the rendered DOM must show the seeded values. A screenshot goes to `.tmp/artifacts/dashboard-seeded.png`.
@Suite(
    "Dashboard in headless Chromium",
    .enabled(if: TestDatabase.enabled && FileManager.default.isExecutableFile(atPath: chromiumPath)))
struct DashboardBrowserTests {
    static var chromium: String { chromiumPath }
    static let artifacts = RepoPaths.root + "/.tmp/artifacts"

    struct Tile: Equatable {
        var metric: String
        var definition: String
        var value: String
        var level: String
    }

    @Test func tilesTableAndChartsShowTheSeededValues() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await MetricsFixture.insert(client)
            // A point in the current week, so the default 26-week chart has a bar whatever the date.
            let week = MetricBucket.week.start(of: Date())
            try await client.query(
                """
                INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples)
                VALUES ('default', 'deployment-frequency', 'week', \(week), '', '{}', 9, 9)
                """, logger: TestDatabase.logger)
            let app = Application(router: MetricsTestApp.router(client: client), logger: TestDatabase.logger)
            try await app.test(.live) { testClient in
                let port = try #require(testClient.port)
                let url = "http://127.0.0.1:\(port)/"
                // The rendered DOM without the page's own script text (whose templates look like the markup).
                let dom = try await Self.browser(["--dump-dom", url]).replacing(/<script>[\s\S]*?<\/script>/, with: "")
                #expect(dom.contains(#"id="status" data-state="ok""#), "the page did not load its data: \(dom.prefix(2000))")

                let tiles = Self.tiles(in: dom)
                #expect(tiles.prefix(4).map(\.metric) == ["deploymentFrequency", "leadTimeForChanges", "changeFailureRate", "timeToRestore"])
                #expect(tiles.contains(Tile(metric: "deploymentFrequency", definition: "default/deployment-frequency", value: "3.5", level: "Elite")))
                #expect(tiles.contains(Tile(metric: "leadTimeForChanges", definition: "default/lead-time", value: "26.3", level: "High")))
                #expect(tiles.contains(Tile(metric: "changeFailureRate", definition: "default/change-failure-rate", value: "0.13", level: "Medium")))
                #expect(tiles.contains(Tile(metric: "timeToRestore", definition: "default/time-to-restore", value: "", level: "")))
                #expect(dom.contains(#"<div class="tile level-Elite" data-metric="deploymentFrequency""#))

                #expect(dom.contains(#"<tr data-app="cart">"#))
                #expect(dom.contains(#"<tr data-app="checkout">"#))
                #expect(dom.contains(#"data-definition="default/deployment-frequency" data-value="4" data-level="Elite">"#))

                #expect(dom.contains(#"<figure class="chart" data-definition="default/deployment-frequency""#))
                #expect(dom.contains(#"data-start="\#(RFC3339Text.day(week))" data-value="9""#))

                try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
                let png = Self.artifacts + "/dashboard-seeded.png"
                try? FileManager.default.removeItem(atPath: png)
                _ = try await Self.browser(["--screenshot=\(png)", "--window-size=1280,1100", url])
                let header = try #require(FileManager.default.contents(atPath: png)).prefix(8)
                #expect(Array(header) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "no PNG screenshot at \(png)")
            }
        }
    }

    /// Runs headless Chromium on the page, letting its scripts and fetches run for a few seconds of virtual time.
    static func browser(_ arguments: [String]) async throws -> String {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-chromium-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: profile) }
        let result = try await Subprocess.run(
            [
                chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--hide-scrollbars", "--user-data-dir=\(profile)", "--virtual-time-budget=4000",
            ] + arguments, timeout: .seconds(240))
        guard result.status == 0 else {
            throw SubprocessError(message: "chromium exited with \(result.status): \(result.stderr.suffix(2000))")
        }
        return result.stdout
    }

    static func tiles(in dom: String) -> [Tile] {
        dom.matches(of: /<div class="tile [^"]*" data-metric="([^"]*)" data-definition="([^"]*)" data-value="([^"]*)" data-level="([^"]*)"/)
            .map { Tile(metric: String($0.1), definition: String($0.2), value: String($0.3), level: String($0.4)) }
    }
}

/// `2026-11-16T00:00:00Z` as the series API writes a bucket start.
enum RFC3339Text {
    static func day(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02dT00:00:00Z", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    }
}
