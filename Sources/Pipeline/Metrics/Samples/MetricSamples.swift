import Foundation
import PacerCore

/// Which samples of a MetricDefinition to list: those of one stored bucket, or those its headline is computed from.
public enum MetricSampleRange: Sendable, Hashable {
    /// Samples whose time is in `start..<end` (a bucket of `metric_points`).
    case bucket(start: Date, end: Date)
    /// The headline's samples: time in `(now - spec.window, now + MetricPlan.futureTolerance]`, as the calculator
    /// computed it at `now` (the headline row's `computed_at`).
    case headline(now: Date)
}

/// The position after the last listed sample: its time in microseconds since 1970 and its key (unique per metric).
public struct MetricSampleCursor: Sendable, Hashable {
    public var micros: Int64
    public var key: String

    public init(micros: Int64, key: String) {
        self.micros = micros
        self.key = key
    }
}

/// A request for the facts behind a point or a headline (docs/http-api.md, "samples").
public struct MetricSampleRequest: Sendable, Hashable {
    public var range: MetricSampleRange
    /// `''`: every sample the selector keeps (the ungrouped series); else a group key (`app=checkout`) of the definition.
    public var group: String
    /// At most this many items (the caller bounds it).
    public var limit: Int
    /// List the samples after this position (the previous page's ``MetricSamplePage/next``).
    public var after: MetricSampleCursor?

    public init(range: MetricSampleRange, group: String = "", limit: Int = 100, after: MetricSampleCursor? = nil) {
        self.range = range
        self.group = group
        self.limit = limit
        self.after = after
    }
}

/// One page of samples, ordered by time then key.
public struct MetricSamplePage: Sendable {
    /// One JSON object per sample (its `kind`: `deployment`, `change`, `recovery`, `incident` or `event`).
    public var items: [JSONValue]
    /// Samples in the whole range and group (every page together): the point's or headline's `samples`.
    public var total: Int64
    /// Where the next page starts; nil on the last page.
    public var next: MetricSampleCursor?
    /// The range as resolved: for a headline, `from` = now − window and `to` = now.
    public var from: Date
    public var to: Date
}

/// Why samples cannot be listed.
public enum MetricSampleError: Error, Sendable, CustomStringConvertible {
    /// The group key is not one of the definition's groups (a client error).
    case badGroup(String)
    /// The definition cannot be computed (its spec does not compile).
    case notComputable(String)

    public var description: String {
        switch self {
        case .badGroup(let message), .notComputable(let message): return message
        }
    }
}
