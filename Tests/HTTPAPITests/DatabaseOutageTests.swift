import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Database outage", .enabled(if: TestDatabase.enabled))
struct DatabaseOutageTests {
    @Test(.timeLimit(.minutes(2)))
    func answers503WithRetryAfterWhileDownAndRecoversByItself() async throws {
        let cluster = try PrivateCluster()
        defer { cluster.destroy() }
        try await PacerTestApp.run(databaseURL: cluster.url, writeTimeout: .seconds(2)) { client in
            #expect(try await client.post(headers: binaryHeaders(id: "before"), body: "{}").status == .accepted)

            try cluster.stop()
            let down = try await client.post(headers: binaryHeaders(id: "during"), body: "{}")
            #expect(down.status == .serviceUnavailable)
            #expect(down.headers[.retryAfter] == "2")
            #expect(down.errorMessage?.hasPrefix("events not stored") == true)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)

            try cluster.start()
            // The sender retries, as a CloudEvents sender does after a 503; the process recovers by itself.
            var status = HTTPResponse.Status.serviceUnavailable
            let deadline = ContinuousClock.now + .seconds(30)
            while status != .accepted, ContinuousClock.now < deadline {
                status = try await client.post(headers: binaryHeaders(id: "during"), body: "{}").status
                if status != .accepted { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(status == .accepted)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
        }
        // A fresh server on the same cluster shows both events, each once.
        try cluster.start()
        #expect(try await storedCount(cluster.url) == 2)
    }
}
