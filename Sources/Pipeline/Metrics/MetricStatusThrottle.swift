import OperatorAPI

/// Rate-limits status writes per definition: the first change is written at once, later changes are coalesced to
/// at most one write per `interval` (the newest status wins). A status equal to the last one written, apart from
/// `lastComputedTime`, is not written again. A value: its owner keeps it under its lock.
struct MetricStatusThrottle: Sendable {
    struct Entry: Sendable {
        var namespace: String
        var name: String
        var status: MetricDefinitionStatus
    }

    let interval: Duration
    private var lastWritten: [String: (status: MetricDefinitionStatus?, at: ContinuousClock.Instant)] = [:]
    private var pending: [String: Entry] = [:]

    init(interval: Duration) {
        self.interval = interval
    }

    private static func comparable(_ status: MetricDefinitionStatus) -> MetricDefinitionStatus {
        var copy = status
        copy.lastComputedTime = nil
        return copy
    }

    /// Records a new status; returns it when it is to be written now.
    mutating func submit(_ entry: Entry, now: ContinuousClock.Instant) -> Entry? {
        let key = "\(entry.namespace)/\(entry.name)"
        if let last = lastWritten[key]?.status, Self.comparable(last) == Self.comparable(entry.status) {
            pending[key] = nil
            return nil
        }
        if let last = lastWritten[key], now < last.at + interval {
            pending[key] = entry
            return nil
        }
        pending[key] = nil
        lastWritten[key] = (entry.status, now)
        return entry
    }

    /// The coalesced statuses whose interval has passed; they count as written now.
    mutating func due(now: ContinuousClock.Instant) -> [Entry] {
        var out: [Entry] = []
        for (key, entry) in pending.sorted(by: { $0.key < $1.key }) {
            if let last = lastWritten[key], now < last.at + interval { continue }
            pending[key] = nil
            lastWritten[key] = (entry.status, now)
            out.append(entry)
        }
        return out
    }

    /// A write failed: keep the status pending so it is tried again after the interval.
    mutating func failed(_ entry: Entry) {
        let key = "\(entry.namespace)/\(entry.name)"
        lastWritten[key]?.status = nil
        if pending[key] == nil { pending[key] = entry }
    }
}
