import Foundation
import PacerDemo
import PacerCore
import TestSupport

/// The four keys per app computed independently from the demo script (`DemoHistory.steps(now:)`), following the
/// definitions in the session contract (docs/metrics.md): 30-day window ending now, environment production.
struct DemoExpectations {
    struct Value: Equatable, CustomStringConvertible {
        var value: Double?
        var level: String?
        var description: String { "\(value.map { String(format: "%.4f", $0) } ?? "nil") \(level ?? "-")" }
    }

    /// group ("all" or the app) → metric → expected headline.
    var rows: [String: [String: Value]] = [:]

    static let window: TimeInterval = 30 * 86_400

    init(now: Date) {
        struct Deploy { var app: String; var time: Date; var commit: String; var rolloutFailed = false; var rollback = false }
        struct Signal { var app: String; var subject: String; var time: Date; var failedRollout = false }
        var deploys: [Deploy] = []
        var changes: [(app: String, commit: String, time: Date)] = []
        var detections: [Signal] = []
        var resolutions: [Signal] = []
        // Live cluster steps happen now, one after the other: keep their order with one second between them.
        var liveOffset: TimeInterval = 0
        for step in DemoHistory.steps(now: now) {
            var time = step.time
            if step.phase == .live {
                liveOffset += 1
                time = step.time.addingTimeInterval(liveOffset)
            }
            let subject = "\(DemoHistory.namespace)/\(step.app)"
            switch step.action {
            case .rolloutCompleted(_, _, let commit, let commitTime, _):
                // The demo marks a rollback only on its `revision` event (not on `rollout.completed`) and gives it a
                // new commit, so the calculator sees an ordinary upgrade: not a rollback here either.
                deploys.append(Deploy(app: step.app, time: time, commit: commit))
                if let commitTime { changes.append((step.app, commit, commitTime)) }
                // A completed rollout resolves the Deployment's failed-rollout incident, if one is open.
                resolutions.append(Signal(app: step.app, subject: subject + "/rollout", time: time))
            case .rolloutFailed(_, _, let commit, _):
                // A failed rollout is a deployment that failed, and opens an incident naming it.
                deploys.append(Deploy(app: step.app, time: time, commit: commit, rolloutFailed: true))
                detections.append(Signal(app: step.app, subject: subject + "/rollout", time: time, failedRollout: true))
            case .availabilityLost:
                detections.append(Signal(app: step.app, subject: subject, time: time))
            case .availabilityRestored:
                resolutions.append(Signal(app: step.app, subject: subject, time: time))
            case .changeMerged(let commit):
                changes.append((step.app, commit, time))
            case .incidentDetected(let id):
                detections.append(Signal(app: step.app, subject: id, time: time))
            case .incidentResolved(let id):
                resolutions.append(Signal(app: step.app, subject: id, time: time))
            }
        }
        let start = now.addingTimeInterval(-Self.window)
        func inWindow(_ t: Date) -> Bool { t > start && t <= now.addingTimeInterval(60) }

        // Lead time, every change counted: per (app, commit) its earliest merge, carried by the first deployment of
        // its app at or after it whose commit was merged at or after it (itself or a later change; a failed rollout
        // carries nothing).
        var merged: [String: [String: Date]] = [:]
        for change in changes {
            let known = merged[change.app]?[change.commit]
            merged[change.app, default: [:]][change.commit] = known.map { min($0, change.time) } ?? change.time
        }
        var leadTimes: [(app: String, hours: Double)] = []
        for (app, commits) in merged {
            for (_, changeTime) in commits {
                let carrier = deploys.filter { deploy in
                    guard deploy.app == app, !deploy.rolloutFailed, deploy.time >= changeTime, let deployed = commits[deploy.commit] else { return false }
                    return deployed >= changeTime
                }.min { $0.time < $1.time }
                if let carrier, inWindow(carrier.time) { leadTimes.append((app, carrier.time.timeIntervalSince(changeTime) / 3_600)) }
            }
        }
        // Incident openings: the first detection of a subject while none of it is open.
        var openings: [Signal] = []
        do {
            let signals = (detections.map { ($0, true) } + resolutions.map { ($0, false) }).sorted { $0.0.time < $1.0.time }
            var isOpen: Set<String> = []
            for (signal, detected) in signals {
                if detected {
                    if !isOpen.contains(signal.subject) { openings.append(signal) }
                    isOpen.insert(signal.subject)
                } else {
                    isOpen.remove(signal.subject)
                }
            }
        }
        // Change failure (docs/metrics.md): a deployment failed when its rollout failed, a rollback followed it (none
        // is recognisable in the demo, see above), or an
        // unnamed incident opened while it was the app's latest deployment and at most 24 h after it (a failed
        // rollout's incident names that deployment, already failed). Rollbacks are left out of the rate.
        let byTime = deploys.sorted { $0.time < $1.time }
        var failed: [(app: String, failed: Bool)] = []
        for (index, deploy) in byTime.enumerated() where inWindow(deploy.time) && !deploy.rollback {
            let later = byTime[(index + 1)...].filter { $0.app == deploy.app }
            let next = later.first?.time ?? .distantFuture
            let rolledBack = later.first?.rollback == true
            let attributed = openings.contains {
                !$0.failedRollout && $0.app == deploy.app && $0.time >= deploy.time && $0.time < next
                    && $0.time.timeIntervalSince(deploy.time) <= 24 * 3_600
            }
            failed.append((deploy.app, deploy.rolloutFailed || rolledBack || attributed))
        }
        // Time to restore: opened by the first detection of a subject, closed by the next resolution of it.
        var restores: [(app: String, hours: Double)] = []
        let signals = (detections.map { ($0, true) } + resolutions.map { ($0, false) }).sorted { $0.0.time < $1.0.time }
        var open: [String: Signal] = [:]
        for (signal, detected) in signals {
            if detected {
                if open[signal.subject] == nil { open[signal.subject] = signal }
            } else if let opened = open.removeValue(forKey: signal.subject), inWindow(signal.time) {
                restores.append((opened.app, signal.time.timeIntervalSince(opened.time) / 3_600))
            }
        }

        for group in DemoHistory.apps.map(\.name) + ["all"] {
            func mine(_ app: String) -> Bool { group == "all" || app == group }
            var row: [String: Value] = [:]
            // Deployment frequency: median over the window's 4 whole weeks (counted back from now) of the days
            // (24 h periods counted back from now) with a deployment.
            let groupDeploys = deploys.filter { mine($0.app) && inWindow($0.time) }
            let perWeek = (0..<4).map { week -> Double in
                let days = groupDeploys.compactMap { deploy -> Int? in
                    let age = max(0, now.timeIntervalSince(deploy.time))
                    return Int(age / 604_800) == week ? Int(age / 86_400) : nil
                }
                return Double(Set(days).count)
            }
            let frequency = Self.median(perWeek) ?? 0
            let frequencyLevel = frequency >= 3 ? "Elite" : frequency >= 1 ? "High" : groupDeploys.count >= 1 ? "Medium" : "Low"
            // spec.minSamples (default 5): a headline from fewer samples in the window has the level InsufficientData
            // (the overall row always exists; a group's row only when it has samples).
            func floored(_ level: String?, samples: Int) -> String? {
                samples < 5 && (samples > 0 || group == "all") ? "InsufficientData" : level
            }
            row["deploymentFrequency"] = Value(value: frequency, level: floored(frequencyLevel, samples: groupDeploys.count))
            let leads = leadTimes.filter { mine($0.app) }.map(\.hours)
            let lead = Self.median(leads)
            row["leadTimeForChanges"] = Value(
                value: lead, level: floored(lead.map { $0 < 24 ? "Elite" : $0 < 168 ? "High" : $0 < 730 ? "Medium" : "Low" }, samples: leads.count))
            let outcomes = failed.filter { mine($0.app) }
            let rate = outcomes.isEmpty ? nil : Double(outcomes.filter(\.failed).count) / Double(outcomes.count)
            row["changeFailureRate"] = Value(
                value: rate, level: floored(rate.map { $0 <= 0.05 ? "Elite" : $0 <= 0.10 ? "Medium" : $0 <= 0.20 ? "High" : "Low" }, samples: outcomes.count))
            let restoreHours = restores.filter { mine($0.app) }.map(\.hours)
            let restore = Self.median(restoreHours)
            row["timeToRestore"] = Value(
                value: restore, level: floored(restore.map { $0 < 1 ? "Elite" : $0 < 24 ? "High" : $0 < 168 ? "Medium" : "Low" }, samples: restoreHours.count))
            rows[group] = row
        }
    }

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// The value as the demo's table shows it (percent for the change failure rate).
    static func displayed(_ metric: String, _ value: Double) -> Double { metric == "changeFailureRate" ? value * 100 : value }
}

/// Running the built `pacer-demo` binary for the demo tests.
enum DemoBinary {
    static var path: String { RepoPaths.root + "/.build/debug/pacer-demo" }

    /// Demo tests need the built binary and PostgreSQL's server binaries; in CI they always run (and fail when
    /// either is missing).
    static var enabled: Bool {
        if ProcessInfo.processInfo.environment["CI"] != nil { return true }
        return FileManager.default.isExecutableFile(atPath: path) && (try? EmbeddedPostgres.findBinaries()) != nil
    }

    /// `importing 4 weeks of history ... (relative to 2026-11-21T22:40:00Z)` → the script's `now`.
    static func scriptNow(in output: String) -> Date? {
        guard let range = output.range(of: "(relative to ") else { return nil }
        let rest = output[range.upperBound...]
        guard let end = rest.firstIndex(of: ")") else { return nil }
        return RFC3339.parse(String(rest[..<end]))
    }

    /// The printed table: group → metric → (number as displayed, level).
    static func table(in output: String) -> [String: [String: (value: Double?, level: String?)]] {
        let metrics = ["deploymentFrequency", "leadTimeForChanges", "changeFailureRate", "timeToRestore"]
        var rows: [String: [String: (value: Double?, level: String?)]] = [:]
        let lines = output.split(separator: "\n")
        guard let header = lines.firstIndex(where: { $0.hasPrefix("app ") && $0.contains("| deployment frequency") }) else { return rows }
        for line in lines[(header + 2)...] {
            let cells = line.components(separatedBy: " | ").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 5 else { break }
            var row: [String: (value: Double?, level: String?)] = [:]
            for (metric, cell) in zip(metrics, cells.dropFirst()) {
                let words = cell.split(separator: " ").map(String.init)
                let level = words.last.flatMap { ["Elite", "High", "Medium", "Low", "InsufficientData"].contains($0) ? $0 : nil }
                row[metric] = (words.first.flatMap(Double.init), level)
            }
            rows[cells[0]] = row
        }
        return rows
    }
}
