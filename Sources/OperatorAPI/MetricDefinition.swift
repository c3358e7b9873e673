import KubeCore

/// `MetricDefinition.spec`: what to calculate.
public struct MetricDefinitionSpec: CustomResourceSpec {
    public static var resource: ResourceDescriptor { .metricDefinitions }

    /// The metric kind.
    public enum Metric: String, Codable, Sendable, Hashable, CaseIterable {
        case deploymentFrequency, leadTimeForChanges, changeFailureRate, timeToRestore, custom
    }

    /// Time buckets of the metric's series.
    public enum Bucket: String, Codable, Sendable, Hashable, CaseIterable {
        case day, week, month, year
    }

    /// Dimensions results can be grouped by.
    public enum GroupBy: String, Codable, Sendable, Hashable, CaseIterable {
        case app, team, environment, namespace
    }

    /// Which performance-level table classifies the value (see ``DORALevels``).
    public enum Levels: String, Codable, Sendable, Hashable, CaseIterable {
        case dora2024 = "dora-2024"
        case dora2023 = "dora-2023"
        case fourkeys
    }

    /// How a custom metric aggregates the matching CDEvents.
    public enum Aggregation: String, Codable, Sendable, Hashable, CaseIterable {
        case count, countDistinct, sum, avg, median, p90
    }

    /// `spec.custom`: a metric over arbitrary CDEvents.
    public struct Custom: Codable, Sendable, Hashable {
        /// CDEvent types counted (any version of the same subject and predicate matches).
        public var types: [String]
        /// Bool expression over the CDEvent (`context`, `subject`, `customData`).
        public var `where`: String?
        public var aggregation: Aggregation
        /// Expression over the CDEvent giving the aggregated value; required unless `aggregation` is `count`.
        public var field: String?
        /// Unit shown in the status (`deployments`, `hours`, …).
        public var unit: String?

        public init(types: [String], where: String? = nil, aggregation: Aggregation, field: String? = nil, unit: String? = nil) {
            self.types = types
            self.where = `where`
            self.aggregation = aggregation
            self.field = field
            self.unit = unit
        }
    }

    public var metric: Metric
    /// Window of the headline value: `<n>d`, `<n>h` or `<n>w`; default `30d`.
    public var window: String?
    /// Default: all buckets.
    public var buckets: [Bucket]?
    public var groupBy: [GroupBy]?
    /// Only events whose dimensions have these values count (e.g. `environment: production`).
    public var selector: [String: String]?
    /// Default `dora-2024`.
    public var levels: Levels?
    /// Required when `metric` is `custom`, refused otherwise.
    public var custom: Custom?

    public init(
        metric: Metric, window: String? = nil, buckets: [Bucket]? = nil, groupBy: [GroupBy]? = nil,
        selector: [String: String]? = nil, levels: Levels? = nil, custom: Custom? = nil
    ) {
        self.metric = metric
        self.window = window
        self.buckets = buckets
        self.groupBy = groupBy
        self.selector = selector
        self.levels = levels
        self.custom = custom
    }
}

/// `MetricDefinition.status`.
public struct MetricDefinitionStatus: Codable, Sendable, Hashable {
    /// One group's result (when `groupBy` is set).
    public struct Group: Codable, Sendable, Hashable {
        public var labels: [String: String]
        public var value: String?
        public var numericValue: Double?
        public var level: String?
        public init(labels: [String: String], value: String? = nil, numericValue: Double? = nil, level: String? = nil) {
            self.labels = labels
            self.value = value
            self.numericValue = numericValue
            self.level = level
        }
    }

    /// At most this many groups are written to the status.
    public static let maxGroups = 100

    /// The headline value, human formatted (e.g. `"1.4"`).
    public var value: String?
    public var numericValue: Double?
    public var unit: String?
    /// `Elite`, `High`, `Medium` or `Low` (see ``DORALevel``).
    public var level: String?
    public var window: String?
    public var groups: [Group]?
    public var lastComputedTime: KubeTime?
    public var conditions: [Condition]?
    public var observedGeneration: Int64?

    public init(
        value: String? = nil, numericValue: Double? = nil, unit: String? = nil, level: String? = nil,
        window: String? = nil, groups: [Group]? = nil, lastComputedTime: KubeTime? = nil,
        conditions: [Condition]? = nil, observedGeneration: Int64? = nil
    ) {
        self.value = value
        self.numericValue = numericValue
        self.unit = unit
        self.level = level
        self.window = window
        self.groups = groups
        self.lastComputedTime = lastComputedTime
        self.conditions = conditions
        self.observedGeneration = observedGeneration
    }
}

extension MetricDefinitionStatus {
    /// Formats a value for `status.value`: one decimal from 1 up (`1.4`, `23.5`), none from 100 (`312`), two
    /// significant digits below 1 (`0.05`, `0.12`), trailing zeros removed (`2`, not `2.0`); `NaN`/infinite as `-`.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        let decimals: Int
        if magnitude >= 100 || magnitude == 0 {
            decimals = 0
        } else if magnitude >= 1 {
            decimals = 1
        } else {
            // two significant digits: 0.5 → 2 decimals, 0.05 → 3, capped at 6
            var digits = 1
            var scaled = magnitude * 10
            while scaled < 1 && digits < 6 {
                scaled *= 10
                digits += 1
            }
            decimals = digits + 1
        }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        if decimals == 0 { return String(Int64(rounded)) }
        var text = String(rounded)
        if text.contains("e") { return text }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
