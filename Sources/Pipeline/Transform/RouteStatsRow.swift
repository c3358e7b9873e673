import Foundation

/// A `pipeline_route_stats` row.
public struct RouteStatsRow: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// Stored CloudEvents that matched the route's filters and `when`.
    public var matched: Int64
    /// The `event_timestamp` (when Pacer stored it) of the latest of them.
    public var lastMatchAt: Date?

    public init(namespace: String, name: String, matched: Int64, lastMatchAt: Date? = nil) {
        self.namespace = namespace
        self.name = name
        self.matched = matched
        self.lastMatchAt = lastMatchAt
    }
}
