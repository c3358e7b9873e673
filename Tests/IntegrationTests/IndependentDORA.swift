import Foundation

/// The four keys computed in plain Swift from the pipeline's inputs (docs/metrics.md definitions), to check what
/// Pacer computes in SQL against something written separately.
struct IndependentDORA {
    struct Deployment {
        var app: String
        var environment: String
        var time: Date
        var commit: String?
        var rolloutFailed = false
    }

    struct Change {
        var sha: String
        var app: String
        var time: Date
    }

    struct IncidentEvent {
        var subject: String
        var app: String
        var environment: String
        var time: Date
        var opens: Bool
        /// Names its deployment (a failed rollout's incident): attributed to it, not by time.
        var named = false
    }

    var deployments: [Deployment] = []
    var changes: [Change] = []
    var incidents: [IncidentEvent] = []

    static func median(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// Every change counted: per (app, sha) its earliest merge; hours from it to the first deployment of its app and
    /// `environment` (by time) at or after it, whose rollout did not fail and whose commit is a change of the app
    /// merged at or after it (the change itself or a later one; the scenarios name no repository).
    func leadTimes(app: String?, environment: String) -> [Double] {
        var merged: [String: [String: Date]] = [:]  // app → sha → earliest merge
        for change in changes {
            let known = merged[change.app]?[change.sha]
            merged[change.app, default: [:]][change.sha] = known.map { min($0, change.time) } ?? change.time
        }
        var hours: [Double] = []
        for (changeApp, shas) in merged where app == nil || changeApp == app {
            for (_, time) in shas {
                let carrier = deployments.filter { deployment in
                    guard deployment.app == changeApp, deployment.environment == environment, !deployment.rolloutFailed,
                        deployment.time >= time, let commit = deployment.commit, let deployedTime = shas[commit]
                    else { return false }
                    return deployedTime >= time
                }.min { $0.time < $1.time }
                if let carrier { hours.append(carrier.time.timeIntervalSince(time) / 3600) }
            }
        }
        return hours
    }

    /// Incident openings: the first opening event of a subject while none of it is open.
    func openings() -> [IncidentEvent] {
        var open: Set<String> = []
        var out: [IncidentEvent] = []
        for event in incidents.sorted(by: { $0.time < $1.time }) {
            if event.opens {
                if !open.contains(event.subject) { out.append(event) }
                open.insert(event.subject)
            } else {
                open.remove(event.subject)
            }
        }
        return out
    }

    /// (failed, all) deployments (docs/metrics.md): failed when its own rollout failed, or an unnamed incident opened
    /// in its app and environment while it was the latest deployment there and at most 24 h after it. (No rollbacks
    /// here.)
    func changeFailures(app: String?, environment: String) -> (failed: Int, all: Int) {
        var failed = 0
        var all = 0
        let opened = openings()
        let apps = Set(deployments.map(\.app)).filter { app == nil || $0 == app }
        for name in apps {
            let ordered = deployments.filter { $0.app == name && $0.environment == environment }.sorted { $0.time < $1.time }
            for (index, deployment) in ordered.enumerated() {
                all += 1
                let next = index + 1 < ordered.count ? ordered[index + 1].time : .distantFuture
                let hit = opened.contains {
                    !$0.named && $0.app == name && $0.environment == environment && $0.time >= deployment.time && $0.time < next
                        && $0.time.timeIntervalSince(deployment.time) <= 24 * 3_600
                }
                if hit || deployment.rolloutFailed { failed += 1 }
            }
        }
        return (failed, all)
    }

    /// Hours from opening to resolution of each resolved incident (same subject; repeated openings while open
    /// belong to the open incident).
    func restoreTimes(app: String?, environment: String) -> [Double] {
        var open: [String: Date] = [:]
        var hours: [Double] = []
        for event in incidents.sorted(by: { $0.time < $1.time })
        where (app == nil || event.app == app) && event.environment == environment {
            if event.opens {
                if open[event.subject] == nil { open[event.subject] = event.time }
            } else if let start = open.removeValue(forKey: event.subject) {
                hours.append(event.time.timeIntervalSince(start) / 3600)
            }
        }
        return hours
    }
}
