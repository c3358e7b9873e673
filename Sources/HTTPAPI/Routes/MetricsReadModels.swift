import Foundation
import PacerRules

/// A time bucket of a metric series (UTC): a day, an ISO week from Monday, a month, a year; the same buckets a
/// MetricDefinition's `spec.buckets` names.
public typealias MetricBucket = MetricDefinitionSpec.Bucket

extension MetricBucket {

    /// The start of the bucket holding `date` (UTC).
    public func start(of date: Date) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let day = calendar.startOfDay(for: date)
        switch self {
        case .day:
            return day
        case .week:
            let weekday = calendar.component(.weekday, from: day)  // 1 = Sunday
            return calendar.date(byAdding: .day, value: -((weekday + 5) % 7), to: day) ?? day
        case .month:
            return calendar.date(from: calendar.dateComponents([.year, .month], from: day)) ?? day
        case .year:
            return calendar.date(from: calendar.dateComponents([.year], from: day)) ?? day
        }
    }

    /// `date` moved by `count` buckets (negative: back), in UTC calendar units.
    public func advance(_ date: Date, by count: Int) -> Date {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let (component, step): (Calendar.Component, Int) =
            switch self {
            case .day: (.day, 1)
            case .week: (.day, 7)
            case .month: (.month, 1)
            case .year: (.year, 1)
            }
        return calendar.date(byAdding: component, value: count * step, to: date) ?? date
    }

    /// How many buckets the series endpoint returns when `from` is not given.
    public var defaultSpan: Int {
        switch self {
        case .day: 90
        case .week: 26
        case .month: 24
        case .year: 10
        }
    }
}

/// A MetricDefinition as the read API shows it: what it measures and its headline rows.
public struct MetricDefinitionHeadlines: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// `spec.metric`'s raw value (`deploymentFrequency`, `leadTimeForChanges`, `changeFailureRate`, `timeToRestore`, `custom`).
    public var metric: String
    public var unit: String
    public var window: String
    /// `spec.selector`: dimensions every event of the definition has (used to answer label filters it implies).
    public var selector: [String: String]
    /// The ungrouped headline first (labels `{}`), then one per group.
    public var headlines: [MetricHeadlineValue]
    /// Whether the spec compiled (nil when the configuration no longer has the definition).
    public var ready: Bool?
    /// Why it is not ready (the spec errors).
    public var message: String?

    public init(
        namespace: String, name: String, metric: String, unit: String, window: String, selector: [String: String] = [:],
        headlines: [MetricHeadlineValue], ready: Bool? = nil, message: String? = nil
    ) {
        self.ready = ready
        self.message = message
        self.namespace = namespace
        self.name = name
        self.metric = metric
        self.unit = unit
        self.window = window
        self.selector = selector
        self.headlines = headlines
    }

    /// The row of all groups together, when computed.
    public var overall: MetricHeadlineValue? { headlines.first { $0.labels.isEmpty } }
    /// The rows of single groups.
    public var groups: [MetricHeadlineValue] { headlines.filter { !$0.labels.isEmpty } }
}

/// One headline value (over the definition's window) for all groups (`labels` empty) or one group.
public struct MetricHeadlineValue: Sendable, Hashable {
    public var labels: [String: String]
    public var value: Double?
    public var level: String?
    public var samples: Int64
    public var computedAt: Date

    public init(labels: [String: String], value: Double?, level: String?, samples: Int64, computedAt: Date) {
        self.labels = labels
        self.value = value
        self.level = level
        self.samples = samples
        self.computedAt = computedAt
    }
}

/// Which series of a definition to read: all, only the ungrouped one, or only the groups.
public enum MetricSeriesScope: String, Sendable, Hashable, CaseIterable {
    case all, overall, groups
}

/// Which points of a series to read: buckets starting in `from...to` whose labels contain `labels`.
public struct MetricSeriesQuery: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var bucket: MetricBucket
    public var from: Date
    public var to: Date
    /// Every pair must be in a group's labels; empty: every group and the ungrouped series.
    public var labels: [String: String]
    public var scope: MetricSeriesScope

    public init(
        namespace: String, name: String, bucket: MetricBucket, from: Date, to: Date, labels: [String: String] = [:],
        scope: MetricSeriesScope = .all
    ) {
        self.scope = scope
        self.namespace = namespace
        self.name = name
        self.bucket = bucket
        self.from = from
        self.to = to
        self.labels = labels
    }
}

/// One stored bucket of a series.
public struct MetricSeriesPoint: Sendable, Hashable {
    public var labels: [String: String]
    public var start: Date
    /// Nil: no data in the bucket (e.g. a median of nothing).
    public var value: Double?
    public var samples: Int64

    public init(labels: [String: String], start: Date, value: Double?, samples: Int64) {
        self.labels = labels
        self.start = start
        self.value = value
        self.samples = samples
    }
}

/// One entry of the seed tutorial's `/deploy-frequency/{bucket}` answer.
public struct DeployFrequencyEntry: Sendable, Hashable {
    public var deployName: String
    public var deployments: Int64
    public var time: Date

    public init(deployName: String, deployments: Int64, time: Date) {
        self.deployName = deployName
        self.deployments = deployments
        self.time = time
    }
}

/// One pipeline error (a route or transform that failed on an event).
public struct PipelineErrorEntry: Sendable, Hashable {
    public var id: Int64
    public var occurredAt: Date
    public var stage: String
    public var component: String
    public var message: String
    public var eventId: Int64?
    public var ceSource: String?
    public var ceId: String?

    public init(
        id: Int64, occurredAt: Date, stage: String, component: String, message: String, eventId: Int64? = nil, ceSource: String? = nil,
        ceId: String? = nil
    ) {
        self.id = id
        self.occurredAt = occurredAt
        self.stage = stage
        self.component = component
        self.message = message
        self.eventId = eventId
        self.ceSource = ceSource
        self.ceId = ceId
    }
}
