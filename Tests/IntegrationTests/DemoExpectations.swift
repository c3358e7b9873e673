import Foundation
import PacerDemo
import PacerCore
import TestSupport

/// The four keys per app for the demo script (`DemoHistory.steps(now:)`), written by hand from the rules in
/// docs/metrics.md: 30-day window ending now, every environment (the demo has one, production), `spec.minSamples` 5.
///
/// The script, in hours before `now` (N), per app (r = the Deployment's revision, lead = hours from commit to rollout):
/// - checkout: r1…r19 at N-(24 d + 3) h for d = 27, 25, 24, 22, 21, 20, 18, 17, 15, 14, 13, 11, 10, 8, 7, 6, 4, 3, 1
///   (days with `d % 7` 2 or 5 skipped), lead 2 h for even d (9 of them) and 3 h for odd d (10); an
///   outage of 0.75 h at N-289 h (26 h after the day-13 rollout); live: r20 (lead 4 h), r21 (lead 1 h).
/// - payments: r1 N-653 h, r2 N-581 h, r3 N-485 h (lead 40 h; every other lead 30 h), an outage N-484 h → N-481 h, r4 at
///   N-481.5 h = `kubectl rollout undo` back to r2 (r2's image and commit: a rollback), r5 N-413 h, r6 N-317 h, r7 N-245 h,
///   r8 N-149 h, r9 N-77 h; live: r10 (lead 26 h), r11 fails its rollout (lead 2 h), r12 (lead 1 h).
/// - search: r1 N-630 h, r2 N-462 h (lead 96 h), r3 N-318 h fails its rollout, r4 N-294 h (lead 100 h), r5 N-126 h (lead
///   96 h); live: r6 deploys a change an external tool reported merged at N-50 h; incident INC-2041 N-5 h → N-3 h.
/// - web: r1 N-608 h (lead 380 h), r2 N-224 h (lead 420 h), an outage N-194 h → N-164 h (30 h); live: r3 (lead 200 h), then
///   an outage of a few seconds.
/// Live steps happen at N plus a few seconds, in script order. Deployment frequency counts weeks and days back from N:
/// a rollout at N-(24 d + h) h with h < 24 falls on day d; live rollouts on day 0; week w holds days 7w…7w+6.
struct DemoExpectations {
    struct Value: Equatable, CustomStringConvertible {
        var value: Double?
        var level: String?
        var description: String { "\(value.map { String(format: "%.4f", $0) } ?? "nil") \(level ?? "-")" }
    }

    /// group ("all" or the app) → metric → expected headline.
    var rows: [String: [String: Value]] = [:]

    init() {
        rows["checkout"] = [
            // Days with a rollout per week: {0 (live), 1, 3, 4, 6}, {7, 8, 10, 11, 13}, {14, 15, 17, 18, 20},
            // {21, 22, 24, 25, 27}: 5, 5, 5, 5 → median 5 days/week, Elite (≥ 3); 21 deployments.
            "deploymentFrequency": Value(value: 5, level: "Elite"),
            // Each rollout carries its own commit: 1 h, nine 2 h, ten 3 h, 4 h (21 changes) → the 11th is 3 h, Elite (< 1 day).
            "leadTimeForChanges": Value(value: 3, level: "Elite"),
            // No deployment failed: the outage came 26 h after the latest deployment (> 24 h attribution window) → 0/21, Elite.
            "changeFailureRate": Value(value: 0, level: "Elite"),
            // One incident, 0.75 h; 1 sample < 5 → InsufficientData.
            "timeToRestore": Value(value: 0.75, level: "InsufficientData"),
        ]
        rows["payments"] = [
            // Days per week: {0, 3, 6}, {10, 13}, {17, 20 (r3 and the rollback r4)}, {24, 27}: 3, 2, 2, 2 → median 2, High
            // (≥ 1); 12 deployments (the rollback is a deployment).
            "deploymentFrequency": Value(value: 2, level: "High"),
            // Changes: r1, r2, r5…r9 30 h (7), r3 40 h, r10 26 h, r12 1 h (r11's rollout failed: its commit is no change;
            // the rollback redeploys r2's commit, already carried by r2: no new change) → 10 samples, median (30 + 30) / 2
            // = 30 h, High (< 1 week).
            "leadTimeForChanges": Value(value: 30, level: "High"),
            // Counted: 12 deployments minus the rollback r4 = 11. Failed: r3 (rolled back by r4, and the outage opened 1 h
            // after it) and r11 (its rollout failed) → 2/11 = 18.18 %, High (≤ 20 %).
            "changeFailureRate": Value(value: 2.0 / 11.0, level: "High"),
            // The outage, 3 h, and r11's failed-rollout incident, closed by r12's rollout seconds later (≈ 0 h) → median
            // 1.5 h; 2 samples → InsufficientData.
            "timeToRestore": Value(value: 1.5, level: "InsufficientData"),
        ]
        rows["search"] = [
            // Days per week: {0, 5}, {12, 13}, {19}, {26}: 2, 2, 1, 1 → median 1.5, High; 6 deployments.
            "deploymentFrequency": Value(value: 1.5, level: "High"),
            // r1 96 h, r2 96 h, r4 100 h, r5 96 h, the external change 50 h (r3 failed: carries nothing) → median 96 h,
            // High; 5 samples.
            "leadTimeForChanges": Value(value: 96, level: "High"),
            // r3's rollout failed; INC-2041 names no deployment and opened 121 h after r5 (> 24 h) → 1/6 = 16.67 %, High.
            "changeFailureRate": Value(value: 1.0 / 6.0, level: "High"),
            // r3's failed-rollout incident, closed by r4 24 h later, and INC-2041, 2 h → median 13 h; 2 samples.
            "timeToRestore": Value(value: 13, level: "InsufficientData"),
        ]
        rows["web"] = [
            // Days per week: {0}, {9}, {}, {25}: 1, 1, 0, 1 → median 1, High by value; 3 deployments < 5 → InsufficientData.
            "deploymentFrequency": Value(value: 1, level: "InsufficientData"),
            // r1 380 h, r2 420 h, r3 200 h → median 380 h (Medium by value); 3 samples → InsufficientData.
            "leadTimeForChanges": Value(value: 380, level: "InsufficientData"),
            // The N-194 h outage came 30 h after r2 (> 24 h): nothing; the live outage right after r3 fails r3 → 1/3.
            "changeFailureRate": Value(value: 1.0 / 3.0, level: "InsufficientData"),
            // 30 h and the live outage's few seconds → median 15 h; 2 samples.
            "timeToRestore": Value(value: 15, level: "InsufficientData"),
        ]
        rows["all"] = [
            // Days per week over every app: {0, 1, 3, 4, 5, 6}, {7…13}, {14, 15, 17, 18, 19, 20}, {21, 22, 24, 25, 26, 27}:
            // 6, 7, 6, 6 → median 6, Elite; 42 deployments.
            "deploymentFrequency": Value(value: 6, level: "Elite"),
            // 39 changes (21 + 10 + 5 + 3); sorted: 1 h twice, 2 h nine times (3rd–11th), 3 h ten times (12th–21st), … →
            // the 20th is 3 h, Elite.
            "leadTimeForChanges": Value(value: 3, level: "Elite"),
            // Counted 21 + 11 + 6 + 3 = 41 (the rollback left out); failed 0 + 2 + 1 + 1 = 4 → 4/41 = 9.76 %, Medium (≤ 10 %).
            "changeFailureRate": Value(value: 4.0 / 41.0, level: "Medium"),
            // ≈0 h (payments' failed rollout), ≈0 h (web live), 0.75, 2, 3, 24, 30 h → the 4th of 7 is 2 h, High (< 1 day).
            "timeToRestore": Value(value: 2, level: "High"),
        ]
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
