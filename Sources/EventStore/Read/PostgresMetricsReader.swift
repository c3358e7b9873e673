import Foundation
import Logging
import PacerCore
import PostgresNIO

/// SQL readers of the metric read model (`metric_headlines`, `metric_points`), the seed tutorial's
/// `deployments` table and `pipeline_errors`. Read-only; every method is one query.
public struct PostgresMetricsReader: Sendable {
    public let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Every headline row (or those of one definition), ordered by namespace, name and group key (the ungrouped row
    /// `''` first).
    ///
    /// PostgreSQL aggregates each definition's rows into one JSON array, so a scrape or a dashboard refresh decodes one
    /// row per definition rather than one per group (hundreds with `groupBy: [app]`).
    public func headlines(namespace: String? = nil, name: String? = nil) async throws -> [MetricHeadlineRecord] {
        let query: PostgresQuery = """
            SELECT namespace, name,
                   json_agg(json_build_array(group_key, labels, metric, value, level, unit, window_text, samples,
                                             extract(epoch FROM computed_at)) ORDER BY group_key)::text
            FROM metric_headlines
            WHERE (\(namespace)::text IS NULL OR namespace = \(namespace)) AND (\(name)::text IS NULL OR name = \(name))
            GROUP BY namespace, name ORDER BY namespace, name
            """
        var records: [MetricHeadlineRecord] = []
        for try await (namespace, name, rows) in try await client.query(query, logger: logger).decode((String, String, String).self) {
            for row in try Self.rows(rows, columns: 9) {
                records.append(
                    MetricHeadlineRecord(
                        namespace: namespace, name: name, groupKey: row[0].stringValue ?? "", labels: Self.labels(row[1]),
                        metric: row[2].stringValue ?? "", value: row[3].doubleValue, level: row[4].stringValue, unit: row[5].stringValue ?? "",
                        window: row[6].stringValue ?? "", samples: row[7].intValue ?? 0,
                        computedAt: Date(timeIntervalSince1970: row[8].doubleValue ?? 0)))
            }
        }
        return records
    }

    /// Whether the read model or the configuration knows the definition `namespace/name`.
    public func definitionExists(namespace: String, name: String) async throws -> Bool {
        let query: PostgresQuery = """
            SELECT EXISTS (SELECT 1 FROM pacer_metric_definitions WHERE namespace = \(namespace) AND name = \(name))
                OR EXISTS (SELECT 1 FROM metric_headlines WHERE namespace = \(namespace) AND name = \(name))
                OR EXISTS (SELECT 1 FROM metric_points WHERE namespace = \(namespace) AND name = \(name))
            """
        for try await exists in try await client.query(query, logger: logger).decode(Bool.self) { return exists }
        return false
    }

    /// The points of one definition's series in `bucket` whose start is in `from...to`, for the groups whose labels
    /// contain every pair of `labelFilter` (all groups, the ungrouped one included, when it is empty); ordered by
    /// group key then bucket start. `groups`: nil for every series, false for only the ungrouped one, true for only groups.
    public func points(
        namespace: String, name: String, bucket: String, from: Date, to: Date, labelFilter: [String: String] = [:], groups: Bool? = nil
    ) async throws -> [MetricPointRecord] {
        let filter = JSONValue.object(labelFilter.mapValues { .string($0) }).jsonString()
        // One row per group, its points as a JSON array (see `headlines`).
        let query: PostgresQuery = """
            SELECT group_key, labels::text,
                   json_agg(json_build_array(extract(epoch FROM bucket_start), value, samples) ORDER BY bucket_start)::text
            FROM metric_points
            WHERE namespace = \(namespace) AND name = \(name) AND bucket = \(bucket)
              AND bucket_start >= \(from) AND bucket_start <= \(to) AND labels @> \(filter)::jsonb
              AND (\(groups)::boolean IS NULL OR \(groups)::boolean = (group_key <> ''))
            GROUP BY group_key, labels ORDER BY group_key
            """
        var records: [MetricPointRecord] = []
        for try await (groupKey, labelText, points) in try await client.query(query, logger: logger).decode((String, String, String).self) {
            let labels = Self.labels(labelText)
            for point in try Self.rows(points, columns: 3) {
                records.append(
                    MetricPointRecord(
                        groupKey: groupKey, labels: labels, bucketStart: Date(timeIntervalSince1970: point[0].doubleValue ?? 0),
                        value: point[1].doubleValue, samples: point[2].intValue ?? 0))
            }
        }
        return records
    }

    /// The seed tutorial's deployment frequency: per `deploy_name` and UTC bucket (`day`, `week` = ISO week from
    /// Monday, `month`, `year`), the number of deployments (rows: the calculator writes one per deployment CDEvent; a duplicate report of a rollout does not count);
    /// ordered by bucket start, then name.
    public func deployFrequency(bucket: String) async throws -> [DeployFrequencyRecord] {
        let query: PostgresQuery = """
            SELECT deploy_name, (date_trunc(\(bucket), time_created AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS bucket_start,
                   count(*)
            FROM deployments WHERE NOT duplicate GROUP BY deploy_name, bucket_start ORDER BY bucket_start, deploy_name
            """
        var records: [DeployFrequencyRecord] = []
        for try await (name, start, count) in try await client.query(query, logger: logger).decode((String, Date, Int64).self) {
            records.append(DeployFrequencyRecord(deployName: name, deployments: count, bucketStart: start))
        }
        return records
    }

    /// The most recent pipeline errors, newest first (optionally of one component, `namespace/name`).
    public func pipelineErrors(limit: Int, component: String? = nil) async throws -> [PipelineErrorRecord] {
        let limit = max(0, min(limit, 10_000))
        let query: PostgresQuery = """
            SELECT id, occurred_at, stage, event_id, ce_source, ce_id, component, message FROM pipeline_errors
            WHERE \(component)::text IS NULL OR component = \(component)
            ORDER BY id DESC LIMIT \(limit)
            """
        var records: [PipelineErrorRecord] = []
        let rows = try await client.query(query, logger: logger)
            .decode((Int64, Date, String, Int64?, String?, String?, String, String).self)
        for try await (id, occurredAt, stage, eventId, source, ceId, component, message) in rows {
            records.append(
                PipelineErrorRecord(
                    id: id, occurredAt: occurredAt, stage: stage, eventId: eventId, ceSource: source, ceId: ceId, component: component,
                    message: message))
        }
        return records
    }

    /// A `labels` jsonb text as a string map (non-string values are written as JSON text).
    static func labels(_ text: String) -> [String: String] {
        labels((try? JSONValue.parse(text)) ?? .null)
    }

    static func labels(_ value: JSONValue) -> [String: String] {
        (value.objectValue ?? [:]).mapValues { $0.stringValue ?? $0.jsonString() }
    }

    /// The rows of a `json_agg` of `json_build_array`s, each with `columns` values (a non-finite double, which
    /// PostgreSQL writes as a string, reads as no value).
    static func rows(_ text: String, columns: Int) throws -> [[JSONValue]] {
        guard let rows = try JSONValue.parse(text).arrayValue else { throw ReadModelError(message: "not a JSON array: \(text.prefix(80))") }
        return try rows.map { row in
            guard let values = row.arrayValue, values.count == columns else {
                throw ReadModelError(message: "expected \(columns) values: \(row.jsonString().prefix(80))")
            }
            return values
        }
    }
}

/// The read model holds something the reader cannot interpret.
public struct ReadModelError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { "metric read model: \(message)" }
}
