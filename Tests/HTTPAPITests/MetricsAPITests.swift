import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresNIO
import TestSupport
import Testing

@Suite("Read API: /api/v1/metrics", .enabled(if: TestDatabase.enabled))
struct MetricsAPITests {
    @Test func listsEveryDefinitionWithItsHeadlineAndGroups() async throws {
        try await MetricsTestApp.run { client, _ in
            let response = try await client.execute(uri: "/api/v1/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let items = try #require(response.json?["items"] as? [[String: Any]])
            #expect(items.map { "\($0["namespace"] ?? "")/\($0["name"] ?? "")" } == [
                "default/change-failure-rate", "default/deployment-frequency", "default/lead-time", "default/time-to-restore",
            ])
            let frequency = try #require(items.first { $0["name"] as? String == "deployment-frequency" })
            #expect(frequency["metric"] as? String == "deploymentFrequency")
            #expect(frequency["unit"] as? String == "days/week")
            #expect(frequency["window"] as? String == "30d")
            #expect(frequency["value"] as? String == "3.5")
            #expect(frequency["numericValue"] as? Double == 3.5)
            #expect(frequency["level"] as? String == "Elite")
            #expect(frequency["samples"] as? Int == 14)
            #expect(frequency["lastComputedTime"] as? String == MetricsFixture.computedAt)
            let groups = try #require(frequency["groups"] as? [[String: Any]])
            #expect(groups.map { ($0["labels"] as? [String: String])?["app"] } == ["cart", "checkout"])
            #expect(groups.map { $0["value"] as? String } == ["1", "4"])
            #expect(groups.map { $0["level"] as? String } == ["High", "Elite"])
            #expect(groups.map { $0["samples"] as? Int } == [4, 10])

            let cfr = try #require(items.first { $0["name"] as? String == "change-failure-rate" })
            #expect(cfr["value"] as? String == "0.13")
            #expect(cfr["numericValue"] as? Double == 0.125)
            let restore = try #require(items.first { $0["name"] as? String == "time-to-restore" })
            #expect(restore["value"] is NSNull)
            #expect(restore["level"] is NSNull)
            #expect((restore["groups"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func aConfiguredDefinitionWithoutComputedValuesIsListed() async throws {
        try await MetricsTestApp.run(fixture: false) { client, db in
            try await db.query(PostgresQuery(unsafeSQL: MetricsFixture.definition("fresh", "timeToRestore")), logger: TestDatabase.logger)
            let items = try #require(try await client.execute(uri: "/api/v1/metrics", method: .get).json?["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["unit"] as? String == "hours")
            #expect(items.first?["value"] is NSNull)
            #expect(items.first?["lastComputedTime"] is NSNull)
        }
    }

    @Test func seriesOfOneDefinition() async throws {
        try await MetricsTestApp.run { client, _ in
            let response = try await client.execute(
                uri: "/api/v1/metrics/default/deployment-frequency?bucket=week&from=2026-11-01&to=2026-11-30T00:00:00Z", method: .get)
            #expect(response.status == .ok)
            let body = try #require(response.json)
            #expect(body["metric"] as? String == "deploymentFrequency")
            #expect(body["unit"] as? String == "deployments")  // per bucket: a count; the headline is a rate
            #expect(body["bucket"] as? String == "week")
            #expect(body["from"] as? String == "2026-11-01T00:00:00Z")
            #expect(body["to"] as? String == "2026-11-30T00:00:00Z")
            let series = try #require(body["series"] as? [[String: Any]])
            #expect(series.map { ($0["labels"] as? [String: String]) ?? ["?": "?"] } == [[:], ["app": "cart"], ["app": "checkout"]])
            let overall = try #require(series.first?["points"] as? [[String: Any]])
            // 2026-10-26 is before `from`, the day bucket is another series.
            #expect(overall.map { $0["start"] as? String } == ["2026-11-02T00:00:00Z", "2026-11-09T00:00:00Z"])
            #expect(overall.map { $0["value"] as? Double } == [3, 5])
            #expect(overall.map { $0["samples"] as? Int } == [3, 5])
        }
    }

    @Test func labelFiltersAndTheSelector() async throws {
        try await MetricsTestApp.run { client, _ in
            let base = "/api/v1/metrics/default/deployment-frequency?from=2026-10-01&to=2026-11-30"
            let app = try #require(try await client.execute(uri: base + "&app=checkout", method: .get).json?["series"] as? [[String: Any]])
            #expect(app.count == 1)
            #expect((app.first?["labels"] as? [String: String]) == ["app": "checkout"])
            #expect((app.first?["points"] as? [[String: Any]])?.map { $0["value"] as? Double } == [2, 4])
            // The definition selects production: that filter holds for every group; another environment matches none.
            let production = try #require(
                try await client.execute(uri: base + "&environment=production", method: .get).json?["series"] as? [[String: Any]])
            #expect(production.count == 3)
            let staging = try #require(try await client.execute(uri: base + "&environment=staging", method: .get).json?["series"] as? [[String: Any]])
            #expect(staging.isEmpty)
            let none = try #require(try await client.execute(uri: base + "&app=nope", method: .get).json?["series"] as? [[String: Any]])
            #expect(none.isEmpty)
            let overall = try #require(try await client.execute(uri: base + "&series=overall", method: .get).json?["series"] as? [[String: Any]])
            #expect(overall.map { $0["labels"] as? [String: String] } == [[:]])
            #expect((overall.first?["points"] as? [[String: Any]])?.map { $0["value"] as? Double } == [7, 3, 5])
            let groups = try #require(try await client.execute(uri: base + "&series=groups", method: .get).json?["series"] as? [[String: Any]])
            #expect(groups.map { ($0["labels"] as? [String: String])?["app"] } == ["cart", "checkout"])
        }
    }

    @Test func defaultsAndNulls() async throws {
        try await MetricsTestApp.run { client, _ in
            let body = try #require(try await client.execute(uri: "/api/v1/metrics/default/lead-time?to=2026-11-20", method: .get).json)
            #expect(body["bucket"] as? String == "week")
            // 26 weekly buckets back from the week of `to` (Monday 2026-11-16).
            #expect(body["from"] as? String == "2026-05-25T00:00:00Z")
            let points = try #require((body["series"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])
            #expect(points.count == 1)
            #expect(points.first?["value"] is NSNull)
            let day = try #require(
                try await client.execute(uri: "/api/v1/metrics/default/deployment-frequency?bucket=day&from=2026-11-09&to=2026-11-09", method: .get).json)
            #expect(((day["series"] as? [[String: Any]])?.first?["points"] as? [[String: Any]])?.first?["value"] as? Double == 2)
        }
    }

    @Test func invalidQueriesAnswer400WithAMessage() async throws {
        try await MetricsTestApp.run { client, _ in
            let bucket = try await client.execute(uri: "/api/v1/metrics/default/lead-time?bucket=hour", method: .get)
            #expect(bucket.status == .badRequest)
            #expect(bucket.errorMessage == #"unknown bucket "hour": use day, week, month or year"#)
            #expect((bucket.json?["error"] as? [String: Any])?["attribute"] as? String == "bucket")
            let from = try await client.execute(uri: "/api/v1/metrics/default/lead-time?from=yesterday", method: .get)
            #expect(from.status == .badRequest)
            #expect(from.errorMessage?.contains(#"from: "yesterday" is not an RFC 3339 time"#) == true)
            let to = try await client.execute(uri: "/api/v1/metrics/default/lead-time?to=2026-13-01", method: .get)
            #expect(to.status == .badRequest)
            #expect((to.json?["error"] as? [String: Any])?["attribute"] as? String == "to")
            let order = try await client.execute(uri: "/api/v1/metrics/default/lead-time?from=2026-11-02&to=2026-11-01", method: .get)
            #expect(order.status == .badRequest)
            #expect(order.errorMessage?.contains("is after to") == true)
            let empty = try await client.execute(uri: "/api/v1/metrics/default/lead-time?app=", method: .get)
            #expect(empty.status == .badRequest)
            // A NUL byte (what schemathesis sent) cannot reach PostgreSQL's text: 400 naming the parameter, not 503.
            let nul = try await client.execute(uri: "/api/v1/metrics/default/lead-time?environment=%00prod", method: .get)
            #expect(nul.status == .badRequest)
            #expect(nul.errorMessage == "environment: the value contains a NUL character")
            // Path segments are not percent-decoded: a %00 there is three characters and names nothing.
            let nulPath = try await client.execute(uri: "/api/v1/metrics/default/lead%00time", method: .get)
            #expect(nulPath.status == .notFound)
            let scope = try await client.execute(uri: "/api/v1/metrics/default/lead-time?series=some", method: .get)
            #expect(scope.status == .badRequest)
            #expect(scope.errorMessage == #"unknown series "some": use all, overall or groups"#)
        }
    }

    @Test func unknownDefinitionAnswers404() async throws {
        try await MetricsTestApp.run { client, _ in
            let response = try await client.execute(uri: "/api/v1/metrics/default/nope", method: .get)
            #expect(response.status == .notFound)
            #expect(response.errorMessage == "no MetricDefinition default/nope")
            #expect((response.json?["error"] as? [String: Any])?["status"] as? Int == 404)
        }
    }

    @Test func pipelineErrorsNewestFirst() async throws {
        try await MetricsTestApp.run { client, _ in
            let items = try #require(try await client.execute(uri: "/api/v1/pipeline/errors?limit=5", method: .get).json?["items"] as? [[String: Any]])
            #expect(items.count == 1)
            #expect(items.first?["component"] as? String == "default/deployments")
            #expect(items.first?["message"] as? String == "customData.app: no such key")
            #expect(items.first?["eventId"] as? Int == 42)
            #expect(items.first?["time"] as? String == "2026-11-20T10:00:00.000Z")
            let bad = try await client.execute(uri: "/api/v1/pipeline/errors?limit=0", method: .get)
            #expect(bad.status == .badRequest)
        }
    }
}
