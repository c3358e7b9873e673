import EventStore
import Foundation
import HTTPAPI
import Logging
import OperatorAPI
import Pipeline
import PacerRules
import PacerCore
import PostgresNIO

/// The read API's port over PostgreSQL: headlines and series from the calculator's read model, definitions from
/// `pacer_metric_definitions` (so a definition shows before its first computation), the seed `deployments` table,
/// `pipeline_errors`, and the samples behind a value (Pipeline's `MetricSampleReader` over the fact tables).
public struct MetricsReadAdapter: MetricsReading {
    let reader: PostgresMetricsReader
    let config: PostgresConfigStore
    /// The samples behind a point or headline (`MetricsReadAdapter+Samples.swift`).
    let sampleReader: MetricSampleReader

    public init(client: PostgresClient, logger: Logger) {
        self.reader = PostgresMetricsReader(client: client, logger: logger)
        self.config = PostgresConfigStore(client: client, logger: logger)
        self.sampleReader = MetricSampleReader(client: client, logger: logger)
    }

    public func definitions() async throws -> [MetricDefinitionHeadlines] {
        let rows = try await config.rows(.metricDefinitions)
        let headlines = try await reader.headlines()
        return Self.merge(rows: rows, headlines: headlines)
    }

    public func definition(namespace: String, name: String) async throws -> MetricDefinitionHeadlines? {
        guard try await reader.definitionExists(namespace: namespace, name: name) else { return nil }
        let rows = try await config.rows(.metricDefinitions).filter { $0.namespace == namespace && $0.name == name }
        let headlines = try await reader.headlines(namespace: namespace, name: name)
        return Self.merge(rows: rows, headlines: headlines).first
            ?? MetricDefinitionHeadlines(namespace: namespace, name: name, metric: "", unit: "", window: "", headlines: [])
    }

    public func points(_ query: MetricSeriesQuery) async throws -> [MetricSeriesPoint] {
        try await reader.points(
            namespace: query.namespace, name: query.name, bucket: query.bucket.rawValue, from: query.from, to: query.to,
            labelFilter: query.labels, groups: query.scope == .all ? nil : query.scope == .groups
        ).map { MetricSeriesPoint(labels: $0.labels, start: $0.bucketStart, value: $0.value, samples: $0.samples) }
    }

    public func deployFrequency(bucket: MetricBucket) async throws -> [DeployFrequencyEntry] {
        try await reader.deployFrequency(bucket: bucket.rawValue).map {
            DeployFrequencyEntry(deployName: $0.deployName, deployments: $0.deployments, time: $0.bucketStart)
        }
    }

    public func pipelineErrors(limit: Int) async throws -> [PipelineErrorEntry] {
        try await reader.pipelineErrors(limit: limit).map {
            PipelineErrorEntry(
                id: $0.id, occurredAt: $0.occurredAt, stage: $0.stage, component: $0.component, message: $0.message, eventId: $0.eventId,
                ceSource: $0.ceSource, ceId: $0.ceId)
        }
    }

    /// One entry per configured definition (its spec decides metric, unit, window and selector) and per definition
    /// the read model still holds without configuration; ordered by namespace and name.
    static func merge(rows: [ConfigRecord], headlines: [MetricHeadlineRecord]) -> [MetricDefinitionHeadlines] {
        var byKey: [String: MetricDefinitionHeadlines] = [:]
        let computed = Set(headlines.map { "\($0.namespace)/\($0.name)" })
        for row in rows {
            guard let spec = try? row.spec.decode(as: MetricDefinitionSpec.self) else { continue }
            // Unit and window come from the computed rows when there are some; compile only for the others.
            let compiled = computed.contains("\(row.namespace)/\(row.name)") ? nil : try? spec.compile().get()
            byKey["\(row.namespace)/\(row.name)"] = MetricDefinitionHeadlines(
                namespace: row.namespace, name: row.name, metric: spec.metric.rawValue, unit: compiled?.unit ?? "",
                window: compiled?.window ?? spec.window ?? MetricDefinitionSpec.defaultWindow, selector: spec.selector ?? [:], headlines: [],
                ready: row.ready, message: row.message)
        }
        for record in headlines {
            let key = "\(record.namespace)/\(record.name)"
            var entry =
                byKey[key]
                ?? MetricDefinitionHeadlines(
                    namespace: record.namespace, name: record.name, metric: record.metric, unit: record.unit, window: record.window,
                    headlines: [])
            // The row the calculator wrote is what the value means: its unit and window win over the spec's.
            entry.metric = record.metric
            entry.unit = record.unit
            entry.window = record.window
            entry.headlines.append(
                MetricHeadlineValue(
                    labels: record.labels, value: record.value, level: record.level, samples: record.samples, computedAt: record.computedAt))
            byKey[key] = entry
        }
        return byKey.values.map { definition in
            var definition = definition
            definition.headlines.sort { ($0.labels.isEmpty ? 0 : 1, Self.groupOrder($0.labels)) < ($1.labels.isEmpty ? 0 : 1, Self.groupOrder($1.labels)) }
            return definition
        }.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
    }

    private static func groupOrder(_ labels: [String: String]) -> String {
        labels.keys.sorted().map { "\($0)=\(labels[$0] ?? "")" }.joined(separator: ",")
    }
}
