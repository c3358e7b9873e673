import Foundation
import PacerRules

/// What the calculator computed for one definition: its headline rows over the window ending `computedAt`. The
/// pipeline's own result; the status adapter in PacerApp turns it into a MetricDefinition status.
public struct MetricResult: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// The `''` row is the headline over all groups, the others are the groups, sorted by group key.
    public var headlines: [MetricHeadline]
    public var unit: String
    public var window: String
    public var computedAt: Date

    public init(namespace: String, name: String, headlines: [MetricHeadline], unit: String, window: String, computedAt: Date) {
        self.namespace = namespace
        self.name = name
        self.headlines = headlines
        self.unit = unit
        self.window = window
        self.computedAt = computedAt
    }

    /// `namespace/name`.
    public var key: String { "\(namespace)/\(name)" }
}

extension MetricEngine.Outcome {
    /// The results of the definitions whose headlines were written, in `namespace/name` order.
    var results: [MetricResult] {
        headlines.keys.sorted().compactMap { key in
            guard let (plan, rows, at) = headlines[key] else { return nil }
            return MetricResult(
                namespace: plan.namespace, name: plan.name, headlines: rows, unit: plan.metric.unit, window: plan.metric.window, computedAt: at)
        }
    }
}
