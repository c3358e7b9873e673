/// A DORA performance level.
public enum DORALevel: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case elite = "Elite"
    case high = "High"
    case medium = "Medium"
    case low = "Low"

    private var rank: Int { DORALevel.allCases.firstIndex(of: self) ?? 0 }
    /// `elite < high`: better levels sort first.
    public static func < (lhs: DORALevel, rhs: DORALevel) -> Bool { lhs.rank < rhs.rank }
}

/// Performance-level thresholds as data, one table per `MetricDefinition.spec.levels` value.
///
/// Units of the classified value:
/// - deployment frequency: the median number of days per week with a deployment (days/week);
/// - lead time for changes and time to restore: hours (median);
/// - change failure rate: a ratio (0.15 = 15 %).
///
/// Sources (see shared/notes/anchors.md §8 and §3):
/// - `dora-2024`: DORA 2024 Accelerate State of DevOps report, as reproduced in
///   https://octopus.com/blog/2024-devops-performance-clusters.
/// - `dora-2023`: DORA 2023 report as quoted by Apache DevLake (https://devlake.apache.org/docs/Metrics/CFR,
///   https://devlake.apache.org/docs/Metrics/FailedDeploymentRecoveryTime).
/// - `fourkeys`: dora-team/fourkeys `METRICS.md` and `dashboard/fourkeys_dashboard.json` (2019 report basis).
public enum DORALevels {
    /// One band: values on the good side of `bound` (inclusive or not) get `level`.
    public struct Band: Sendable, Hashable {
        public var level: DORALevel
        public var bound: Double
        public var inclusive: Bool
        public init(_ level: DORALevel, _ bound: Double, inclusive: Bool) {
            self.level = level
            self.bound = bound
            self.inclusive = inclusive
        }
    }

    /// The bands of one metric, tried in order; `higherIsBetter` decides which side of a bound is good.
    /// A value on the wrong side of every band gets `otherwise`.
    public struct Table: Sendable, Hashable {
        public var higherIsBetter: Bool
        public var bands: [Band]
        public var otherwise: DORALevel
    }

    static let perWeek = 1.0 / 7.0
    static let perMonth = 1.0 / 30.0
    static let day = 24.0
    static let week = 168.0
    static let month = 730.0

    /// Deployment frequency, every level set (Four Keys' rule, which DORA's "on demand / daily, weekly, monthly"
    /// clusters follow): the value is the median over the window's weeks of the number of days with a deployment
    /// (days/week). Elite ("daily") from 3 days/week, High ("weekly") from 1. Medium needs the deployment count as
    /// well (see ``deploymentFrequencyLevel(medianDaysPerWeek:deploymentsPer30Days:)``); from the median alone,
    /// less than one day a week is Low.
    static let doraFrequency = Table(
        higherIsBetter: true,
        bands: [Band(.elite, 3.0, inclusive: true), Band(.high, 1.0, inclusive: true)],
        otherwise: .low)
    /// Lead time (hours), DORA 2023 and 2024: < 1 day, < 1 week, < 1 month, otherwise Low.
    static let doraLeadTime = Table(
        higherIsBetter: false,
        bands: [Band(.elite, day, inclusive: false), Band(.high, week, inclusive: false), Band(.medium, month, inclusive: false)],
        otherwise: .low)

    /// The table for `metric` under `levels`; nil for `custom` metrics (no DORA level).
    public static func table(metric: MetricDefinitionSpec.Metric, levels: MetricDefinitionSpec.Levels) -> Table? {
        switch (metric, levels) {
        case (.custom, _):
            return nil
        case (.deploymentReworkRate, _):
            // DORA publishes rework rate values per cluster (2024 onwards) but no performance bands: no level.
            return nil
        case (.deploymentFrequency, _):
            return doraFrequency
        case (.leadTimeForChanges, .dora2024), (.leadTimeForChanges, .dora2023):
            return doraLeadTime
        case (.leadTimeForChanges, .fourkeys), (.timeToRestore, .fourkeys), (.failedDeploymentRecoveryTime, .fourkeys):
            // Four Keys buckets: One day (< 24 h), One week (< 168 h), One month (< 730 h), Six months / One year.
            return doraLeadTime
        case (.timeToRestore, .dora2024), (.failedDeploymentRecoveryTime, .dora2024):
            // 2024: Elite < 1 hour, High < 1 day, Medium < 1 day (the report's clusters overlap), Low 1 week – 1 month.
            // The gap between 1 day and 1 week is Medium here so that every value has a level.
            return Table(
                higherIsBetter: false,
                bands: [Band(.elite, 1, inclusive: false), Band(.high, day, inclusive: false), Band(.medium, week, inclusive: false)],
                otherwise: .low)
        case (.timeToRestore, .dora2023), (.failedDeploymentRecoveryTime, .dora2023):
            // 2023: Elite < 1 hour, High < 1 day, Medium 1 day – 1 week, Low longer.
            return Table(
                higherIsBetter: false,
                bands: [Band(.elite, 1, inclusive: false), Band(.high, day, inclusive: false), Band(.medium, week, inclusive: false)],
                otherwise: .low)
        case (.changeFailureRate, .dora2024):
            // 2024 cluster values: Elite 5 %, High 20 %, Medium 10 %, Low 40 %. Medium really is below High in
            // 2024, so the bands follow the cluster values in order: ≤ 5 % Elite, ≤ 10 % Medium, ≤ 20 % High.
            return Table(
                higherIsBetter: false,
                bands: [Band(.elite, 0.05, inclusive: true), Band(.medium, 0.10, inclusive: true), Band(.high, 0.20, inclusive: true)],
                otherwise: .low)
        case (.changeFailureRate, .dora2023):
            // 2023: Elite 5 %, High 10 %, Medium 15 %, Low 64 %.
            return Table(
                higherIsBetter: false,
                bands: [Band(.elite, 0.05, inclusive: true), Band(.high, 0.10, inclusive: true), Band(.medium, 0.15, inclusive: true)],
                otherwise: .low)
        case (.changeFailureRate, .fourkeys):
            // Four Keys buckets: "0-15%", "16-45%", "46-60%" (2019 report: Elite/High/Medium 0-15 %, Low 46-60 %).
            return Table(
                higherIsBetter: false,
                bands: [Band(.elite, 0.15, inclusive: true), Band(.medium, 0.46, inclusive: false)],
                otherwise: .low)
        }
    }

    /// Deployment frequency's level (every level set), as Four Keys classifies it: the median week has at least
    /// 3 days with a deployment → Elite (daily); at least 1 → High (weekly); else at least one deployment per
    /// 30 days on average over the window → Medium (monthly); else Low.
    public static func deploymentFrequencyLevel(medianDaysPerWeek: Double, deploymentsPer30Days: Double) -> DORALevel {
        if medianDaysPerWeek >= 3 { return .elite }
        if medianDaysPerWeek >= 1 { return .high }
        return deploymentsPer30Days >= 1 ? .medium : .low
    }

    /// The level of `value` (in the units above); nil for custom metrics and non-finite or negative values.
    public static func level(
        metric: MetricDefinitionSpec.Metric, value: Double, levels: MetricDefinitionSpec.Levels = .dora2024
    ) -> DORALevel? {
        guard value.isFinite, value >= 0, let table = table(metric: metric, levels: levels) else { return nil }
        for band in table.bands {
            let good: Bool
            if table.higherIsBetter {
                good = band.inclusive ? value >= band.bound : value > band.bound
            } else {
                good = band.inclusive ? value <= band.bound : value < band.bound
            }
            if good { return band.level }
        }
        return table.otherwise
    }
}
