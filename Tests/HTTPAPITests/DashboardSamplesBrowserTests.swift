import Foundation
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import PacerRules
import TestSupport
import Testing

/// The dashboard's samples panel in headless Chromium, driven over the DevTools protocol: a real click on a tile
/// lists the facts behind its headline, a click on a bar those behind that week. Over ``SamplesHistory`` moved to
/// four weeks ago (the charts show recent weeks); the expected rows are those of `MetricSamplesTests`.
@Suite(
    "Dashboard samples panel in headless Chromium",
    .enabled(if: TestDatabase.enabled && FileManager.default.isExecutableFile(atPath: chromiumPath)))
struct DashboardSamplesBrowserTests {
    static let rows = """
        JSON.stringify([...document.querySelectorAll("#samples tbody tr")].map(r =>
            [r.dataset.kind, r.dataset.id, r.dataset.failed || r.dataset.hours || "", (r.querySelector(".why") || {}).textContent || ""]))
        """

    static func rows(_ devtools: ChromiumDevTools, session: String) async throws -> [[String]] {
        let text = try #require(try await devtools.evaluate(rows, session: session) as? String)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String]])
    }

    @Test func clickingATileOrABarListsItsSamples() async throws {
        try await TestDatabase.withFreshDatabase { db, _ in
            let origin = MetricBucket.week.start(of: Date()).addingTimeInterval(-28 * 86_400)
            try await SamplesHistory.load(client: db, origin: origin)
            let app = Application(router: MetricsTestApp.router(client: db), logger: TestDatabase.logger)
            try await app.test(.live) { client in
                let port = try #require(client.port)
                let devtools = try ChromiumDevTools(chromium: chromiumPath)
                defer { devtools.close() }
                let target = try #require(try await devtools.send("Target.createTarget", ["url": "http://127.0.0.1:\(port)/"])["targetId"] as? String)
                let session = try #require(
                    try await devtools.send("Target.attachToTarget", ["targetId": target, "flatten": true])["sessionId"] as? String)
                _ = try await devtools.waitFor(#"document.getElementById("status").dataset.state === "ok""#, session: session)
                #expect(try await devtools.evaluate(#"document.getElementById("samples").hidden"#, session: session) as? Bool == true)

                // The change failure rate tile: its headline's 8 deployments (the rollback d7 is left out), 4 failed.
                try await devtools.click(#".tile[data-definition="default/cfr"]"#, session: session)
                _ = try await devtools.waitFor(
                    #"(p => !p.hidden && p.dataset.definition === "default/cfr" && p.dataset.state === "ok")(document.getElementById("samples"))"#,
                    session: session)
                let headline = try await Self.rows(devtools, session: session)
                #expect(headline.map { $0[1] } == ["d1", "d2", "d3", "d4", "d5", "a-d1", "d6", "d8"])
                #expect(headline.map { $0[2] } == ["false", "true", "false", "true", "false", "false", "true", "true"])
                #expect(headline.first { $0[1] == "d2" }?[3].contains("incident X opened") == true)
                #expect(headline.first { $0[1] == "d2" }?[3].contains("60 min after it") == true)
                #expect(headline.first { $0[1] == "d4" }?[3] == "its rollout failed")
                #expect(headline.first { $0[1] == "d6" }?[3].hasPrefix("rolled back by web") == true)
                #expect(headline.first { $0[1] == "d8" }?[3].contains("names it") == true)
                #expect(try await devtools.evaluate(#"document.getElementById("samples").dataset.total"#, session: session) as? String == "8")
                // A screenshot of the panel for people: .tmp/artifacts/dashboard-samples.png.
                let shot = try await devtools.send("Page.captureScreenshot", ["format": "png", "captureBeyondViewport": true], session: session)
                let png = try #require((shot["data"] as? String).flatMap { Data(base64Encoded: $0) })
                #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
                try FileManager.default.createDirectory(atPath: DashboardBrowserTests.artifacts, withIntermediateDirectories: true)
                try png.write(to: URL(fileURLWithPath: DashboardBrowserTests.artifacts + "/dashboard-samples.png"))

                // The lead time chart's bar (the history's week): the three changes and their lead times.
                try await devtools.click(#".chart[data-definition="default/lt"] rect.bar"#, session: session)
                _ = try await devtools.waitFor(
                    #"(p => p.dataset.definition === "default/lt" && p.dataset.bucket === "week" && p.dataset.state === "ok")(document.getElementById("samples"))"#,
                    session: session)
                let week = try await Self.rows(devtools, session: session)
                #expect(week.map { [$0[0], $0[1], $0[2]] } == [["change", "a1", "1"], ["change", "b1", "2"], ["change", "e1", "1.5"]])
                #expect(
                    try await devtools.evaluate(#"document.getElementById("samples").dataset.start"#, session: session) as? String
                        == RFC3339Text.day(origin))
            }
        }
    }
}
