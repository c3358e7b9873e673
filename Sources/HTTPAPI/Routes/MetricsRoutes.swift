import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PacerRules
import PacerCore

/// The read API over the metric read model (see docs/http-api.md):
/// - `GET /api/v1/metrics`: every MetricDefinition with its headline value, level and groups;
/// - `GET /api/v1/metrics/{namespace}/{name}`: one definition's series (`bucket`, `from`, `to`, `app`, `environment`, `team`,
///   `series`);
/// - `GET /api/v1/metrics/{namespace}/{name}/samples`: the facts behind a point or the headline (`MetricsRoutes+Samples.swift`);
/// - `GET /api/v1/pipeline/errors`: the newest pipeline errors (`limit`);
/// - `GET /deploy-frequency/{day|week|month|year}`: the seed tutorial's endpoint, byte-compatible.
public struct MetricsRoutes<Context: RequestContext>: Sendable {
    let reader: any MetricsReading
    let now: @Sendable () -> Date

    public init(reader: any MetricsReading, now: @escaping @Sendable () -> Date = { Date() }) {
        self.reader = reader
        self.now = now
    }

    public func register(on router: some RouterMethods<Context>) {
        router.get("/api/v1/metrics") { _, context in try await self.list(logger: context.logger) }
        router.get("/api/v1/metrics/{namespace}/{name}") { request, context in
            try await self.series(
                namespace: context.parameters.require("namespace"), name: context.parameters.require("name"),
                query: request.uri.queryParameters, logger: context.logger)
        }
        router.get("/api/v1/metrics/{namespace}/{name}/samples") { request, context in
            try await self.samples(
                namespace: context.parameters.require("namespace"), name: context.parameters.require("name"),
                query: request.uri.queryParameters, logger: context.logger)
        }
        router.get("/api/v1/pipeline/errors") { request, context in
            try await self.errors(query: request.uri.queryParameters, logger: context.logger)
        }
        router.get("/deploy-frequency/{bucket}") { _, context in
            try await self.deployFrequency(bucket: context.parameters.require("bucket"), logger: context.logger)
        }
    }

    // MARK: - /api/v1/metrics

    func list(logger: Logger) async throws -> Response {
        var definitions = try await read(logger) { try await reader.definitions() }
        if let grant = ReadGrant.current {
            // Only what the reader may read (ReadAuthMiddleware): a namespace it may not `get` is left out.
            let visible = try await grant.visibleNamespaces(Set(definitions.map(\.namespace)))
            definitions = definitions.filter { visible.contains($0.namespace) }
        }
        return Self.json(.object(["items": .array(definitions.map(Self.item))]))
    }

    /// The JSON of one definition in `/api/v1/metrics`.
    static func item(_ definition: MetricDefinitionHeadlines) -> JSONValue {
        let overall = definition.overall
        let computed = definition.headlines.map(\.computedAt).max()
        let groups = definition.groups.map { group -> JSONValue in
            .object([
                "labels": labels(group.labels), "value": formatted(group.value), "numericValue": number(group.value),
                "level": group.level.map(JSONValue.string) ?? .null, "samples": .int(group.samples),
            ])
        }
        return .object([
            "namespace": .string(definition.namespace), "name": .string(definition.name), "metric": .string(definition.metric),
            "unit": .string(definition.unit), "window": .string(definition.window), "value": formatted(overall?.value),
            "numericValue": number(overall?.value), "level": overall?.level.map(JSONValue.string) ?? .null,
            "samples": .int(overall?.samples ?? 0),
            "lastComputedTime": computed.map { .string(RFC3339.format($0, fractionalDigits: 0)) } ?? .null,
            "groups": .array(groups), "ready": definition.ready.map(JSONValue.bool) ?? .null,
            "message": definition.message.map(JSONValue.string) ?? .null,
        ])
    }

    // MARK: - /api/v1/metrics/{namespace}/{name}

    func series(namespace: String, name: String, query: Parameters, logger: Logger) async throws -> Response {
        let request = try MetricsSeriesRequest(query: query, now: now())
        guard let definition = try await read(logger, { try await reader.definition(namespace: namespace, name: name) }) else {
            throw APIError(.notFound, "no MetricDefinition \(namespace)/\(name)")
        }
        var points: [MetricSeriesPoint] = []
        if let labels = request.labelFilter(selector: definition.selector) {
            let seriesQuery = MetricSeriesQuery(
                namespace: namespace, name: name, bucket: request.bucket, from: request.from, to: request.to, labels: labels,
                scope: request.scope)
            points = try await read(logger) { try await reader.points(seriesQuery) }
        }
        var series: [(labels: [String: String], points: [JSONValue])] = []
        for point in points {
            let json = JSONValue.object([
                "start": .string(RFC3339.format(point.start, fractionalDigits: 0)), "value": Self.number(point.value),
                "samples": .int(point.samples),
            ])
            if let last = series.indices.last, series[last].labels == point.labels {
                series[last].points.append(json)
            } else {
                series.append((point.labels, [json]))
            }
        }
        return Self.json(
            .object([
                "namespace": .string(namespace), "name": .string(name), "metric": .string(definition.metric),
                "unit": .string(Self.pointUnit(definition)), "bucket": .string(request.bucket.rawValue),
                "from": .string(RFC3339.format(request.from, fractionalDigits: 0)),
                "to": .string(RFC3339.format(request.to, fractionalDigits: 0)),
                "series": .array(series.map { .object(["labels": Self.labels($0.labels), "points": .array($0.points)]) }),
            ]))
    }

    // MARK: - /api/v1/pipeline/errors

    func errors(query: Parameters, logger: Logger) async throws -> Response {
        var limit = 100
        if let text = query["limit"].map(String.init) {
            guard let value = Int(text), (1...1000).contains(value) else {
                throw APIError(.badRequest, "limit: \"\(text)\" is not a number from 1 to 1000", attribute: "limit")
            }
            limit = value
        }
        let entries = try await read(logger) { try await reader.pipelineErrors(limit: limit) }
        let items = entries.map { entry -> JSONValue in
            .object([
                "id": .int(entry.id), "time": .string(RFC3339.format(entry.occurredAt)), "stage": .string(entry.stage),
                "component": .string(entry.component), "message": .string(entry.message),
                "eventId": entry.eventId.map(JSONValue.int) ?? .null, "ceSource": entry.ceSource.map(JSONValue.string) ?? .null,
                "ceId": entry.ceId.map(JSONValue.string) ?? .null,
            ])
        }
        return Self.json(.object(["items": .array(items)]))
    }

    // MARK: - /deploy-frequency/{bucket}

    func deployFrequency(bucket text: String, logger: Logger) async throws -> Response {
        guard let bucket = MetricBucket(rawValue: text) else {
            throw APIError(.badRequest, "unknown bucket \"\(text)\": use day, week, month or year", attribute: "bucket")
        }
        let entries = try await read(logger) { try await reader.deployFrequency(bucket: bucket) }
        let body = SeedJSON.deployFrequency(entries)
        return Response(
            status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    // MARK: - Helpers

    /// Runs a read; a failing store answers 503 (the cause is logged, not sent).
    func read<T>(_ logger: Logger, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as APIError {
            throw error
        } catch {
            logger.warning("metrics read failed", metadata: ["error": "\(String(reflecting: error))"])
            throw APIError.unavailable("the metrics store cannot be read right now", retryAfterSeconds: 2)
        }
    }

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: value.jsonBytes())))
    }

    /// The unit of a series point: a deployment-frequency bucket counts deployments (its headline is a rate).
    static func pointUnit(_ definition: MetricDefinitionHeadlines) -> String {
        definition.metric == "deploymentFrequency" ? "deployments" : definition.unit
    }

    static func labels(_ labels: [String: String]) -> JSONValue { .object(labels.mapValues(JSONValue.string)) }

    static func number(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .double(value)
    }

    static func formatted(_ value: Double?) -> JSONValue {
        guard let value, value.isFinite else { return .null }
        return .string(MetricValueFormat.format(value))
    }
}
