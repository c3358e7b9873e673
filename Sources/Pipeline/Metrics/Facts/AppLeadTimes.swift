/// One app's `lead_times` rows as the calculator last wrote them, kept by ``HistoryCache`` so the next batch writes
/// only the rows that differ.
///
/// Held by environment and cluster, each a list indexed by the change's position in the app's
/// ``LeadTimePass/AppChanges``: a change keeps its position when it is folded again and new changes are appended, so
/// one batch's rows compare with the previous batch's position by position. A dictionary keyed by (sha, environment,
/// cluster) cost a hash of four strings per row twice per batch: at 60,000 lead times in the pipeline benchmark that
/// was half of the in-memory judging.
struct AppLeadTimes: Sendable {
    struct Slot: Hashable, Sendable {
        var environment: String
        var cluster: String
    }

    private(set) var slots: [Slot: [MetricFactStore.LeadTimeRow?]] = [:]

    init() {}

    /// Positions held (rows and empty positions): what ``HistoryCache`` bounds.
    var positions: Int { slots.values.reduce(0) { $0 + $1.count } }

    /// The stored rows of the app (environment and row), placed by `changes`; the rows whose sha is not one of the
    /// app's changes any more are returned apart (they are to be deleted).
    static func stored(
        _ rows: [(environment: String, row: MetricFactStore.LeadTimeRow)], changes: LeadTimePass.AppChanges
    ) -> (AppLeadTimes, orphans: [(environment: String, row: MetricFactStore.LeadTimeRow)]) {
        var held = AppLeadTimes()
        var orphans: [(environment: String, row: MetricFactStore.LeadTimeRow)] = []
        for (environment, row) in rows {
            guard let position = changes.bySha[row.sha] else {
                orphans.append((environment, row))
                continue
            }
            held.set(row, at: position, environment: environment, count: changes.changes.count)
        }
        return (held, orphans)
    }

    /// Puts `row` (the change at `position` of `count` changes) in its environment and cluster.
    mutating func set(_ row: MetricFactStore.LeadTimeRow, at position: Int, environment: String, count: Int) {
        let slot = Slot(environment: environment, cluster: row.cluster)
        var list = Self.padded(slots.removeValue(forKey: slot) ?? [], to: count)
        list[position] = row
        slots[slot] = list
    }

    /// One environment's rows as ``MetricFactStore/leadTimes(reports:facts:changes:dimensions:_:)`` gives them (change
    /// position and row), grouped by cluster as it gives them; `count`: the app's changes.
    mutating func record(environment: String, count: Int, _ rows: ((Int, MetricFactStore.LeadTimeRow) -> Void) -> Void) {
        var current: (cluster: String, list: [MetricFactStore.LeadTimeRow?])?
        func flush() {
            if let current { slots[Slot(environment: environment, cluster: current.cluster)] = current.list }
        }
        rows { position, row in
            if current?.cluster != row.cluster {
                flush()
                current = (row.cluster, Self.padded(slots.removeValue(forKey: Slot(environment: environment, cluster: row.cluster)) ?? [], to: count))
            }
            current!.list[position] = row
        }
        flush()
    }

    /// `list` with empty positions appended up to `count` (a list is as long as the app's changes when a row was set).
    private static func padded(_ list: [MetricFactStore.LeadTimeRow?], to count: Int) -> [MetricFactStore.LeadTimeRow?] {
        list.count >= count ? list : list + repeatElement(nil, count: count - list.count)
    }

    /// Compares `now` with `before`: `changed` gets every row of `now` that `before` lacks or holds otherwise, `gone`
    /// every row of `before` whose position `now` leaves empty.
    static func compare(
        _ now: AppLeadTimes, with before: AppLeadTimes, changed: (String, MetricFactStore.LeadTimeRow) -> Void,
        gone: (String, MetricFactStore.LeadTimeRow) -> Void
    ) {
        for (slot, list) in now.slots {
            let old = before.slots[slot] ?? []
            for position in list.indices {
                let earlier = position < old.count ? old[position] : nil
                if let row = list[position] {
                    if earlier != row { changed(slot.environment, row) }
                } else if let earlier {
                    gone(slot.environment, earlier)
                }
            }
            for position in list.count..<max(list.count, old.count) {
                if let earlier = old[position] { gone(slot.environment, earlier) }
            }
        }
        for (slot, old) in before.slots where now.slots[slot] == nil {
            for case let earlier? in old { gone(slot.environment, earlier) }
        }
    }
}
