import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOFoundationCompat
import PacerApp
import PostgresNIO
import TestSupport

/// Runs Pacer's real HTTP application against a real database for one test (`.ahc(.http)` for concurrent
/// requests: the `.live` client has one connection). The write timeout defaults to a generous 60 s: a test that
/// expects an answer must not get 503 because the machine is busy (parallel tests, a build); the outage tests pass
/// a short one.
enum PacerTestApp {
    static func run<T: Sendable>(
        databaseURL: String, tokenFile: String? = nil, webhookSecrets: String? = nil, maxBodyBytes: Int = 1 << 20, writeTimeout: Duration = .seconds(60),
        waitForSchema: Bool = true, testing: TestingSetup = .live,
        ingestRateLimit: Double? = 10_000, ingestBurst: Int = 20_000, maxInFlightBytes: Int = 64 << 20,
        _ body: @Sendable (any TestClientProtocol) async throws -> T
    ) async throws -> T {
        var configuration = PacerConfiguration(databaseURL: databaseURL)
        configuration.ingestTokenFile = tokenFile
        configuration.webhookSecretsDirectory = webhookSecrets
        configuration.maxBodyBytes = maxBodyBytes
        configuration.writeTimeout = writeTimeout
        configuration.tokenRecheckInterval = .zero
        configuration.ingestRateLimit = ingestRateLimit
        configuration.ingestBurst = ingestBurst
        configuration.ingestMaxInFlightBytes = maxInFlightBytes
        let parts = try PacerServer(configuration: configuration, logger: TestDatabase.logger).makeParts()
        let app = Application(router: parts.router, services: parts.services, logger: TestDatabase.logger)
        let schema = parts.schema
        return try await app.test(testing) { client in
            if waitForSchema {
                let deadline = ContinuousClock.now + .seconds(20)
                while !schema.isReady, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            }
            return try await body(client)
        }
    }
}

extension TestClientProtocol {
    func post(_ uri: String = "/events", headers: HTTPFields, body: String) async throws -> TestResponse {
        try await execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] }
    var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }
}

/// A bearer-token file under `.tmp/` (one token per line), for tests of authenticated ingest.
func temporaryTokenFile(_ tokens: String) throws -> String {
    let path = RepoPaths.root + "/.tmp/token-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: RepoPaths.root + "/.tmp", withIntermediateDirectories: true)
    try tokens.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

func binaryHeaders(id: String, source: String = "/demo", type: String = "demo.created") -> HTTPFields {
    var fields = HTTPFields()
    fields[HTTPField.Name("ce-id")!] = id
    fields[HTTPField.Name("ce-source")!] = source
    fields[HTTPField.Name("ce-specversion")!] = "1.0"
    fields[HTTPField.Name("ce-type")!] = type
    fields[.contentType] = "application/json"
    return fields
}

func storedCount(_ url: String, _ sql: String = "SELECT count(*)::int FROM cloudevents_raw") async throws -> Int {
    try await TestDatabase.withClient(url: url) { client in
        var result = 0
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self) {
            result = value
        }
        return result
    }
}
