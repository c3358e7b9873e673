import KubeCore
import PacerRules

extension MetricDefinitionSpec: CustomResourceSpec {
    public static var resource: ResourceDescriptor { .metricDefinitions }
}

/// `MetricDefinition.status`.
public struct MetricDefinitionStatus: Codable, Sendable, Hashable {
    /// One group's result (when `groupBy` is set).
    public struct Group: Codable, Sendable, Hashable {
        public var labels: [String: String]
        public var value: String?
        public var numericValue: Double?
        public var level: String?
        /// The group's samples in the window.
        public var samples: Int64?
        public init(labels: [String: String], value: String? = nil, numericValue: Double? = nil, level: String? = nil, samples: Int64? = nil) {
            self.labels = labels
            self.value = value
            self.numericValue = numericValue
            self.level = level
            self.samples = samples
        }
    }

    /// At most this many groups are written to the status.
    public static let maxGroups = 100

    /// The headline value, human formatted (e.g. `"1.4"`).
    public var value: String?
    public var numericValue: Double?
    public var unit: String?
    /// `Elite`, `High`, `Medium` or `Low` (see ``DORALevel``), or `InsufficientData` with fewer than `spec.minSamples`
    /// samples in the window.
    public var level: String?
    /// What the headline counts in the window: deployments (deployment frequency, change failure rate, rework rate),
    /// changes (lead time), recovered failed deployments, or resolved incidents (docs/metrics.md).
    public var samples: Int64?
    public var window: String?
    public var groups: [Group]?
    public var lastComputedTime: KubeTime?
    public var conditions: [Condition]?
    public var observedGeneration: Int64?

    public init(
        value: String? = nil, numericValue: Double? = nil, unit: String? = nil, level: String? = nil, samples: Int64? = nil,
        window: String? = nil, groups: [Group]? = nil, lastComputedTime: KubeTime? = nil,
        conditions: [Condition]? = nil, observedGeneration: Int64? = nil
    ) {
        self.value = value
        self.numericValue = numericValue
        self.unit = unit
        self.level = level
        self.samples = samples
        self.window = window
        self.groups = groups
        self.lastComputedTime = lastComputedTime
        self.conditions = conditions
        self.observedGeneration = observedGeneration
    }
}
