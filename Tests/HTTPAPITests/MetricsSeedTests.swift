import Foundation
import HTTPTypes
@testable import HTTPAPI
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("Seed-compatible /deploy-frequency", .enabled(if: TestDatabase.enabled))
struct MetricsSeedTests {
    @Test func dayIsTheSeedsJSONByteForByte() async throws {
        try await MetricsTestApp.run { client, _ in
            let response = try await client.execute(uri: "/deploy-frequency/day", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json")
            // Deployments per name and UTC day (23:59:59 is still 2023-08-05, 00:00:00 the next day).
            #expect(
                response.text
                    == #"[{"DeployName":"nginx-deployment","Deployments":2,"Time":"2023-08-05T00:00:00Z"},"#
                    + #"{"DeployName":"nginx-deployment-3","Deployments":1,"Time":"2023-08-05T00:00:00Z"},"#
                    + #"{"DeployName":"nginx-deployment","Deployments":1,"Time":"2023-08-06T00:00:00Z"}]"#)
        }
    }

    @Test func weekMonthAndYearBuckets() async throws {
        try await MetricsTestApp.run { client, _ in
            // 2023-08-05 is a Saturday and 2023-08-06 a Sunday: both in the ISO week of Monday 2023-07-31.
            let week = try await client.execute(uri: "/deploy-frequency/week", method: .get)
            #expect(
                week.text
                    == #"[{"DeployName":"nginx-deployment","Deployments":3,"Time":"2023-07-31T00:00:00Z"},"#
                    + #"{"DeployName":"nginx-deployment-3","Deployments":1,"Time":"2023-07-31T00:00:00Z"}]"#)
            let month = try await client.execute(uri: "/deploy-frequency/month", method: .get)
            #expect(month.text.contains(#"{"DeployName":"nginx-deployment","Deployments":3,"Time":"2023-08-01T00:00:00Z"}"#))
            let year = try await client.execute(uri: "/deploy-frequency/year", method: .get)
            #expect(year.text.contains(#"{"DeployName":"nginx-deployment-3","Deployments":1,"Time":"2023-01-01T00:00:00Z"}"#))
        }
    }

    @Test func emptyTableAndUnknownBucket() async throws {
        try await MetricsTestApp.run(fixture: false) { client, _ in
            #expect(try await client.execute(uri: "/deploy-frequency/day", method: .get).text == "[]")
            let bad = try await client.execute(uri: "/deploy-frequency/hour", method: .get)
            #expect(bad.status == .badRequest)
            #expect(bad.errorMessage == #"unknown bucket "hour": use day, week, month or year"#)
        }
    }

    @Test func namesAreEscapedAsGoDoes() {
        var out: [UInt8] = []
        SeedJSON.appendString("a<b>&\"c\"\\\n\u{1}é", to: &out)
        #expect(String(decoding: out, as: UTF8.self) == #""a\u003cb\u003e\u0026\"c\"\\\n\u0001é""#)
        #expect(SeedJSON.goTime(Date(timeIntervalSince1970: 1_691_193_600.25)) == "2023-08-05T00:00:00.25Z")
    }
}
