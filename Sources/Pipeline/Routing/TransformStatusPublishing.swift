import Foundation

/// The counters of one CDEventTransform that its `status` shows (`produced`, `failed`, `lastError`).
public struct TransformStatusUpdate: Sendable, Hashable {
    /// CDEvents produced since the transform was created.
    public var produced: Int64
    /// CloudEvents the transform failed on.
    public var failed: Int64
    /// The most recent failure's message, nil if it never failed.
    public var lastError: String?
    /// The `id` of the CloudEvent of the most recent failure.
    public var lastErrorEventId: String?
    public var lastErrorAt: Date?

    public init(produced: Int64, failed: Int64, lastError: String? = nil, lastErrorEventId: String? = nil, lastErrorAt: Date? = nil) {
        self.produced = produced
        self.failed = failed
        self.lastError = lastError
        self.lastErrorEventId = lastErrorEventId
        self.lastErrorAt = lastErrorAt
    }
}

/// Where the pipeline reports transform counters (the app writes them to `CDEventTransform.status` with a status
/// patch). Called from one task, at most once per `statusInterval` per transform, only when the counters changed.
/// A throw is logged and the same update is offered again on the next round.
public protocol TransformStatusPublishing: Sendable {
    func publish(namespace: String, name: String, status: TransformStatusUpdate) async throws
}
