import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The per-sender rate limit and the in-flight bound through Pacer's real HTTP application and database. The rate
/// is one event per 1,000 s, so a bucket refills far less than one event during the test: the counts below are exact
/// (the waits are exact but for that refill).
@Suite("Ingest rate limits and backpressure (issue 16)", .enabled(if: TestDatabase.enabled))
struct IngestRateLimitTests {
    @Test func eachTokenHasItsOwnBucketAndA429StoresNothing() async throws {
        let path = try temporaryTokenFile("team-a\nteam-b\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, tokenFile: path, ingestRateLimit: 0.001, ingestBurst: 10) { client in
                func post(_ id: String, token: String) async throws -> TestResponse {
                    var headers = binaryHeaders(id: id, source: "/shared-source")
                    headers[.authorization] = "Bearer \(token)"
                    return try await client.post(headers: headers, body: "{}")
                }
                // team-a: a burst of 10 events fits its bucket; the 11th is over it.
                for index in 0..<10 { #expect(try await post("a\(index)", token: "team-a").status == .accepted) }
                let over = try await post("a10", token: "team-a")
                #expect(over.status == .tooManyRequests)
                // One token short at 0.001 events/s: 1,000 s, less what refilled while the test ran (0.001 per second).
                #expect(over.headers[.retryAfter].flatMap(Int.init).map { (900...1000).contains($0) } == true, "\(over.headers)")
                #expect(over.errorMessage?.contains("over its limit of 0.001 events per second (burst 10)") == true)
                // team-b posts with the same event source and is not affected: tokens tell senders apart.
                for index in 0..<10 { #expect(try await post("b\(index)", token: "team-b").status == .accepted) }
                // A batch of 3 from team-a is refused as a whole.
                var batch = HTTPFields()
                batch[.contentType] = "application/cloudevents-batch+json"
                batch[.authorization] = "Bearer team-a"
                let events = (0..<3).map { #"{"specversion":"1.0","id":"batch\#($0)","source":"/s","type":"t"}"# }.joined(separator: ",")
                #expect(try await client.post(headers: batch, body: "[\(events)]").status == .tooManyRequests)
            }
            // 10 of team-a, 10 of team-b; nothing of the refused requests.
            #expect(try await storedCount(url) == 20)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_id IN ('a10','batch0','batch1','batch2')") == 0)
        }
    }

    @Test func withoutTokensEachEventSourceHasItsOwnBucket() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, ingestRateLimit: 0.001, ingestBurst: 3) { (client) async throws -> Void in
                for index in 0..<3 { #expect(try await client.post(headers: binaryHeaders(id: "n\(index)", source: "/noisy"), body: "{}").status == .accepted) }
                #expect(try await client.post(headers: binaryHeaders(id: "n3", source: "/noisy"), body: "{}").status == .tooManyRequests)
                #expect(try await client.post(headers: binaryHeaders(id: "q0", source: "/quiet"), body: "{}").status == .accepted)
            }
            #expect(try await storedCount(url) == 4)
        }
    }

    /// Many senders with bodies larger than the in-flight bound allows together: each request is answered 202 or
    /// 429 (never 5xx), and every event answered 202 is stored, exactly once.
    @Test func overloadIsAnswered429AndEveryAcceptedEventIsStored() async throws {
        let body = #"{"padding":"\#(String(repeating: "x", count: 2_000))"}"#
        try await TestDatabase.withFreshDatabase { _, url in
            let accepted = try await PacerTestApp.run(
                databaseURL: url, testing: .ahc(.http), ingestRateLimit: nil, maxInFlightBytes: 5_000
            ) { client in
                try await withThrowingTaskGroup(of: [String].self) { group in
                    for sender in 0..<8 {
                        group.addTask {
                            var accepted: [String] = []
                            for index in 0..<40 {
                                let id = "s\(sender)-\(index)"
                                let response = try await client.post(headers: binaryHeaders(id: id, source: "/load"), body: body)
                                switch response.status.code {
                                case 202: accepted.append(id)
                                case 429: #expect(response.headers[.retryAfter] == "1")
                                default: Issue.record("\(id): \(response.status) \(response.text)")
                                }
                            }
                            return accepted
                        }
                    }
                    var all: [String] = []
                    for try await ids in group { all += ids }
                    return all
                }
            }
            print("overload: \(accepted.count) of 320 requests accepted, \(320 - accepted.count) answered 429")
            #expect(!accepted.isEmpty)
            #expect(try await storedCount(url) == accepted.count)
        }
    }
}
