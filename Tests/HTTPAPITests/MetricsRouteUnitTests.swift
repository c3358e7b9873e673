import Foundation
import PacerRules
import HTTPAPI
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Prometheus
import Testing

/// The read routes over an in-memory reader: failures, and the parts that need no database.
@Suite("Read API without a database")
struct MetricsRouteUnitTests {
    struct StoreDown: Error {}

    /// A reader whose store is down, or that answers with fixed definitions.
    struct StubReader: MetricsReading {
        var fail = false
        var items: [MetricDefinitionHeadlines] = []
        func definitions() async throws -> [MetricDefinitionHeadlines] {
            if fail { throw StoreDown() }
            return items
        }
        func definition(namespace: String, name: String) async throws -> MetricDefinitionHeadlines? {
            if fail { throw StoreDown() }
            return items.first { $0.namespace == namespace && $0.name == name }
        }
        func points(_ query: MetricSeriesQuery) async throws -> [MetricSeriesPoint] {
            if fail { throw StoreDown() }
            return []
        }
        func deployFrequency(bucket: MetricBucket) async throws -> [DeployFrequencyEntry] {
            if fail { throw StoreDown() }
            return []
        }
        func samples(_ query: MetricSamplesQuery) async throws -> MetricSamplesPage? {
            if fail { throw StoreDown() }
            return nil
        }
        func pipelineErrors(limit: Int) async throws -> [PipelineErrorEntry] {
            if fail { throw StoreDown() }
            return []
        }
    }

    static func app(_ reader: StubReader, registry: PrometheusCollectorRegistry? = nil) -> some ApplicationProtocol {
        Application(
            router: HTTPRouterBuilder(
                ingester: MetricsTestApp.NoIngest(), readiness: MetricsTestApp.Ready(), tokens: nil, maxBodyBytes: 1024,
                metrics: reader, prometheus: registry
            ).build())
    }

    @Test func aStoreThatCannotBeReadAnswers503AndMetricsStillServesPacersOwn() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(descriptor: MetricNameDescriptor(metricName: "pacer_leader", unitName: "", helpText: "leader")).set(to: 1.0)
        try await Self.app(StubReader(fail: true), registry: registry).test(.router) { client in
            for uri in ["/api/v1/metrics", "/api/v1/metrics/default/x", "/api/v1/metrics/default/x/samples", "/deploy-frequency/day", "/api/v1/pipeline/errors"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .serviceUnavailable, "\(uri)")
                #expect(response.headers[.retryAfter] == "2")
                #expect(response.errorMessage == "the metrics store cannot be read right now")
            }
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            #expect(metrics.text.contains("pacer_leader 1"))
            #expect(!metrics.text.contains("pacer_dora_"))
            // The dashboard is static: it loads, and reports the error itself.
            let page = try await client.execute(uri: "/", method: .get)
            #expect(page.status == .ok)
        }
    }

    @Test func readinessAndMessageOfADefinitionThatDoesNotCompile() async throws {
        let broken = MetricDefinitionHeadlines(
            namespace: "ns", name: "broken", metric: "custom", unit: "", window: "30d", headlines: [], ready: false,
            message: "spec.custom.field: required")
        try await Self.app(StubReader(items: [broken])).test(.router) { client in
            let item = try #require((try await client.execute(uri: "/api/v1/metrics", method: .get).json?["items"] as? [[String: Any]])?.first)
            #expect(item["ready"] as? Bool == false)
            #expect(item["message"] as? String == "spec.custom.field: required")
            #expect(item["value"] is NSNull)
            #expect(item["samples"] as? Int == 0)
        }
    }

    @Test func withoutAReaderThereIsNoReadSide() async throws {
        let app = Application(
            router: HTTPRouterBuilder(ingester: MetricsTestApp.NoIngest(), readiness: MetricsTestApp.Ready(), tokens: nil, maxBodyBytes: 1024).build())
        try await app.test(.router) { client in
            let metrics = try await client.execute(uri: "/api/v1/metrics", method: .get)
            #expect(metrics.status == .notFound)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
        }
    }

    @Test func bucketStartsAreUTCCalendarBoundaries() throws {
        func date(_ text: String) throws -> Date { try #require(ISO8601DateFormatter().date(from: text)) }
        // Sunday 2023-08-06 23:30 belongs to the ISO week of Monday 2023-07-31.
        #expect(MetricBucket.week.start(of: try date("2023-08-06T23:30:00Z")) == (try date("2023-07-31T00:00:00Z")))
        #expect(MetricBucket.week.start(of: try date("2023-07-31T00:00:00Z")) == (try date("2023-07-31T00:00:00Z")))
        #expect(MetricBucket.day.start(of: try date("2024-02-29T12:00:00Z")) == (try date("2024-02-29T00:00:00Z")))
        #expect(MetricBucket.month.start(of: try date("2024-02-29T12:00:00Z")) == (try date("2024-02-01T00:00:00Z")))
        #expect(MetricBucket.year.start(of: try date("2024-12-31T23:59:59Z")) == (try date("2024-01-01T00:00:00Z")))
        #expect(MetricBucket.week.advance(try date("2026-11-16T00:00:00Z"), by: -25) == (try date("2026-05-25T00:00:00Z")))
        #expect(MetricBucket.month.advance(try date("2024-03-01T00:00:00Z"), by: -1) == (try date("2024-02-01T00:00:00Z")))
    }
}
