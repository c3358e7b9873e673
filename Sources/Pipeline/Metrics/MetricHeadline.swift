import Foundation
import PacerRules
import PacerCore

/// One row of `metric_headlines` as the calculator computed it.
public struct MetricHeadline: Sendable, Hashable {
    /// `''` for all groups together, else `app=checkout,…` in groupBy order.
    public var groupKey: String
    public var labels: [String: String]
    public var value: Double?
    public var level: DORALevel?
    public var samples: Int64
    /// Fewer samples than `spec.minSamples` in the window: no DORA level (``levelName`` is `InsufficientData`).
    public var insufficientData: Bool

    public init(groupKey: String, labels: [String: String], value: Double?, level: DORALevel?, samples: Int64, insufficientData: Bool = false) {
        self.groupKey = groupKey
        self.labels = labels
        self.value = value
        self.level = level
        self.samples = samples
        self.insufficientData = insufficientData
    }

    /// The level as written to `metric_headlines.level` and the status: `Elite` … `Low`, `InsufficientData`, or nil
    /// for metrics without levels.
    public var levelName: String? { insufficientData ? Self.insufficientDataLevel : level?.rawValue }

    /// The level name of a headline from fewer than `spec.minSamples` samples.
    public static let insufficientDataLevel = "InsufficientData"

    /// The headline as `plan` reports it: without a level, and marked, when it has fewer than `minSamples` samples.
    func withSampleFloor(_ metric: CompiledMetric) -> MetricHeadline {
        guard metric.hasLevels, samples < metric.minSamples else { return self }
        var copy = self
        copy.level = nil
        copy.insufficientData = true
        return copy
    }

    static func labels(fromJSON text: String) -> [String: String] {
        guard let object = (try? JSONValue.parse(Array(text.utf8)))?.objectValue else { return [:] }
        var labels: [String: String] = [:]
        for (key, value) in object { labels[key] = value.stringValue ?? value.jsonString() }
        return labels
    }

    /// The median of `values` (mean of the two middle values for an even count); nil when empty.
    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
