/// Limits on what ingest admits, so that one sender cannot take the service from the others (docs/ingest.md,
/// "Limits and backpressure").
public struct IngestLimits: Sendable, Equatable {
    /// Events per second each sender may post, on average (a token bucket per sender); nil: no per-sender limit.
    public var eventsPerSecond: Double?
    /// Events a sender may post at once above its average (the bucket's size). A request with more events than this
    /// is admitted only when the sender's bucket is full, and leaves it in debt.
    public var burst: Int
    /// Request bodies being read, decoded or committed at once, in bytes, over all senders. A request that would
    /// pass it is answered 429 before its body is read: memory stays bounded however many senders push.
    public var maxInFlightBytes: Int
    /// Senders whose buckets are remembered; beyond it, the longest-idle sender is forgotten (its bucket starts full again).
    public var maxSenders: Int

    public init(eventsPerSecond: Double? = 10_000, burst: Int = 20_000, maxInFlightBytes: Int = 64 << 20, maxSenders: Int = 10_000) {
        self.eventsPerSecond = eventsPerSecond
        self.burst = burst
        self.maxInFlightBytes = maxInFlightBytes
        self.maxSenders = maxSenders
    }

    /// No per-sender limit; only the in-flight bound.
    public static var unlimitedRate: IngestLimits { IngestLimits(eventsPerSecond: nil) }
}
