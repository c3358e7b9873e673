import Foundation
import HTTPTypes
import HTTPAPI
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// `/metrics` without a database: the DORA gauges follow `exportsDORAGauges` (the leader's switch in `pacer run`),
/// `pacer_database_up` follows the readiness check; `/readyz` and the OpenAPI document's content types.
@Suite("Metrics exposition gate and OpenAPI route")
struct MetricsExportGateTests {
    struct NotReady: ReadinessChecking {
        func notReadyReason() async -> String? { "database not answering" }
    }

    final class Switch: Sendable {
        let on = Atomic<Bool>(false)
    }

    /// One definition with one computed group: app checkout's lead time, 20 hours.
    static let reader = MetricsRouteUnitTests.StubReader(items: [
        MetricDefinitionHeadlines(
            namespace: "default", name: "lead-time", metric: "leadTimeForChanges", unit: "hours", window: "30d",
            headlines: [.init(labels: ["app": "checkout"], value: 20, level: "High", samples: 3, computedAt: Date(timeIntervalSince1970: 0))])
    ])
    static let sample = #"pacer_dora_lead_time_hours{metric_definition="default/lead-time",app="checkout",environment="",level="High"} 20"#

    @Test func doraGaugesOnlyWhileTheSwitchIsOnAndDatabaseUpFromReadiness() async throws {
        let leading = Switch()
        let app = Application(
            router: HTTPRouterBuilder(
                ingester: MetricsTestApp.NoIngest(), readiness: MetricsTestApp.Ready(), tokens: nil, maxBodyBytes: 1024,
                metrics: Self.reader, exportsDORAGauges: { leading.on.load(ordering: .relaxed) }
            ).build())
        try await app.test(.router) { client in
            let follower = try await client.execute(uri: "/metrics", method: .get).text
            #expect(!follower.contains("pacer_dora_"), "\(follower)")
            #expect(follower.contains("# TYPE pacer_database_up gauge\npacer_database_up 1\n"), "\(follower)")
            leading.on.store(true, ordering: .relaxed)
            let leader = try await client.execute(uri: "/metrics", method: .get).text
            #expect(leader.contains(Self.sample + "\n"), "\(leader)")
            #expect(leader.contains("pacer_database_up 1\n"))
            leading.on.store(false, ordering: .relaxed)
            #expect(!(try await client.execute(uri: "/metrics", method: .get).text.contains("pacer_dora_")))
        }
    }

    @Test func databaseDownIsZeroAndReadyzIsTextPlainWhenReady() async throws {
        let down = Application(
            router: HTTPRouterBuilder(
                ingester: MetricsTestApp.NoIngest(), readiness: NotReady(), tokens: nil, maxBodyBytes: 1024, metrics: Self.reader
            ).build())
        try await down.test(.router) { client in
            let text = try await client.execute(uri: "/metrics", method: .get).text
            #expect(text.contains("# TYPE pacer_database_up gauge\npacer_database_up 0\n"), "\(text)")
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)
        }
        try await MetricsRouteUnitTests.app(Self.reader).test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(ready.headers[.contentType] == "text/plain; charset=utf-8")
        }
    }

    @Test func theOpenAPIDocumentIsServedAsJSON() async throws {
        try await MetricsRouteUnitTests.app(Self.reader).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let document = try #require(try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let paths = try #require(document["paths"] as? [String: Any])
            #expect(paths["/api/v1/metrics/{namespace}/{name}"] != nil && paths["/api/v1/openapi.json"] != nil && paths["/events"] != nil)
        }
    }
}
