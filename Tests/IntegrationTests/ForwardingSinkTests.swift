import AsyncHTTPClient
import EventModel
import Foundation
@testable import PacerApp
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// The agent's sink against a real central `pacer serve` (PostgreSQL, an ingest token file): a wrong token is an
/// error the forwarder retries and stores nothing; the token file is read again for each request (rotation without a
/// restart); an event the central Pacer refuses for good is dropped alone while the rest of its batch is stored; a
/// resend changes nothing; a central Pacer that is down is an error (retried), not a loss.
@Suite("Agent mode: the forwarding sink against pacer serve", .enabled(if: TestDatabase.enabled))
struct ForwardingSinkTests {
    static func event(_ id: String, data: JSONValue = ["ok": true]) -> CloudEvent {
        CloudEvent(id: id, source: "/test/forward", type: "dev.test.forwarded", datacontenttype: "application/json", data: .json(data))
    }

    @Test(.timeLimit(.minutes(5)))
    func refusalsRotationResendsAndOutages() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            let directory = RepoPaths.root + "/.tmp/forward-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let centralTokens = directory + "/ingest-tokens", agentToken = directory + "/agent-token"
            try "right-token\n".write(toFile: centralTokens, atomically: true, encoding: .utf8)
            try "wrong-token\n".write(toFile: agentToken, atomically: true, encoding: .utf8)
            var configuration = PacerConfiguration(databaseURL: url)
            configuration.httpHost = "127.0.0.1"
            configuration.httpPort = 0
            configuration.ingestTokenFile = centralTokens
            let central = configuration
            let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            do {
                try await run(url: url, central: central, agentToken: agentToken, http: http)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    private func run(url: String, central: PacerConfiguration, agentToken: String, http: HTTPClient) async throws {
            func stored() async throws -> [String] {
                try await TestDatabase.withClient(url: url) { client in
                    var ids: [String] = []
                    let query: PostgresQuery = "SELECT ce_id FROM cloudevents_raw WHERE ce_source = '/test/forward' ORDER BY ce_id"
                    for try await id in try await client.query(query, logger: TestDatabase.logger).decode(String.self) { ids.append(id) }
                    return ids
                }
            }
            var centralPort = 0
            try await withPacer("pacer serve", { try await PacerServer(configuration: central, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
                centralPort = port
                let sink = HTTPForwardingSink(
                    target: ForwardTarget(url: "http://127.0.0.1:\(port)/events", tokenFile: agentToken), http: http, logger: TestDatabase.logger)
                // A wrong token: 401, thrown (the forwarder keeps the batch and retries), nothing stored.
                let wrong = await #expect(throws: ForwardingError.self) { try await sink.ingest(cloudEvents: [Self.event("e1")]) }
                #expect(wrong?.description.contains("401") == true, "\(String(describing: wrong))")
                #expect(try await stored().isEmpty)

                // The Secret rotated: the same sink reads the new token on its next request.
                // Read as the central Pacer reads its own token file: comments and blank lines skipped.
                try "# rotated by the platform team\n\n  right-token  \n".write(toFile: agentToken, atomically: true, encoding: .utf8)
                // e2 carries a NUL inside a JSON string, which PostgreSQL cannot store: the central Pacer answers 400 for
                // the batch (all-or-nothing), so the sink sends e1, e2, e3 one by one; e2 alone is refused and dropped.
                let batch = [Self.event("e1"), Self.event("e2", data: ["text": "a\u{0}b"]), Self.event("e3")]
                try await sink.ingest(cloudEvents: batch)
                #expect(try await stored() == ["e1", "e3"])
                // A resend (after a timeout, a restart) changes nothing: the ids are the same.
                try await sink.ingest(cloudEvents: [Self.event("e1"), Self.event("e3")])
                #expect(try await stored() == ["e1", "e3"])
            }
            // The central Pacer down: an error, so the batch is kept and retried.
            let sink = HTTPForwardingSink(
                target: ForwardTarget(url: "http://127.0.0.1:\(centralPort)/events", tokenFile: agentToken), http: http, logger: TestDatabase.logger)
            await #expect(throws: ForwardingError.self) { try await sink.ingest(cloudEvents: [Self.event("e4")]) }
            #expect(try await stored() == ["e1", "e3"])
    }
}
