import Synchronization

/// Collects informer lag samples (nanoseconds) from the handler task and the churn driver's counters.
final class LagRecorder: Sendable {
    private let samples = Mutex<[UInt64]>([])

    func record(_ nanos: UInt64) { samples.withLock { $0.append(nanos) } }

    var count: Int { samples.withLock { $0.count } }

    func summary() -> LatencySummary { LatencySummary(samples.withLock { $0 }) }
}
