import Foundation

/// A `pipeline_transform_stats` row.
public struct TransformStatsRow: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var produced: Int64
    public var failed: Int64
    public var lastError: String?
    /// The `id` of the CloudEvent of the last failure.
    public var lastErrorEvent: String?
    public var lastErrorAt: Date?

    public init(
        namespace: String, name: String, produced: Int64, failed: Int64, lastError: String? = nil, lastErrorEvent: String? = nil,
        lastErrorAt: Date? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.produced = produced
        self.failed = failed
        self.lastError = lastError
        self.lastErrorEvent = lastErrorEvent
        self.lastErrorAt = lastErrorAt
    }
}
