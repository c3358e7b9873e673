
/// `MetricDefinition.spec`: what to calculate.
public struct MetricDefinitionSpec: Codable, Sendable, Hashable {
    /// The metric kind.
    public enum Metric: String, Codable, Sendable, Hashable, CaseIterable {
        case deploymentFrequency, leadTimeForChanges, changeFailureRate, timeToRestore, failedDeploymentRecoveryTime, deploymentReworkRate, custom
    }

    /// Time buckets of the metric's series.
    public enum Bucket: String, Codable, Sendable, Hashable, CaseIterable {
        case day, week, month, year
    }

    /// Dimensions results can be grouped by.
    public enum GroupBy: String, Codable, Sendable, Hashable, CaseIterable {
        case app, team, environment, namespace, cluster
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

    /// `spec.failure`: how deployments are judged failed (change failure rate; docs/metrics.md).
    public struct Failure: Codable, Sendable, Hashable {
        /// An incident that names no deployment fails the latest deployment of its app and environment at most
        /// this long before it opened (`<n>h|d|w`); default `24h`.
        public var attributionWindow: String?
        /// Count rollback deployments in the denominator of the change failure rate; default false.
        public var includeRollbacks: Bool?

        public init(attributionWindow: String? = nil, includeRollbacks: Bool? = nil) {
            self.attributionWindow = attributionWindow
            self.includeRollbacks = includeRollbacks
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
    /// Only for `changeFailureRate`, `failedDeploymentRecoveryTime` and `deploymentReworkRate` (which deployments failed).
    public var failure: Failure?
    /// No DORA level from fewer samples than this in the window (the level is then `InsufficientData`); default 5
    /// (``MetricDefinitionSpec/defaultMinSamples``).
    public var minSamples: Int64?

    public init(
        metric: Metric, window: String? = nil, buckets: [Bucket]? = nil, groupBy: [GroupBy]? = nil,
        selector: [String: String]? = nil, levels: Levels? = nil, custom: Custom? = nil, failure: Failure? = nil,
        minSamples: Int64? = nil
    ) {
        self.minSamples = minSamples
        self.metric = metric
        self.window = window
        self.buckets = buckets
        self.groupBy = groupBy
        self.selector = selector
        self.levels = levels
        self.custom = custom
        self.failure = failure
    }
}
