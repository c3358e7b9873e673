import Foundation
import Hummingbird
import PacerCore
import PacerRules

/// The validated query of `GET /api/v1/metrics/{namespace}/{name}`.
///
/// - `bucket`: `day`, `week` (default), `month` or `year`;
/// - `from`, `to`: RFC 3339 date-times or `YYYY-MM-DD` dates (UTC midnight); points whose bucket starts in
///   `from...to` are returned. `to` defaults to now, `from` to ``MetricBucket/defaultSpan`` buckets back from `to`;
/// - `app`, `environment`, `team`, `cluster`: only the groups with these label values;
/// - `series`: `all` (default), `overall` (only the ungrouped series), `groups` (only the groups).
struct MetricsSeriesRequest: Sendable {
    static let labelParameters = ["app", "environment", "team", "cluster"]

    var bucket: MetricBucket
    var from: Date
    var to: Date
    var labels: [String: String]
    var scope: MetricSeriesScope

    init(query: Parameters, now: Date) throws {
        let scopeText = query["series"].map(String.init) ?? MetricSeriesScope.all.rawValue
        guard let scope = MetricSeriesScope(rawValue: scopeText) else {
            throw APIError(.badRequest, "unknown series \"\(scopeText)\": use all, overall or groups", attribute: "series")
        }
        self.scope = scope
        let bucketText = query["bucket"].map(String.init) ?? MetricBucket.week.rawValue
        guard let bucket = MetricBucket(rawValue: bucketText) else {
            throw APIError(.badRequest, "unknown bucket \"\(bucketText)\": use day, week, month or year", attribute: "bucket")
        }
        self.bucket = bucket
        let to = try query["to"].map(String.init).map { try Self.time($0, attribute: "to") } ?? now
        let from = try query["from"].map(String.init).map { try Self.time($0, attribute: "from") }
            ?? bucket.advance(bucket.start(of: to), by: -(bucket.defaultSpan - 1))
        guard from <= to else {
            throw APIError(
                .badRequest, "from (\(RFC3339.format(from, fractionalDigits: 0))) is after to (\(RFC3339.format(to, fractionalDigits: 0)))",
                attribute: "from")
        }
        self.from = from
        self.to = to
        var labels: [String: String] = [:]
        for key in Self.labelParameters {
            if let value = query[key[...]].map(String.init) {
                guard !value.isEmpty else { throw APIError(.badRequest, "\(key): the value is empty", attribute: key) }
                // PostgreSQL text cannot hold NUL: refused here, not as a failed read (a 503) later.
                guard !value.contains("\u{0}") else { throw APIError(.badRequest, "\(key): the value contains a NUL character", attribute: key) }
                labels[key] = value
            }
        }
        self.labels = labels
    }

    /// The label filter for the store, given the definition's selector; nil when the selector excludes every event.
    ///
    /// A filter the selector already implies (e.g. `environment=production` on a definition selecting production,
    /// whose groups have no environment label) matches every group; one it contradicts matches none.
    func labelFilter(selector: [String: String]) -> [String: String]? {
        var filter: [String: String] = [:]
        for (key, value) in labels {
            if let fixed = selector[key] {
                guard fixed == value else { return nil }
            } else {
                filter[key] = value
            }
        }
        return filter
    }

    /// An RFC 3339 date-time, or a `YYYY-MM-DD` date taken as UTC midnight.
    static func time(_ text: String, attribute: String) throws -> Date {
        if let date = RFC3339.parse(text) { return date }
        if text.utf8.count == 10, let date = RFC3339.parse(text + "T00:00:00Z") { return date }
        throw APIError(
            .badRequest, "\(attribute): \"\(text)\" is not an RFC 3339 time (2024-05-01T10:00:00Z) or a date (2024-05-01)",
            attribute: attribute)
    }
}
