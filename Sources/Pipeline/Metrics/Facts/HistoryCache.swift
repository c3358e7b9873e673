import EventStore
import Synchronization

/// What an incremental batch read and judged, as its transaction left it, kept for this process's next batch, which
/// then reads only its new deployments and changes instead of every touched history again (docs/metrics.md,
/// "Incremental").
///
/// Valid only while the `calculate` cursor is where the transaction that stored it moved it, and that transaction is
/// the last that wrote the cursor row: a transaction stores it, before its commit, with the position it advances the
/// cursor to and its own id as the row records it (`xmin`, ``StageCursor/advance(to:on:)``), and the next one takes
/// it only when it finds both. A failed commit, another replica's batch, a recompute (even one that leaves the cursor
/// where it was, having rebuilt the facts behind it), a migration that removes the cursor: the state is dropped. A
/// rebuild in this process drops it too. Above ``maxRows`` deployments, changes and lead times together nothing is
/// kept.
final class HistoryCache: Sendable {
    struct State: Sendable {
        var position: CursorPosition
        /// The transaction that moved the cursor to `position` (the cursor row's `xmin`).
        var writer: Int64 = -1
        /// Deployment histories by ``MetricFactStore/History/key(_:_:)``, with their stored facts.
        var histories: [String: MetricFactStore.StoredHistory] = [:]
        /// Every change of an app, by app (complete for each app present).
        var changes: [String: LeadTimePass.AppChanges] = [:]
        /// Every stored lead time of an app, by app (complete for each app present).
        var leadTimes: [String: AppLeadTimes] = [:]

        /// Deployments, changes and lead-time positions kept: what the bound counts.
        var rows: Int {
            histories.values.reduce(0) { $0 + $1.reports.count }
                + changes.values.reduce(0) { $0 + $1.changes.count }
                + leadTimes.values.reduce(0) { $0 + $1.positions }
        }
    }

    /// A few hundred bytes per row kept (its strings and facts).
    static let maxRows = 750_000

    private let state = Mutex<State?>(nil)

    /// The state when it was stored at `position` by `writer`, else nil; either way the cache is empty afterwards.
    func take(at position: CursorPosition, writer: Int64) -> State? {
        state.withLock { state in
            defer { state = nil }
            return state?.position == position && state?.writer == writer ? state : nil
        }
    }

    func put(_ new: State) {
        guard new.rows <= Self.maxRows else { return }
        state.withLock { $0 = new }
    }

    func clear() {
        state.withLock { $0 = nil }
    }
}
