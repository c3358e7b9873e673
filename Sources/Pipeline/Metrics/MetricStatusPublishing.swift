import Foundation
import OperatorAPI
import PacerRules
import Synchronization

/// Writes a MetricDefinition's status (the lead's Kubernetes adapter implements it).
public protocol MetricStatusPublishing: Sendable {
    func publish(namespace: String, name: String, status: MetricDefinitionStatus) async throws
}

/// Rate-limits status writes per definition: the first change is written at once, later changes are coalesced to
/// at most one write per `interval` (the newest status wins). A status equal to the last one written, apart from
/// `lastComputedTime`, is not written again.
final class MetricStatusThrottle: Sendable {
    struct Entry: Sendable {
        var namespace: String
        var name: String
        var status: MetricDefinitionStatus
    }

    private struct State {
        var lastWritten: [String: (status: MetricDefinitionStatus?, at: ContinuousClock.Instant)] = [:]
        var pending: [String: Entry] = [:]
    }

    let interval: Duration
    private let state = Mutex(State())

    init(interval: Duration) {
        self.interval = interval
    }

    private static func comparable(_ status: MetricDefinitionStatus) -> MetricDefinitionStatus {
        var copy = status
        copy.lastComputedTime = nil
        return copy
    }

    /// Records a new status; returns it when it is to be written now.
    func submit(_ entry: Entry, now: ContinuousClock.Instant) -> Entry? {
        let key = "\(entry.namespace)/\(entry.name)"
        return state.withLock { state -> Entry? in
            if let last = state.lastWritten[key]?.status, Self.comparable(last) == Self.comparable(entry.status) {
                state.pending[key] = nil
                return nil
            }
            if let last = state.lastWritten[key], now < last.at + interval {
                state.pending[key] = entry
                return nil
            }
            state.pending[key] = nil
            state.lastWritten[key] = (entry.status, now)
            return entry
        }
    }

    /// The coalesced statuses whose interval has passed; they count as written now.
    func due(now: ContinuousClock.Instant) -> [Entry] {
        state.withLock { state -> [Entry] in
            var out: [Entry] = []
            for (key, entry) in state.pending.sorted(by: { $0.key < $1.key }) {
                if let last = state.lastWritten[key], now < last.at + interval { continue }
                state.pending[key] = nil
                state.lastWritten[key] = (entry.status, now)
                out.append(entry)
            }
            return out
        }
    }

    /// A write failed: keep the status pending so it is tried again after the interval.
    func failed(_ entry: Entry) {
        let key = "\(entry.namespace)/\(entry.name)"
        state.withLock { state in
            state.lastWritten[key]?.status = nil
            if state.pending[key] == nil { state.pending[key] = entry }
        }
    }

    var hasPending: Bool { state.withLock { !$0.pending.isEmpty } }
}
