import EventStore
import Foundation

/// The four keys as `pacer-demo` prints them: the headlines the calculator wrote for the default MetricDefinitions,
/// laid out as one row per app plus "all".
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

    init() {}

    /// The four keys among `records` (one namespace's headlines, as `PostgresMetricsReader.headlines` returns them),
    /// keyed by the first group label's value (the app), or "all" for the ungrouped headline.
    init(_ records: [MetricHeadlineRecord]) {
        let metrics = Set(Self.keys.map(\.metric))
        for record in records where metrics.contains(record.metric) {
            let groupKey = record.groupKey
            let group = groupKey.isEmpty ? "all" : groupKey.split(separator: ",").first.map { String($0.split(separator: "=").last ?? "") } ?? groupKey
            rows[group, default: [:]][record.metric] = Headline(
                metric: record.metric, value: record.value, level: record.level, unit: record.unit, samples: record.samples,
                computedAt: record.computedAt)
        }
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
