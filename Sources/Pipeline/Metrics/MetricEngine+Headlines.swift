import Foundation
import PacerRules
import PacerCore
import PostgresNIO

extension MetricEngine {
    /// Replaces the headline rows of `plan` with the values over its window ending `now`; returns them.
    func writeHeadlines(_ plan: MetricPlan, now: Date, on connection: PostgresConnection) async throws -> [MetricHeadline] {
        // A literal, not a bound value: the frequency query groups by an expression containing it (`windowFilter`).
        let nowSQL = SQLFragment.literal(RFC3339.format(now, fractionalDigits: 6))
        let rows: [MetricHeadline]
        if plan.metric.metric == .deploymentFrequency {
            rows = try await frequencyHeadlines(plan, now: nowSQL, on: connection)
        } else {
            var computed: [MetricHeadline] = []
            let sequence = try await connection.query(plan.headlineQuery(now: nowSQL).query, logger: logger)
                .decode((String, String, Double?, Int64).self)
            for try await (groupKey, labels, value, samples) in sequence {
                let level = value.flatMap { DORALevels.level(metric: plan.metric.metric, value: $0, levels: plan.metric.levels) }
                computed.append(
                    MetricHeadline(groupKey: groupKey, labels: MetricHeadline.labels(fromJSON: labels), value: value, level: level, samples: samples))
            }
            rows = computed
        }
        let sorted = rows.map { $0.withSampleFloor(plan.metric) }.sorted { $0.groupKey < $1.groupKey }
        try await connection.query(
            "DELETE FROM metric_headlines WHERE namespace = \(plan.namespace) AND name = \(plan.name)", logger: logger)
        let keys = sorted.map(\.groupKey)
        let labels = sorted.map { JSONValue.object($0.labels.mapValues { JSONValue.string($0) }).jsonString() }
        let values = sorted.map { $0.value.map { "\($0)" } ?? "" }
        let levels = sorted.map { $0.levelName ?? "" }
        let samples = sorted.map(\.samples)
        try await connection.query(
            """
            INSERT INTO metric_headlines (namespace, name, group_key, labels, metric, value, level, unit, window_text, samples, computed_at)
            SELECT \(plan.namespace), \(plan.name), k, l::jsonb, \(plan.metric.metric.rawValue), NULLIF(v, '')::float8, NULLIF(lv, ''),
                   \(plan.metric.unit), \(plan.metric.window), s, \(now)
            FROM unnest(\(keys)::text[], \(labels)::text[], \(values)::text[], \(levels)::text[], \(samples)::int8[]) AS h(k, l, v, lv, s)
            """, logger: logger)
        return sorted
    }

    /// Deployment frequency: the median over the window's whole weeks of the days with a deployment; the level
    /// also looks at the deployments per 30 days (``DORALevels/deploymentFrequencyLevel(medianDaysPerWeek:deploymentsPer30Days:)``).
    private func frequencyHeadlines(_ plan: MetricPlan, now: String, on connection: PostgresConnection) async throws -> [MetricHeadline] {
        let weeks = max(1, Int(plan.metric.windowSeconds / 604_800))
        var days: [String: [Int64: Int64]] = [:]
        var deployments: [String: Int64] = ["": 0]
        var labels: [String: [String: String]] = ["": [:]]
        let sequence = try await connection.query(plan.frequencyHeadlineQuery(now: now).query, logger: logger)
            .decode((String, String, Int64, Int64, Int64).self)
        for try await (groupKey, labelText, week, dayCount, count) in sequence {
            days[groupKey, default: [:]][week] = dayCount
            deployments[groupKey, default: 0] += count
            if labels[groupKey] == nil { labels[groupKey] = MetricHeadline.labels(fromJSON: labelText) }
        }
        let windowDays = Double(plan.metric.windowSeconds) / 86_400
        return deployments.keys.sorted().map { groupKey in
            let perWeek = (0..<weeks).map { Double(days[groupKey]?[Int64($0)] ?? 0) }
            let median = MetricHeadline.median(perWeek) ?? 0
            let count = deployments[groupKey] ?? 0
            let level = DORALevels.deploymentFrequencyLevel(medianDaysPerWeek: median, deploymentsPer30Days: Double(count) * 30 / windowDays)
            return MetricHeadline(groupKey: groupKey, labels: labels[groupKey] ?? [:], value: median, level: level, samples: count)
        }
    }
}
