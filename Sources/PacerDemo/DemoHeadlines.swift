import Foundation
import Logging
import PostgresNIO

/// The four keys as `pacer-demo` prints them: read from `metric_headlines` (what the calculator wrote for the
/// default MetricDefinitions) and laid out as one row per app plus "all".
struct DemoHeadlines: Sendable, Equatable {
    /// One headline: the value over the window ending now, with its DORA level.
    struct Headline: Sendable, Equatable {
        var metric: String
        var value: Double?
        var level: String?
        var unit: String
        var samples: Int64
        var computedAt: Date
    }

    /// The four keys in column order: (spec.metric, column title).
    static let keys: [(metric: String, title: String)] = [
        ("deploymentFrequency", "deployment frequency"), ("leadTimeForChanges", "lead time for changes"),
        ("changeFailureRate", "change failure rate"), ("timeToRestore", "time to restore"),
    ]

    /// group ("all" or the app) → metric → headline.
    var rows: [String: [String: Headline]] = [:]

    static func read(client: PostgresClient, namespace: String, logger: Logger) async throws -> DemoHeadlines {
        let query: PostgresQuery = """
            SELECT group_key, metric, value, level, unit, samples, computed_at FROM metric_headlines
            WHERE namespace = \(namespace) AND metric IN ('deploymentFrequency', 'leadTimeForChanges', 'changeFailureRate', 'timeToRestore')
            """
        var headlines = DemoHeadlines()
        let rows = try await client.query(query, logger: logger)
        for try await (groupKey, metric, value, level, unit, samples, computedAt) in rows.decode(
            (String, String, Double?, String?, String, Int64, Date).self)
        {
            let group = groupKey.isEmpty ? "all" : groupKey.split(separator: ",").first.map { String($0.split(separator: "=").last ?? "") } ?? groupKey
            headlines.rows[group, default: [:]][metric] = Headline(
                metric: metric, value: value, level: level, unit: unit, samples: samples, computedAt: computedAt)
        }
        return headlines
    }

    /// True when every key has its overall ("all") headline and the calculator has counted at least `deployments`
    /// deployments and `restores` restored incidents (everything the script played).
    func complete(deployments: Int, restores: Int) -> Bool {
        guard Self.keys.allSatisfy({ rows["all"]?[$0.metric] != nil }) else { return false }
        return (rows["all"]?["deploymentFrequency"]?.samples ?? 0) >= deployments && (rows["all"]?["timeToRestore"]?.samples ?? 0) >= restores
    }

    /// The same values and levels (computed_at ignored), to tell when the calculator has settled.
    func sameValues(as other: DemoHeadlines) -> Bool {
        func strip(_ h: DemoHeadlines) -> [String: [String: String]] {
            h.rows.mapValues { $0.mapValues { "\($0.value.map { String($0) } ?? "-")|\($0.level ?? "")|\($0.samples)" } }
        }
        return strip(self) == strip(other)
    }

    /// `12.3 h Elite`: value in display units, unit and level; `–` for no data.
    static func cell(_ headline: Headline?) -> String {
        guard let headline else { return "–" }
        guard let value = headline.value else { return "no data" }
        let text: String
        switch headline.metric {
        case "changeFailureRate": text = String(format: "%.1f %%", value * 100)
        case "leadTimeForChanges", "timeToRestore": text = String(format: "%.1f h", value)
        default: text = String(format: "%.1f %@", value, headline.unit)
        }
        return headline.level.map { "\(text) \($0)" } ?? text
    }

    /// The table: apps sorted, then "all"; columns the four keys.
    func table(apps: [String]) -> String {
        let groups = apps.sorted() + ["all"]
        let header = ["app"] + Self.keys.map(\.title)
        let body = groups.map { group in [group] + Self.keys.map { Self.cell(rows[group]?[$0.metric]) } }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }
                .joined(separator: " | ").trimmingCharacters(in: .whitespaces)
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "-+-")
        return ([render(header), rule] + body.map(render)).joined(separator: "\n")
    }
}
