import EventStore
import Foundation
import HTTPAPI
import PacerCore
import PacerRules
import Pipeline

extension MetricsReadAdapter {
    /// The samples behind a point or headline: the definition's stored spec decides the rules (selector, window,
    /// attribution window, rollbacks); a headline is explained as the calculator last computed it (its
    /// `computed_at`, else now).
    public func samples(_ query: MetricSamplesQuery) async throws -> MetricSamplesPage? {
        guard try await reader.definitionExists(namespace: query.namespace, name: query.name) else { return nil }
        let key = "\(query.namespace)/\(query.name)"
        guard let row = try await config.rows(.metricDefinitions).first(where: { $0.namespace == query.namespace && $0.name == query.name })
        else {
            throw MetricSamplesRefused(.notListable, "\(key) is no longer configured: only its last computed values are kept, not its samples")
        }
        guard row.ready else {
            throw MetricSamplesRefused(.notListable, "\(key) is not ready (\(row.message ?? "its spec does not compile")): it has no samples")
        }
        let range: MetricSampleRange
        if let start = query.start, let end = query.end {
            range = .bucket(start: start, end: end)
        } else {
            let headlines = try await reader.headlines(namespace: query.namespace, name: query.name)
            let computed = headlines.first { $0.groupKey == query.group }?.computedAt ?? headlines.first { $0.groupKey.isEmpty }?.computedAt
            range = .headline(now: computed ?? Date())
        }
        let request = MetricSampleRequest(
            range: range, group: query.group, limit: query.limit, after: query.after.map { MetricSampleCursor(micros: $0.micros, key: $0.key) })
        let page: MetricSamplePage
        do {
            page = try await sampleReader.samples(namespace: query.namespace, name: query.name, spec: row.spec, clusterWide: row.clusterWide, request: request)
        } catch MetricSampleError.badGroup(let message) {
            throw MetricSamplesRefused(.badQuery, message, attribute: "group")
        } catch MetricSampleError.notComputable(let message) {
            throw MetricSamplesRefused(.notListable, message)
        }
        let metric = (try? row.spec.decode(as: MetricDefinitionSpec.self)).flatMap { try? $0.compile().get() }
        return MetricSamplesPage(
            metric: metric?.metric.rawValue ?? "", unit: metric?.unit ?? "", from: page.from, to: page.to, items: page.items, total: page.total,
            next: page.next.map { MetricSampleToken(micros: $0.micros, key: $0.key) })
    }
}
