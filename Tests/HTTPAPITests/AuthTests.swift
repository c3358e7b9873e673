import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Ingest authentication", .enabled(if: TestDatabase.enabled))
struct AuthTests {
    private func headers(id: String, token: String?) -> HTTPFields {
        var fields = binaryHeaders(id: id)
        if let token { fields[.authorization] = "Bearer \(token)" }
        return fields
    }

    @Test func requiresAValidBearerTokenAndStoresNothingOtherwise() async throws {
        let path = try temporaryTokenFile("# ingest tokens\nfirst-token\n\nsecond-token\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, tokenFile: path) { client in
                let none = try await client.post(headers: headers(id: "1", token: nil), body: "{}")
                #expect(none.status == .unauthorized)
                #expect(none.headers[.wwwAuthenticate] == "Bearer")
                let wrong = try await client.post(headers: headers(id: "2", token: "first-tokenX"), body: "{}")
                #expect(wrong.status == .unauthorized)
                #expect(wrong.errorMessage == "invalid bearer token")
                var basic = headers(id: "3", token: nil)
                basic[.authorization] = "Basic Zm9vOmJhcg=="
                #expect(try await client.post(headers: basic, body: "{}").status == .unauthorized)
                #expect(try await client.post(headers: headers(id: "4", token: "first-token"), body: "{}").status == .accepted)
                #expect(try await client.post(headers: headers(id: "5", token: "second-token"), body: "{}").status == .accepted)
                // Health endpoints stay open.
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            }
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw ORDER BY 1") == 2)
            #expect(try await storedCount(url, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_id IN ('1','2','3')") == 0)
        }
    }

    @Test func aRotatedTokenFileIsPickedUpWithoutARestart() async throws {
        let path = try temporaryTokenFile("old-token\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await TestDatabase.withFreshDatabase { _, url in
            try await PacerTestApp.run(databaseURL: url, tokenFile: path) { client in
                #expect(try await client.post(headers: headers(id: "1", token: "old-token"), body: "{}").status == .accepted)
                // As a Secret volume does: the new content replaces the file.
                try "new-token\n".write(toFile: path, atomically: true, encoding: .utf8)
                #expect(try await client.post(headers: headers(id: "2", token: "old-token"), body: "{}").status == .unauthorized)
                #expect(try await client.post(headers: headers(id: "3", token: "new-token"), body: "{}").status == .accepted)
            }
        }
    }
}
