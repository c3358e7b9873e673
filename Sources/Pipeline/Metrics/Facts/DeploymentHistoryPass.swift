/// The failure facts of one app and environment's deployment history, computed in one ordered pass in memory, by a
/// rebuild over every history (``MetricFactStore/loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)``) and by an incremental batch over the
/// histories it touched (``MetricFactStore/rejudgeTouched(cache:position:on:)``): one implementation of the rules for
/// both paths.
///
/// The rules (docs/metrics.md, "Change failure rate" and "One deployment, one count"), per (app, environment,
/// cluster) history; an incident that names its deployment names it in any cluster of the app and environment:
/// - `is_rollback`: a `service.rolledback` CDEvent, or its `version_key` equals an earlier deployment's while the
///   deployment right before it has another one;
/// - `rolled_back`: a later rollback returns to a deployment before it (every deployment between the restored one
///   and the rollback); a `service.rolledback` whose version matches nothing restores the one before its
///   predecessor (its predecessor is rolled back);
/// - `incident_failed`: an incident opening names it (artifact, commit, version or CDEvent id; the latest such
///   deployment of the app and environment at or before the opening);
/// - `open_gap`: seconds from it to the first other opening in its app and environment while it was the latest
///   deployment (a definition's attribution window decides whether that fails it);
/// - `duplicate`: another report of the same rollout came first (``duplicateWindow``); a duplicate takes part in
///   nothing (its other facts are false or NULL), and an incident naming its CDEvent id names the report kept.
///
/// Order is given, not computed: the deployments arrive sorted by (time, CDEvent source, id) and the incidents by
/// (opening time, source, id), sources and ids in byte order (`COLLATE "C"`, as the fact tables declare them and as
/// every statement over them orders). Times are microseconds since 1970, as the database
/// stores them.
enum DeploymentHistoryPass {
    /// A deployment CDEvent's columns (``MetricFactSQL/deploymentsSelect(_:)``) that the rules read.
    struct Report: Sendable {
        var time: Int64
        var source: String
        var id: String
        var deployType: String
        var deployId: String?
        var cluster: String
        var commit: String?
        var version: String?
        var versionKey: String?
        var rolloutFailed: Bool
        var revision: String?
    }

    /// An incident opening (a row of `incidents`) of the same app and environment.
    struct Opening: Sendable {
        var opened: Int64
        var resolved: Int64?
        var cluster: String
        var linkArtifact: String?
        var linkCommit: String?
        var linkVersion: String?
        var linkDeployment: String?

        var isLinked: Bool { linkArtifact != nil || linkCommit != nil || linkVersion != nil || linkDeployment != nil }
    }

    /// What the pass decides for one report (the `deployments` fact columns).
    struct Facts: Sendable, Equatable {
        var isRollback = false
        var rolledBack = false
        var incidentFailed = false
        /// Seconds from the deployment to the first opening attributed to it by the window rule (not yet limited by
        /// a definition's attribution window).
        var openGap: Double?
        var incidentResolvedAt: Int64?
        var openResolvedAt: Int64?
        var duplicate = false
    }

    /// Two reports of one rollout (docs/metrics.md, "One deployment, one count"): a report is a duplicate when the
    /// report right before it in its app, environment and cluster has the same version key and rollout outcome and is
    /// at most this much older, unless both come from the same CDEvent source with different revisions
    /// (`customData.revision`: two rollouts that source numbered apart). Kubernetes' default progress deadline
    /// (`progressDeadlineSeconds: 600`): 10 minutes, in microseconds.
    static let duplicateWindow: Int64 = 600_000_000

    /// The facts of every report of one app and environment, in the reports' order. `reports` and `openings` are that
    /// app and environment's whole history, sorted as described above.
    static func judge(_ reports: [Report], openings: [Opening]) -> [Facts] {
        var facts = [Facts](repeating: Facts(), count: reports.count)
        // Per cluster: the report indexes in order, and the kept deployments by their number (rn, from 1).
        var order: [String] = []
        var byCluster: [String: [Int]] = [:]
        if let first = reports.first?.cluster, reports.allSatisfy({ $0.cluster == first }) {
            // One cluster, the common case: no lookup per report.
            order = [first]
            byCluster[first] = Array(reports.indices)
        } else {
            for index in reports.indices {
                if byCluster[reports[index].cluster] == nil { order.append(reports[index].cluster) }
                byCluster[reports[index].cluster, default: []].append(index)
            }
        }
        var kept: [String: [Int]] = [:]
        // The number (grp) of the kept deployment each report is, or duplicates.
        var group = [Int](repeating: 0, count: reports.count)
        for cluster in order {
            let indexes = byCluster[cluster] ?? []
            var keptHere = [-1]
            for (position, index) in indexes.enumerated() {
                if position > 0 && isDuplicate(reports[index], of: reports[indexes[position - 1]]) {
                    facts[index].duplicate = true
                } else {
                    keptHere.append(index)
                }
                group[index] = keptHere.count - 1
            }
            kept[cluster] = keptHere
            judgeRollbacks(reports, keptHere, &facts)
        }
        let explicit = attributeNamed(reports, openings: openings, kept: kept, group: group, &facts)
        for cluster in order {
            attributeByWindow(reports, kept: kept[cluster] ?? [-1], openings: openings, cluster: cluster, skipping: explicit, &facts)
        }
        return facts
    }

    /// `report` repeats `previous` (the report right before it in its cluster): same version key and outcome, at
    /// most ``duplicateWindow`` later, and not two rollouts one source numbered apart.
    static func isDuplicate(_ report: Report, of previous: Report) -> Bool {
        guard let key = report.versionKey, key == previous.versionKey, report.rolloutFailed == previous.rolloutFailed,
            report.time - previous.time <= duplicateWindow
        else { return false }
        if report.source == previous.source, let revision = report.revision, let earlier = previous.revision, revision != earlier {
            return false
        }
        return true
    }

    /// Rollbacks and what they roll back, over one cluster's kept deployments (`kept[rn]` = report index).
    static func judgeRollbacks(_ reports: [Report], _ kept: [Int], _ facts: inout [Facts]) {
        guard kept.count > 1 else { return }
        var lastOfKey: [String: Int] = [:]
        lastOfKey.reserveCapacity(kept.count)
        // +1 where a rolled-back range starts, -1 after it ends (several rollbacks may overlap).
        var marks = [Int](repeating: 0, count: kept.count + 1)
        for rn in 1..<kept.count {
            let index = kept[rn]
            let report = reports[index]
            var previousSame: Int?
            if let key = report.versionKey {
                previousSame = lastOfKey[key]
                lastOfKey[key] = rn
            }
            let returns = previousSame.map { $0 < rn - 1 } ?? false
            let rolledBackType = report.deployType == "rolledback"
            facts[index].isRollback = returns || rolledBackType
            guard returns || (rolledBackType && rn > 1) else { continue }
            let restored = returns ? previousSame! : rn - 2
            if restored + 1 < rn {
                marks[restored + 1] += 1
                marks[rn] -= 1
            }
        }
        var open = 0
        for rn in 1..<kept.count {
            open += marks[rn]
            if open > 0 { facts[kept[rn]].rolledBack = true }
        }
    }

    /// Incidents that name a deployment (artifact, commit, version or CDEvent id, in any cluster): each fails the
    /// latest kept deployment it names at or before its opening (a duplicate's id names the deployment it repeats).
    /// Returns the openings so attributed (by index), which the window rule then skips.
    static func attributeNamed(
        _ reports: [Report], openings: [Opening], kept: [String: [Int]], group: [Int], _ facts: inout [Facts]
    ) -> Set<Int> {
        guard openings.contains(where: \.isLinked) else { return [] }
        // Only the values some opening names are indexed (most reports are named by no incident, and most incidents
        // name a deployment one way, e.g. by commit): a table per kind of link, of the reports each value names.
        var byArtifact: [String: [Int]] = [:]
        var byCommit: [String: [Int]] = [:]
        var byVersion: [String: [Int]] = [:]
        var byId: [String: [Int]] = [:]
        for opening in openings {
            if let link = opening.linkArtifact { byArtifact[link] = [] }
            if let link = opening.linkCommit { byCommit[link] = [] }
            if let link = opening.linkVersion { byVersion[link] = [] }
            if let link = opening.linkDeployment { byId[link] = [] }
        }
        func add(_ value: String?, _ index: Int, to table: inout [String: [Int]]) {
            guard !table.isEmpty, let value, let slot = table.index(forKey: value) else { return }
            table.values[slot].append(index)
        }
        for index in reports.indices {
            let report = reports[index]
            // A duplicate's CDEvent id stands for the deployment it repeats; its other fields name nothing.
            if !byId.isEmpty, let slot = byId.index(forKey: report.id) {
                byId.values[slot].append(facts[index].duplicate ? kept[report.cluster]![group[index]] : index)
            }
            guard !facts[index].duplicate else { continue }
            add(report.deployId, index, to: &byArtifact)
            add(report.commit, index, to: &byCommit)
            add(report.version, index, to: &byVersion)
        }
        var attributed: Set<Int> = []
        for (position, opening) in openings.enumerated() where opening.isLinked {
            var best: Int?
            func consider(_ link: String?, _ table: [String: [Int]]) {
                guard let link, let candidates = table[link] else { return }
                // Reports are in (time, source, id) order: the latest candidate at or before the opening has the
                // largest index among those.
                for candidate in candidates where reports[candidate].time <= opening.opened && candidate > (best ?? -1) {
                    best = candidate
                }
            }
            consider(opening.linkArtifact, byArtifact)
            consider(opening.linkCommit, byCommit)
            consider(opening.linkVersion, byVersion)
            consider(opening.linkDeployment, byId)
            guard let best else { continue }
            attributed.insert(position)
            facts[best].incidentFailed = true
            if let resolved = opening.resolved {
                facts[best].incidentResolvedAt = min(facts[best].incidentResolvedAt ?? resolved, resolved)
            }
        }
        return attributed
    }

    /// The window rule in one cluster: the first opening (of those not attributed by name) after each kept deployment
    /// and before the next one; an opening at the same instant as a deployment comes after it.
    static func attributeByWindow(
        _ reports: [Report], kept: [Int], openings: [Opening], cluster: String, skipping explicit: Set<Int>, _ facts: inout [Facts]
    ) {
        guard kept.count > 1 else { return }
        var deployed = 0  // kept deployments at or before the current opening
        var claimed = [Bool](repeating: false, count: kept.count)
        for (position, opening) in openings.enumerated() where opening.cluster == cluster && !explicit.contains(position) {
            while deployed + 1 < kept.count && reports[kept[deployed + 1]].time <= opening.opened { deployed += 1 }
            guard deployed > 0, !claimed[deployed] else { continue }
            claimed[deployed] = true
            let index = kept[deployed]
            facts[index].openGap = Double(opening.opened - reports[index].time) / 1_000_000
            facts[index].openResolvedAt = opening.resolved
        }
    }
}
