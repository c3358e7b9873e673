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
    public func headlines(namespace: String? = nil, name: String? = nil) async throws -> [MetricHeadlineRecord] {
        let query: PostgresQuery = """
            SELECT namespace, name, group_key, labels::text, metric, value, level, unit, window_text, samples, computed_at
            FROM metric_headlines
            WHERE (\(namespace)::text IS NULL OR namespace = \(namespace)) AND (\(name)::text IS NULL OR name = \(name))
            ORDER BY namespace, name, group_key
            """
        var records: [MetricHeadlineRecord] = []
        let rows = try await client.query(query, logger: logger)
            .decode((String, String, String, String, String, Double?, String?, String, String, Int64, Date).self)
        for try await (namespace, name, groupKey, labels, metric, value, level, unit, window, samples, computedAt) in rows {
            records.append(
                MetricHeadlineRecord(
                    namespace: namespace, name: name, groupKey: groupKey, labels: Self.labels(labels), metric: metric, value: value,
                    level: level, unit: unit, window: window, samples: samples, computedAt: computedAt))
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
    /// group key then bucket start.
    public func points(
        namespace: String, name: String, bucket: String, from: Date, to: Date, labelFilter: [String: String] = [:]
    ) async throws -> [MetricPointRecord] {
        let filter = JSONValue.object(labelFilter.mapValues { .string($0) }).jsonString()
        let query: PostgresQuery = """
            SELECT group_key, labels::text, bucket_start, value, samples FROM metric_points
            WHERE namespace = \(namespace) AND name = \(name) AND bucket = \(bucket)
              AND bucket_start >= \(from) AND bucket_start <= \(to) AND labels @> \(filter)::jsonb
            ORDER BY group_key, bucket_start
            """
        var records: [MetricPointRecord] = []
        let rows = try await client.query(query, logger: logger).decode((String, String, Date, Double?, Int64).self)
        for try await (groupKey, labels, start, value, samples) in rows {
            records.append(MetricPointRecord(groupKey: groupKey, labels: Self.labels(labels), bucketStart: start, value: value, samples: samples))
        }
        return records
    }

    /// The seed tutorial's deployment frequency: per `deploy_name` and UTC bucket (`day`, `week` = ISO week from
    /// Monday, `month`, `year`), the number of deployments (rows: the calculator writes one per deployment CDEvent);
    /// ordered by bucket start, then name.
    public func deployFrequency(bucket: String) async throws -> [DeployFrequencyRecord] {
        let query: PostgresQuery = """
            SELECT deploy_name, (date_trunc(\(bucket), time_created AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') AS bucket_start,
                   count(*)
            FROM deployments GROUP BY deploy_name, bucket_start ORDER BY bucket_start, deploy_name
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
        guard let object = (try? JSONValue.parse(text))?.objectValue else { return [:] }
        return object.mapValues { $0.stringValue ?? $0.jsonString() }
    }
}
