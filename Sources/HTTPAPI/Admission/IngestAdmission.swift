import HTTPTypes
import Metrics
import Synchronization

/// Decides whether an ingest request is admitted: a bound on request bytes in flight over all senders, and a token
/// bucket of events per sender. A refusal is a 429 with `Retry-After`; nothing of a refused request is stored, so
/// the sender can post it again unchanged (event ids make a repeat harmless anyway).
public final class IngestAdmission: Sendable {
    public let limits: IngestLimits
    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }
    private struct State {
        var inFlightBytes = 0
        var buckets: [String: Bucket] = [:]
    }
    private let state = Mutex(State())
    private let refused: Counter
    private let clock = ContinuousClock()

    public init(limits: IngestLimits) {
        precondition(limits.burst > 0 && limits.maxInFlightBytes > 0 && limits.maxSenders > 0)
        self.limits = limits
        self.refused = Counter(label: "pacer_ingest_refused_total", dimensions: [("reason", "limit")])
    }

    /// Bytes held by requests being processed now (for tests and diagnostics).
    public var inFlightBytes: Int { state.withLock { $0.inFlightBytes } }

    /// Reserves `bytes` of the in-flight bound for one request, or throws 429 when the bound would be passed.
    /// A request larger than the whole bound is admitted when nothing else is in flight, so it is never starved.
    public func reserve(bytes: Int) throws -> Reservation {
        let admitted = state.withLock { state -> Bool in
            guard state.inFlightBytes == 0 || state.inFlightBytes + bytes <= limits.maxInFlightBytes else { return false }
            state.inFlightBytes += bytes
            return true
        }
        guard admitted else {
            refused.increment()
            throw APIError(
                .tooManyRequests,
                "ingest is at its bound of \(limits.maxInFlightBytes) bytes of requests in flight; retry after 1 second",
                headers: [.retryAfter: "1"])
        }
        return Reservation(admission: self, bytes: bytes)
    }

    fileprivate func release(bytes: Int) {
        state.withLock { $0.inFlightBytes -= bytes }
    }

    /// Takes each sender's events from its bucket, all or nothing, or throws 429 with the seconds until the
    /// slowest sender's tokens are there (nothing is taken then).
    public func charge(_ eventsBySender: [String: Int]) throws {
        guard let rate = limits.eventsPerSecond, !eventsBySender.isEmpty else { return }
        let now = clock.now
        let burst = Double(limits.burst)
        let wait: Double? = state.withLock { state in
            var refilled: [(String, Bucket, Int)] = []
            var longestWait: Double?
            for (sender, events) in eventsBySender where events > 0 {
                var bucket = state.buckets[sender] ?? Bucket(tokens: burst, updated: now)
                let elapsed = now - bucket.updated
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
                bucket.tokens = min(burst, bucket.tokens + seconds * rate)
                bucket.updated = now
                // More events than the bucket holds: admitted from a full bucket, which then owes the difference.
                let needed = min(Double(events), burst)
                if bucket.tokens < needed { longestWait = max(longestWait ?? 0, (needed - bucket.tokens) / rate) }
                refilled.append((sender, bucket, events))
            }
            for (sender, var bucket, events) in refilled {
                if longestWait == nil { bucket.tokens -= Double(events) }
                if state.buckets[sender] == nil, state.buckets.count >= limits.maxSenders { Self.forgetIdlest(&state.buckets) }
                state.buckets[sender] = bucket
            }
            return longestWait
        }
        if let wait {
            refused.increment()
            let retryAfter = max(1, Int(wait.rounded(.up)))
            throw APIError(
                .tooManyRequests,
                "the sender is over its limit of \(Self.format(rate)) events per second (burst \(limits.burst)); nothing was stored; retry after \(retryAfter) second\(retryAfter == 1 ? "" : "s")",
                headers: [.retryAfter: String(retryAfter)])
        }
    }

    private static func forgetIdlest(_ buckets: inout [String: Bucket]) {
        guard let idlest = buckets.min(by: { $0.value.updated < $1.value.updated })?.key else { return }
        buckets[idlest] = nil
    }

    private static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }

    /// Bytes of the in-flight bound held by one request; `release()` gives them back (once).
    public final class Reservation: Sendable {
        private let admission: IngestAdmission
        private let bytes: Int
        private let released = Atomic(false)

        fileprivate init(admission: IngestAdmission, bytes: Int) {
            self.admission = admission
            self.bytes = bytes
        }

        public func release() {
            if !released.exchange(true, ordering: .relaxed) { admission.release(bytes: bytes) }
        }

        deinit { release() }
    }
}
