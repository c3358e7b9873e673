import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("CloudEvents ingest over HTTP", .enabled(if: TestDatabase.enabled))
struct IngestTests {
    @Test func binaryModeIsCommittedAndVisibleInCloudeventsRaw() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                let response = try await client.post(headers: binaryHeaders(id: "1"), body: "{}")
                #expect(response.status == .accepted)
                #expect(response.json?["stored"] as? Int == 1)
                let sink = try await client.post("/", headers: binaryHeaders(id: "2"), body: "{}")
                #expect(sink.status == .accepted)
            }
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_source = '/demo' AND ce_type = 'demo.created'") == 2)
        }
    }

    @Test func structuredAndBatchedModes() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                let one = try await client.post(
                    headers: [.contentType: "application/cloudevents+json"],
                    body: #"{"specversion":"1.0","id":"s1","source":"/s","type":"t","data":{"x":1}}"#)
                #expect(one.status == .accepted)
                let batch = try await client.post(
                    headers: [.contentType: "application/cloudevents-batch+json"],
                    body: #"[{"specversion":"1.0","id":"b1","source":"/s","type":"t"},{"specversion":"1.0","id":"b2","source":"/s","type":"t"}]"#)
                #expect(batch.status == .accepted)
                #expect(batch.json?["stored"] as? Int == 2)
            }
            #expect(try await storedCount(url) == 3)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE content->'data'->>'x' = '1'") == 1)
        }
    }

    @Test func redeliveryAnswers2xxAndStoresNothingNew() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                _ = try await client.post(headers: binaryHeaders(id: "r"), body: "{}")
                let again = try await client.post(headers: binaryHeaders(id: "r"), body: "{}")
                #expect(again.status == .accepted)
                #expect(again.json?["stored"] as? Int == 0)
                #expect(again.json?["duplicates"] as? Int == 1)
            }
            #expect(try await storedCount(url) == 1)
        }
    }

    @Test func aBatchIsAllOrNothing() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                let response = try await client.post(
                    headers: [.contentType: "application/cloudevents-batch+json"],
                    body: #"[{"specversion":"1.0","id":"ok","source":"/s","type":"t"},{"specversion":"1.0","id":"bad","source":"/s","type":"t","time":"soon"}]"#)
                #expect(response.status == .badRequest)
                let error = response.json?["error"] as? [String: Any]
                #expect(error?["index"] as? Int == 1)
                #expect(error?["attribute"] as? String == "time")
                #expect((error?["message"] as? String)?.hasPrefix("event [1]: time: must be an RFC 3339 timestamp") == true)
            }
            #expect(try await storedCount(url) == 0)
        }
    }

    @Test func invalidEventsAre400WithTheAttributeNamed() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                var headers = binaryHeaders(id: "1")
                headers[HTTPField.Name("ce-type")!] = nil
                let response = try await client.post(headers: headers, body: "{}")
                #expect(response.status == .badRequest)
                #expect(response.errorMessage == "ce-type: required header is missing")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
            #expect(try await storedCount(url) == 0)
        }
    }

    @Test func unsupportedContentTypeIs415() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                let xml = try await client.post(headers: [.contentType: "application/cloudevents+xml"], body: "<event/>")
                #expect(xml.status == .unsupportedMediaType)
                let plain = try await client.post(headers: [.contentType: "text/plain"], body: "hello")
                #expect(plain.status == .unsupportedMediaType)
                #expect(plain.errorMessage?.contains("ce-id") == true)
            }
        }
    }

    @Test func bodiesOverTheLimitAre413() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, maxBodyBytes: 1024) { client in
                let big = "{\"pad\":\"" + String(repeating: "x", count: 2000) + "\"}"
                let response = try await client.post(headers: binaryHeaders(id: "big"), body: big)
                #expect(response.status == .contentTooLarge)
                #expect(response.errorMessage?.contains("over the limit of 1024 bytes") == true)
                let small = try await client.post(headers: binaryHeaders(id: "small"), body: "{}")
                #expect(small.status == .accepted)
            }
            #expect(try await storedCount(url) == 1)
        }
    }

    @Test func healthAndReadiness() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url) { client in
                let health = try await client.execute(uri: "/healthz", method: .get)
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(health.status == .ok)
                #expect(ready.status == .ok)
            }
        }
    }
}
