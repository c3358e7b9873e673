/// Lead times of one app and environment's deployments, computed in memory by a rebuild and by an incremental batch
/// (for the apps it touched): the rule of docs/metrics.md, "Lead time for changes". A change is carried, per
/// environment and cluster, by the first deployment (in (time, CDEvent source, id) order; not a failed rollout, not a duplicate report)
/// whose deployed commit is a known change of the app merged at or after it, of the same repository when both are
/// known.
///
/// Without pairing every change with every later deployment: a deployment `d` of the change `c'` can carry the
/// changes merged at or before `k(d) = min(d.time, c'.time)`; only *records* (a `k` above every earlier deployment's, per repository view) can be
/// first, their `k` grow with time, so a change merged at `x` is carried by the record with the smallest `k ≥ x`.
enum LeadTimePass {
    /// One change of an app (`changes` grouped per sha: its earliest merge and first known repository).
    struct Change: Sendable {
        var sha: String
        var time: Int64
        var repository: String?
    }

    /// An app's changes, looked up by sha, and the repositories they name (the repository views).
    struct AppChanges: Sendable {
        var changes: [Change] = []
        var bySha: [String: Int] = [:]
        var repositories: [String] = []

        /// Puts `change` in place of the one with its sha (as folded again), or appends it.
        mutating func replace(_ change: Change) {
            guard let index = bySha[change.sha] else { return append(change) }
            changes[index] = change
            if let repository = change.repository, !repositories.contains(repository) { repositories.append(repository) }
        }

        mutating func append(_ change: Change) {
            bySha[change.sha] = changes.count
            appendIndexed(change)
        }

        /// Appends `change`, whose sha `bySha` already gives its position (the next one).
        mutating func appendIndexed(_ change: Change) {
            if let repository = change.repository, !repositories.contains(repository) { repositories.append(repository) }
            changes.append(change)
        }
    }

    /// A deployment report, in (time, source, id) order; `carries`: not a failed rollout and not a duplicate report.
    struct Deployment: Sendable {
        var time: Int64
        var cluster: String
        var commit: String?
        var carries: Bool
    }

    /// A change carried by the deployment at `deployment` (an index into the reports).
    struct Carried: Sendable, Equatable {
        var change: Int
        var deployment: Int
    }

    static func carry(_ app: AppChanges, _ deployments: [Deployment]) -> [Carried] {
        guard !app.changes.isEmpty else { return [] }
        // The changes of each view: a change of repository R is in view R, one of no known repository in view nil.
        var changesOf: [String?: [Int]] = [:]
        for (index, change) in app.changes.enumerated() { changesOf[change.repository, default: []].append(index) }
        var clusters: [String] = []
        var seen: Set<String> = []
        for deployment in deployments where seen.insert(deployment.cluster).inserted { clusters.append(deployment.cluster) }
        var carried: [Carried] = []
        for cluster in clusters {
            // The deployments that can carry: (k, report index, repository of the deployed change).
            var candidates: [(k: Int64, index: Int, repository: String?)] = []
            for (index, deployment) in deployments.enumerated() where deployment.cluster == cluster && deployment.carries {
                guard let commit = deployment.commit, let changeIndex = app.bySha[commit] else { continue }
                let change = app.changes[changeIndex]
                candidates.append((min(deployment.time, change.time), index, change.repository))
            }
            guard !candidates.isEmpty else { continue }
            for view in [nil] + app.repositories.map(Optional.some) {
                guard let members = changesOf[view], !members.isEmpty else { continue }
                // View R sees the deployments of R's changes and of changes of no known repository; view nil sees all.
                var records: [(k: Int64, index: Int)] = []
                for candidate in candidates where view == nil || candidate.repository == nil || candidate.repository == view {
                    if records.isEmpty || candidate.k > records[records.count - 1].k { records.append((candidate.k, candidate.index)) }
                }
                for member in members {
                    // The record with the smallest k ≥ the change's time (ks increase).
                    let time = app.changes[member].time
                    var low = 0
                    var high = records.count
                    while low < high {
                        let middle = (low + high) / 2
                        if records[middle].k >= time { high = middle } else { low = middle + 1 }
                    }
                    if low < records.count { carried.append(Carried(change: member, deployment: records[low].index)) }
                }
            }
        }
        return carried
    }

    /// Hours between two times in microseconds: seconds as float8, then divided by 3600 (what
    /// `extract(epoch FROM b - a)::float8 / 3600` gives, so rows written by the SQL of earlier versions compare equal).
    static func hours(from start: Int64, to end: Int64) -> Double {
        Double(end - start) / 1_000_000 / 3600
    }
}
