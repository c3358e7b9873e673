import Foundation

/// Rate-limits status writes per definition: the first change is written at once, later changes are coalesced to
/// at most one write per `interval` (the newest result wins). A result that a status shows the same as the last one
/// written (only `computedAt` differs) is not written again; the status shows the sample counts (`status.samples`). A value: its owner keeps it under its lock.
struct MetricStatusThrottle: Sendable {
    let interval: Duration
    private var lastWritten: [String: (result: MetricResult?, at: ContinuousClock.Instant)] = [:]
    private var pending: [String: MetricResult] = [:]

    init(interval: Duration) {
        self.interval = interval
    }

    /// The parts of a result a status shows.
    private static func comparable(_ result: MetricResult) -> MetricResult {
        var copy = result
        copy.computedAt = .distantPast
        return copy
    }

    /// Records a new result; returns it when it is to be written now.
    mutating func submit(_ result: MetricResult, now: ContinuousClock.Instant) -> MetricResult? {
        let key = result.key
        if let last = lastWritten[key]?.result, Self.comparable(last) == Self.comparable(result) {
            pending[key] = nil
            return nil
        }
        if let last = lastWritten[key], now < last.at + interval {
            pending[key] = result
            return nil
        }
        pending[key] = nil
        lastWritten[key] = (result, now)
        return result
    }

    /// The coalesced results whose interval has passed; they count as written now.
    mutating func due(now: ContinuousClock.Instant) -> [MetricResult] {
        var out: [MetricResult] = []
        for (key, result) in pending.sorted(by: { $0.key < $1.key }) {
            if let last = lastWritten[key], now < last.at + interval { continue }
            pending[key] = nil
            lastWritten[key] = (result, now)
            out.append(result)
        }
        return out
    }

    /// A write failed: keep the result pending so it is tried again after the interval.
    mutating func failed(_ result: MetricResult) {
        let key = result.key
        lastWritten[key]?.result = nil
        if pending[key] == nil { pending[key] = result }
    }
}
