import EventModel
import Foundation
import PacerCore

/// The demo's story once Pacer runs: wait for the operator, import the history, play the live part, wait for the four
/// keys and print them.
struct DemoScript: Sendable {
    let options: DemoOptions
    let terminal: DemoTerminal
    let cluster: DemoCluster
    let api: DemoAPIClient
    let database: DemoDatabase
    /// Objects applied from `examples/`, per kind: what the operator must have loaded before events are imported.
    let pipeline: [String: Int]

    func run() async throws {
        try await terminal.step("starting Pacer on \(api.base)") { try await api.waitReady() }
        // Events are routed by the routes that exist when the pipeline reads them: import only once the reconcilers
        // have stored every route, transform and definition (Ready).
        try await terminal.step("waiting for the operator to load the pipeline") {
            try await database.waitForConfiguration(expected: pipeline)
        }
        let now = Date()
        let steps = DemoHistory.steps(now: now)
        var events = DemoEvents()
        let history = steps.filter { $0.phase == .history }
        try await terminal.step("importing 4 weeks of history as Deployment-source CloudEvents (relative to \(RFC3339.format(now, fractionalDigits: 0)))") {
            let cloudEvents = history.flatMap { events.cloudEvents(for: $0) }
            for batch in stride(from: 0, to: cloudEvents.count, by: 100) {
                try await api.post(cloudEvents[batch..<min(batch + 100, cloudEvents.count)].map(\.jsonFormat), to: "/events")
            }
            return cloudEvents.count
        } detail: { "\($0) events, \(history.count) steps" }

        if cluster.sim != nil {
            try await terminal.step("creating namespace \(DemoHistory.namespace)") { try await cluster.createNamespace() }
        }
        for step in steps where step.phase != .history {
            if step.phase == .external {
                try await terminal.step("posting \(Self.describe(step)) to /cdevents (as an external tool)") {
                    guard let cdEvent = try DemoEvents.cdEvent(for: step) else { return }
                    try await api.post([cdEvent.cloudEvent().jsonFormat], to: "/cdevents")
                }
            } else if cluster.sim != nil {
                try await terminal.step("live in kube-sim: \(Self.describe(step))") { try await cluster.play(step) }
            } else {
                var live = step
                live.time = Date()
                try await terminal.step("posting \(Self.describe(step)) (not a kube-sim cluster: as Deployment-source events)") {
                    try await api.post(events.cloudEvents(for: live).map(\.jsonFormat), to: "/events")
                }
            }
        }
        // Deployment frequency counts every attempt, failed rollouts included (docs/metrics.md): waiting for the
        // completed ones only could print the table while a failed rollout stood in for a deployment not counted yet.
        let deployments = steps.filter {
            switch $0.action {
            case .rolloutCompleted, .rolloutFailed: true
            default: false
            }
        }.count
        let restores = steps.filter {
            switch $0.action {
            case .availabilityRestored, .incidentResolved: true
            default: false
            }
        }.count
        let headlines = try await terminal.step("waiting for the four keys (at most \(options.metricsTimeout))") {
            try await database.waitForHeadlines(
                namespace: cluster.namespace, deployments: deployments, restores: restores, timeout: options.metricsTimeout)
        } detail: {
            $0.complete(deployments: deployments, restores: restores)
                ? "computed from \(deployments) deployments and \(restores) restored incidents"
                : "NOT complete: \($0.rows["all"]?["deploymentFrequency"]?.samples ?? 0) of \(deployments) deployments and "
                    + "\($0.rows["all"]?["timeToRestore"]?.samples ?? 0) of \(restores) restores counted so far; see the log with --log-level warning"
        }
        terminal.line("")
        terminal.line("DORA four keys, last 30 days, every environment (the demo deploys to production; MetricDefinitions in namespace \(cluster.namespace)):")
        terminal.line(headlines.table(apps: DemoHistory.apps.map(\.name)))
        if !options.serve && !headlines.complete(deployments: deployments, restores: restores) {
            // For scripts and CI: an incomplete table is a failure, not a result.
            throw DemoIncomplete(
                description: "the pipeline did not count every deployment and restore within \(options.metricsTimeout)")
        }
    }

    static func describe(_ step: DemoHistory.Step) -> String {
        switch step.action {
        case .rolloutCompleted(let revision, let image, _, _, _): return "\(step.app): \(revision == 1 ? "deploy" : "roll out") \(image)"
        case .rolloutFailed(_, let image, _, _): return "\(step.app): roll out \(image), which fails"
        case .availabilityLost: return "\(step.app): becomes unavailable"
        case .availabilityRestored: return "\(step.app): available again"
        case .changeMerged(let commit): return "change.merged \(commit.prefix(8)) for \(step.app)"
        case .incidentDetected(let id): return "incident.detected \(id) for \(step.app)"
        case .incidentResolved(let id): return "incident.resolved \(id) for \(step.app)"
        }
    }
}

/// `pacer-demo --no-serve` ended before every value was computed.
struct DemoIncomplete: Error, CustomStringConvertible {
    var description: String
}
