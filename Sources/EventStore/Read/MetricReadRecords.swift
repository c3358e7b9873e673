import Foundation

/// One row of `metric_headlines`: a MetricDefinition's value over its window, for all groups together
/// (`groupKey` empty) or one group.
public struct MetricHeadlineRecord: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// `''` for the ungrouped headline, else `key=value` pairs joined by `,` in groupBy order.
    public var groupKey: String
    public var labels: [String: String]
    /// `spec.metric`'s raw value (`deploymentFrequency`, …, `custom`).
    public var metric: String
    public var value: Double?
    public var level: String?
    public var unit: String
    public var window: String
    public var samples: Int64
    public var computedAt: Date

    public init(
        namespace: String, name: String, groupKey: String, labels: [String: String], metric: String, value: Double?,
        level: String?, unit: String, window: String, samples: Int64, computedAt: Date
    ) {
        self.namespace = namespace
        self.name = name
        self.groupKey = groupKey
        self.labels = labels
        self.metric = metric
        self.value = value
        self.level = level
        self.unit = unit
        self.window = window
        self.samples = samples
        self.computedAt = computedAt
    }
}

/// One row of `metric_points`: a bucket of a MetricDefinition's series for one group.
public struct MetricPointRecord: Sendable, Hashable {
    public var groupKey: String
    public var labels: [String: String]
    public var bucketStart: Date
    /// Nil when the bucket has no data (e.g. a median of nothing).
    public var value: Double?
    public var samples: Int64

    public init(groupKey: String, labels: [String: String], bucketStart: Date, value: Double?, samples: Int64) {
        self.groupKey = groupKey
        self.labels = labels
        self.bucketStart = bucketStart
        self.value = value
        self.samples = samples
    }
}

/// One row of the seed tutorial's deployment-frequency query: distinct deployments of a name in a bucket.
public struct DeployFrequencyRecord: Sendable, Hashable {
    public var deployName: String
    public var deployments: Int64
    public var bucketStart: Date

    public init(deployName: String, deployments: Int64, bucketStart: Date) {
        self.deployName = deployName
        self.deployments = deployments
        self.bucketStart = bucketStart
    }
}

/// One row of `pipeline_errors`: a CloudEvent that a route or transform failed to evaluate.
public struct PipelineErrorRecord: Sendable, Hashable {
    public var id: Int64
    public var occurredAt: Date
    public var stage: String
    public var eventId: Int64?
    public var ceSource: String?
    public var ceId: String?
    /// `namespace/name` of the transform or route.
    public var component: String
    public var message: String

    public init(
        id: Int64, occurredAt: Date, stage: String, eventId: Int64?, ceSource: String?, ceId: String?, component: String,
        message: String
    ) {
        self.id = id
        self.occurredAt = occurredAt
        self.stage = stage
        self.eventId = eventId
        self.ceSource = ceSource
        self.ceId = ceId
        self.component = component
        self.message = message
    }
}
