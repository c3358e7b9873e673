import Foundation

/// The scripted history `pacer-demo` plays, as data: four apps over four weeks, relative to `now`.
///
/// The `history` steps are imported as the Deployment source's own CloudEvents with past times; the `live`
/// steps happen now: in kube-sim as real Deployment changes (or, against a real cluster, posted like the
/// history), plus CDEvents posted to `/cdevents` like an external tool would. Tests compute the expected
/// metrics from the same steps.
public enum DemoHistory {
    /// Namespace of the demo Deployments (and of their CloudEvent sources).
    public static let namespace = "demo"
    /// Cluster name in the CloudEvent sources (`/k8s/demo/...`).
    public static let clusterName = "demo"
    /// Every step's environment (the default MetricDefinitions count every environment; a production-only view selects this one).
    public static let environment = "production"

    /// One demo application (a Deployment of the same name in `namespace`).
    public struct App: Sendable, Hashable {
        public var name: String
        public var team: String
        public var repository: String { "https://git.example.com/shop/\(name)" }
    }

    public static let apps: [App] = [
        App(name: "checkout", team: "storefront"), App(name: "payments", team: "payments"),
        App(name: "search", team: "discovery"), App(name: "web", team: "web"),
    ]

    /// What happens in one step.
    public enum Action: Sendable, Hashable {
        /// A rollout of `revision` that completed: a deployment. `commitTime` nil: the Deployment names its
        /// commit but not when it was merged (an external tool reports the change).
        case rolloutCompleted(revision: Int, image: String, commit: String, commitTime: Date?, rollback: Bool)
        /// A rollout of `revision` that exceeded its progress deadline (the source reports an incident).
        case rolloutFailed(revision: Int, image: String, commit: String, commitTime: Date?)
        /// The Deployment lost availability (an incident opens) ...
        case availabilityLost
        /// ... and got it back (the incident is resolved).
        case availabilityRestored
        /// An external tool reports a merged change (CDEvent `change.merged`, subject = the commit).
        case changeMerged(commit: String)
        /// An external tool reports an incident (CDEvent `incident.detected`, subject `id`) ...
        case incidentDetected(id: String)
        /// ... and its resolution (`incident.resolved`).
        case incidentResolved(id: String)
    }

    /// How a step reaches Pacer.
    public enum Phase: Sendable, Hashable {
        /// Imported: posted to `/events` as the Deployment source's CloudEvents with past times.
        case history
        /// Played now against the cluster (kube-sim); `time` is approximately when it happens.
        case live
        /// Posted to `/cdevents` now, as an external tool would (with the step's own, possibly past, time).
        case external
    }

    /// One step of the script.
    public struct Step: Sendable, Hashable {
        public var app: String
        public var time: Date
        public var action: Action
        public var phase: Phase
    }

    /// The whole script, in the order it is played (history by time, then the live part).
    public static func steps(now: Date) -> [Step] {
        var steps: [Step] = []
        var revisions: [String: Int] = [:]
        func at(_ daysAgo: Double, _ hours: Double = 0) -> Date { now.addingTimeInterval(-daysAgo * 86_400 + hours * 3_600) }
        func commit(_ app: String, _ n: Int) -> String { sha("\(app)-\(n)") }
        // What each revision of an app rolled out (image, commit, commit time), for rollbacks.
        var rolledOut: [String: [Int: (image: String, commit: String, commitTime: Date)]] = [:]
        func rollout(_ app: String, _ time: Date, leadHours: Double, failed: Bool = false) {
            let revision = (revisions[app] ?? 0) + 1
            revisions[app] = revision
            let image = "registry.example.com/shop/\(app):1.\(revision).0"
            let sha = commit(app, revision)
            let commitTime = time.addingTimeInterval(-leadHours * 3_600)
            rolledOut[app, default: [:]][revision] = (image, sha, commitTime)
            let action: Action =
                failed
                ? .rolloutFailed(revision: revision, image: image, commit: sha, commitTime: commitTime)
                : .rolloutCompleted(revision: revision, image: image, commit: sha, commitTime: commitTime, rollback: false)
            steps.append(Step(app: app, time: time, action: action, phase: .history))
        }
        // `kubectl rollout undo`: the pod template of the revision before the current one comes back with its
        // annotations (image, commit, commit time); Kubernetes numbers it with a new revision.
        func rollback(_ app: String, _ time: Date) {
            let revision = (revisions[app] ?? 0) + 1
            revisions[app] = revision
            guard let restored = rolledOut[app]?[revision - 2] else { return }
            rolledOut[app]?[revision] = restored
            let action: Action = .rolloutCompleted(
                revision: revision, image: restored.image, commit: restored.commit, commitTime: restored.commitTime, rollback: true)
            steps.append(Step(app: app, time: time, action: action, phase: .history))
        }
        func outage(_ app: String, _ time: Date, hours: Double) {
            steps.append(Step(app: app, time: time, action: .availabilityLost, phase: .history))
            steps.append(Step(app: app, time: time.addingTimeInterval(hours * 3_600), action: .availabilityRestored, phase: .history))
        }

        // checkout: ships on five days of every week, small changes, one short outage.
        for day in stride(from: 27, through: 1, by: -1) where ![2, 5].contains(day % 7) {
            rollout("checkout", at(Double(day), -3), leadHours: day % 2 == 0 ? 2 : 3)
        }
        outage("checkout", at(12, -1), hours: 0.75)
        // payments: twice a week; one bad release rolled back after an outage.
        for day in [27, 24, 20, 17, 13, 10, 6, 3] {
            rollout("payments", at(Double(day), -5), leadHours: day == 20 ? 40 : 30)
            if day == 20 {
                outage("payments", at(20, -4), hours: 3)
                rollback("payments", at(20, -1.5))
            }
        }
        // search: weekly; one rollout failed its progress deadline and was fixed the next day.
        for day in [26, 19, 12, 5] {
            if day == 12 { rollout("search", at(13, -6), leadHours: 90, failed: true) }
            rollout("search", at(Double(day), -6), leadHours: day == 12 ? 100 : 96)
        }
        // web: twice a month, slow reviews, a long outage.
        rollout("web", at(25, -8), leadHours: 380)
        rollout("web", at(9, -8), leadHours: 420)
        outage("web", at(8, -2), hours: 30)
        steps.sort { $0.time < $1.time }

        // Live, now: every app's next release rolls out; checkout upgrades again; a payments rollout fails
        // and is fixed; web goes unavailable and comes back; search ships a change an external tool reported.
        var live: [Step] = []
        func next(_ app: String, leadHours: Double?, failed: Bool = false, commitOverride: String? = nil) {
            let revision = (revisions[app] ?? 0) + 1
            revisions[app] = revision
            let image = "registry.example.com/shop/\(app):1.\(revision).0"
            let sha = commitOverride ?? commit(app, revision)
            let commitTime = leadHours.map { now.addingTimeInterval(-$0 * 3_600) }
            let action: Action =
                failed
                ? .rolloutFailed(revision: revision, image: image, commit: sha, commitTime: commitTime)
                : .rolloutCompleted(revision: revision, image: image, commit: sha, commitTime: commitTime, rollback: false)
            live.append(Step(app: app, time: now, action: action, phase: .live))
        }
        for app in apps.map(\.name) where app != "search" { next(app, leadHours: app == "web" ? 200 : app == "payments" ? 26 : 4) }
        next("checkout", leadHours: 1)
        next("payments", leadHours: 2, failed: true)
        next("payments", leadHours: 1)
        live.append(Step(app: "web", time: now, action: .availabilityLost, phase: .live))
        live.append(Step(app: "web", time: now, action: .availabilityRestored, phase: .live))
        let searchChange = sha("search-external")
        live.append(Step(app: "search", time: now.addingTimeInterval(-50 * 3_600), action: .changeMerged(commit: searchChange), phase: .external))
        next("search", leadHours: nil, commitOverride: searchChange)
        live.append(Step(app: "search", time: now.addingTimeInterval(-5 * 3_600), action: .incidentDetected(id: "INC-2041"), phase: .external))
        live.append(Step(app: "search", time: now.addingTimeInterval(-3 * 3_600), action: .incidentResolved(id: "INC-2041"), phase: .external))
        return steps + live
    }

    /// A deterministic 40-hex-digit commit id (FNV-1a, repeated), so reruns post the same commits.
    static func sha(_ seed: String) -> String {
        var result = ""
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for round in 0..<3 {
            for byte in "\(seed)#\(round)".utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x100_0000_01b3
            }
            result += String(hash, radix: 16).leftPadded(to: 16)
        }
        return String(result.prefix(40))
    }
}

extension String {
    fileprivate func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}
