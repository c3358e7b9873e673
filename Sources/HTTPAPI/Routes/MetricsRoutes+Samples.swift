import Foundation
import Hummingbird
import Logging
import PacerCore
import PacerRules

/// `GET /api/v1/metrics/{namespace}/{name}/samples`: the facts behind a point (`bucket` and `start`) or the headline
/// (neither) of one group (`group`, default the ungrouped series), ordered by time, at most `limit` (1…1000, default
/// 100) per page; `continue` is the previous page's token (docs/http-api.md).
extension MetricsRoutes {
    static var samplesLimit: ClosedRange<Int> { 1...1000 }

    func samples(namespace: String, name: String, query: Parameters, logger: Logger) async throws -> Response {
        let request = try Self.samplesQuery(namespace: namespace, name: name, query: query)
        let page = try await read(logger) { () async throws -> MetricSamplesPage? in
            do {
                return try await reader.samples(request)
            } catch let refused as MetricSamplesRefused {
                throw APIError(refused.status, refused.message, attribute: refused.attribute)
            }
        }
        guard let page else { throw APIError(.notFound, "no MetricDefinition \(namespace)/\(name)") }
        return Self.json(
            .object([
                "namespace": .string(namespace), "name": .string(name), "metric": .string(page.metric), "unit": .string(page.unit),
                "group": .string(request.group), "bucket": request.bucket.map { .string($0.rawValue) } ?? .null,
                "from": .string(RFC3339.format(page.from, fractionalDigits: 0)), "to": .string(RFC3339.format(page.to, fractionalDigits: 0)),
                "total": .int(page.total), "limit": .int(Int64(request.limit)),
                "continue": page.next.map { .string($0.text) } ?? .null, "items": .array(page.items),
            ]))
    }

    /// The validated query: `bucket` and `start` together or neither, `group`, `limit`, `continue`.
    static func samplesQuery(namespace: String, name: String, query: Parameters) throws -> MetricSamplesQuery {
        var request = MetricSamplesQuery(namespace: namespace, name: name)
        let bucketText = query["bucket"].map(String.init)
        let startText = query["start"].map(String.init)
        switch (bucketText, startText) {
        case (nil, nil):
            break
        case (let bucketText?, let startText?):
            guard let bucket = MetricBucket(rawValue: bucketText) else {
                throw APIError(.badRequest, "unknown bucket \"\(bucketText)\": use day, week, month or year", attribute: "bucket")
            }
            let start = bucket.start(of: try MetricsSeriesRequest.time(startText, attribute: "start"))
            // Years 1…9999 (what RFC 3339 can write), so the next bucket's start is a time PostgreSQL can hold too.
            guard start.timeIntervalSince1970 >= -62_135_596_800, start.timeIntervalSince1970 < 253_370_764_800 else {
                throw APIError(.badRequest, "start: \"\(startText)\" is outside the years 1 to 9998", attribute: "start")
            }
            request.bucket = bucket
            request.start = start
            request.end = bucket.advance(start, by: 1)
        case (nil, _?):
            throw APIError(.badRequest, "start needs bucket (day, week, month or year): the bucket that starts there", attribute: "bucket")
        case (_?, nil):
            throw APIError(.badRequest, "bucket needs start: the start of the bucket to list (RFC 3339 time or YYYY-MM-DD)", attribute: "start")
        }
        request.group = query["group"].map(String.init) ?? ""
        guard request.group.utf8.count <= 1000, !request.group.contains("\u{0}") else {
            throw APIError(.badRequest, "group: not a group key (at most 1000 bytes, no NUL)", attribute: "group")
        }
        if let text = query["limit"].map(String.init) {
            guard let limit = Int(text), samplesLimit.contains(limit) else {
                throw APIError(.badRequest, "limit: \"\(text)\" is not a number from 1 to 1000", attribute: "limit")
            }
            request.limit = limit
        }
        if let text = query["continue"].map(String.init) {
            guard let token = MetricSampleToken(text: text), !token.key.contains("\u{0}") else {
                throw APIError(.badRequest, "continue: not a token from a previous page of this listing", attribute: "continue")
            }
            request.after = token
        }
        return request
    }
}
