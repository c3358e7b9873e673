import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

@Suite("Database outage", .enabled(if: TestDatabase.enabled))
struct DatabaseOutageTests {
    @Test(.timeLimit(.minutes(5)))
    func answers503WithRetryAfterWhileDownAndRecoversByItself() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            // Pacer reaches the database through a proxy that can cut the network.
            var components = try #require(URLComponents(string: url))
            let proxy = try await OutageProxy(targetHost: components.host ?? "127.0.0.1", targetPort: components.port ?? 5432)
            components.port = proxy.port
            let proxied = try #require(components.string)
            try await PacerTestApp.run(databaseURL: proxied, writeTimeout: .seconds(2)) { client in
                let before = try await client.post(headers: binaryHeaders(id: "before"), body: "{}")
                #expect(before.status == .accepted)

                proxy.cut()
                let down = try await client.post(headers: binaryHeaders(id: "during"), body: "{}")
                #expect(down.status == .serviceUnavailable)
                #expect(down.headers[.retryAfter] == "2")
                #expect(down.errorMessage?.hasPrefix("events not stored") == true, "\(down.text)")
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .serviceUnavailable)
                let health = try await client.execute(uri: "/healthz", method: .get)
                #expect(health.status == .ok)

                proxy.restore()
                // The sender retries, as a CloudEvents sender does after a 503; Pacer recovers by itself.
                var status = HTTPResponse.Status.serviceUnavailable
                let deadline = ContinuousClock.now + .seconds(30)
                while status != .accepted, ContinuousClock.now < deadline {
                    status = try await client.post(headers: binaryHeaders(id: "during"), body: "{}").status
                    if status != .accepted { try await Task.sleep(for: .milliseconds(200)) }
                }
                #expect(status == .accepted)
                let readyAgain = try await client.execute(uri: "/readyz", method: .get)
                #expect(readyAgain.status == .ok)
            }
            await proxy.shutdown()
            // Both events are stored, each once.
            #expect(try await storedCount(url) == 2)
        }
    }
}
