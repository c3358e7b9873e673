import Foundation

/// The four keys computed in plain Swift from the pipeline's inputs (docs/metrics.md definitions), to check what
/// Pacer computes in SQL against something written separately.
struct IndependentDORA {
    struct Deployment {
        var app: String
        var environment: String
        var time: Date
        var commit: String?
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

    /// Hours from each change to the first deployment of its app whose commit is the change's sha, at or after it.
    func leadTimes(app: String?, environment: String) -> [Double] {
        var hours: [Double] = []
        for change in changes where app == nil || change.app == app {
            let carrier = deployments
                .filter { $0.app == change.app && $0.environment == environment && $0.commit == change.sha && $0.time >= change.time }
                .min { $0.time < $1.time }
            if let carrier { hours.append(carrier.time.timeIntervalSince(change.time) / 3600) }
        }
        return hours
    }

    /// (failed, all) deployments: failed when an incident opens in its app and environment after it and before
    /// the next deployment there.
    func changeFailures(app: String?, environment: String) -> (failed: Int, all: Int) {
        var failed = 0
        var all = 0
        let apps = Set(deployments.map(\.app)).filter { app == nil || $0 == app }
        for name in apps {
            let ordered = deployments.filter { $0.app == name && $0.environment == environment }.sorted { $0.time < $1.time }
            for (index, deployment) in ordered.enumerated() {
                all += 1
                let next = index + 1 < ordered.count ? ordered[index + 1].time : .distantFuture
                let hit = incidents.contains {
                    $0.opens && $0.app == name && $0.environment == environment && $0.time > deployment.time && $0.time < next
                }
                if hit { failed += 1 }
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
