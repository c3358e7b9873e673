import EventModel
import Foundation
import PacerCore

/// Turns `DemoHistory` steps into what Pacer receives: the Deployment source's CloudEvents (for imported history,
/// shaped exactly as docs/deployment-source.md describes) and CDEvents for the external tool's steps.
struct DemoEvents {
    /// What the source knows about one demo Deployment while the history is played.
    private struct Workload {
        var uid: String
        var revision: Int = 0
        var images: [String: String] = [:]
        var created = false
        var context: [String: JSONValue] = [:]
        /// `rollback`, `previousRevision`, `previousImages` of the current revision: the source repeats them on the
        /// revision's `rollout.completed`/`rollout.failed` (the default routes read `rollback` there).
        var transition: [String: JSONValue] = [:]
    }

    private var workloads: [String: Workload] = [:]

    static func source(app: String) -> String {
        "/k8s/\(DemoHistory.clusterName)/apis/apps/v1/namespaces/\(DemoHistory.namespace)/deployments/\(app)"
    }

    /// The Deployment source's CloudEvents for one cluster step (`created` and `revision` come with a first or
    /// new revision, as the source derives them).
    mutating func cloudEvents(for step: DemoHistory.Step) -> [CloudEvent] {
        let app = step.app
        var workload = workloads[app] ?? Workload(uid: "demo-\(app)-0000-4000-8000-\(DemoHistory.sha(app).prefix(12))")
        defer { workloads[app] = workload }
        var events: [CloudEvent] = []
        func event(_ type: String, id: String, extra: [String: JSONValue]) -> CloudEvent {
            var data = Self.workloadData(app: app, uid: workload.uid, revision: workload.revision, images: workload.images, context: workload.context)
            data.merge(extra) { _, new in new }
            return CloudEvent(
                id: id, source: Self.source(app: app), type: "dev.pacer.deployment.\(type)", datacontenttype: "application/json",
                subject: "\(DemoHistory.namespace)/\(app)", time: RFC3339.format(step.time, fractionalDigits: 3), data: .json(.object(data)))
        }
        func newRevision(_ revision: Int, image: String, commit: String, commitTime: Date?, rollback: Bool) {
            let previous = workload.revision
            let previousImages = workload.images
            workload.revision = revision
            workload.images = [app: image]
            workload.context = Self.context(app: app, image: image, commit: commit, commitTime: commitTime)
            if !workload.created {
                workload.created = true
                events.append(event("created", id: "\(workload.uid)/created", extra: [:]))
            }
            var extra: [String: JSONValue] = ["rollback": .bool(rollback)]
            if previous > 0 {
                extra["previousRevision"] = .int(Int64(previous))
                extra["previousImages"] = .object(previousImages.mapValues(JSONValue.string))
            }
            workload.transition = extra
            events.append(event("revision", id: "\(workload.uid)/\(revision)/revision", extra: extra))
        }
        let replicaSet = "\(app)-\(DemoHistory.sha("\(app)/\(workload.revision + 1)").prefix(10))"
        switch step.action {
        case .rolloutCompleted(let revision, let image, let commit, let commitTime, let rollback):
            newRevision(revision, image: image, commit: commit, commitTime: commitTime, rollback: rollback)
            events.append(
                event(
                    "rollout.completed", id: "\(workload.uid)/\(revision)/rollout.completed",
                    extra: workload.transition.merging([
                        "reason": "NewReplicaSetAvailable", "message": .string("ReplicaSet \"\(replicaSet)\" has successfully progressed."),
                    ]) { $1 }))
        case .rolloutFailed(let revision, let image, let commit, let commitTime):
            newRevision(revision, image: image, commit: commit, commitTime: commitTime, rollback: false)
            events.append(
                event(
                    "rollout.failed", id: "\(workload.uid)/\(revision)/rollout.failed",
                    extra: workload.transition.merging([
                        "reason": "ProgressDeadlineExceeded", "message": .string("ReplicaSet \"\(replicaSet)\" has timed out progressing."),
                    ]) { $1 }))
        case .availabilityLost:
            events.append(
                event(
                    "availability.lost", id: "\(workload.uid)/availability.lost/\(RFC3339.format(step.time, fractionalDigits: 0))",
                    extra: ["reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."]))
        case .availabilityRestored:
            events.append(
                event(
                    "availability.restored", id: "\(workload.uid)/availability.restored/\(RFC3339.format(step.time, fractionalDigits: 0))",
                    extra: ["reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."]))
        case .changeMerged, .incidentDetected, .incidentResolved:
            break
        }
        return events
    }

    /// The workload fields every source event carries (docs/deployment-source.md, `data`).
    static func workloadData(app: String, uid: String, revision: Int, images: [String: String], context: [String: JSONValue]) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "namespace": .string(DemoHistory.namespace), "name": .string(app), "uid": .string(uid), "app": .string(app),
            "environment": .string(DemoHistory.environment), "replicas": 2,
        ]
        if revision > 0 {
            data["revision"] = .int(Int64(revision))
            data["generation"] = .int(Int64(revision))
        }
        if let team = DemoHistory.apps.first(where: { $0.name == app })?.team { data["team"] = .string(team) }
        if !images.isEmpty { data["images"] = .object(images.mapValues(JSONValue.string)) }
        data.merge(context) { _, new in new }
        return data
    }

    /// `version`, `commit`, `commitTime`, `repository` of a revision.
    static func context(app: String, image: String, commit: String, commitTime: Date?) -> [String: JSONValue] {
        var context: [String: JSONValue] = ["commit": .string(commit), "repository": .string("https://git.example.com/shop/\(app)")]
        if let tag = image.split(separator: ":").last, image.contains(":") { context["version"] = .string(String(tag)) }
        if let commitTime { context["commitTime"] = .string(RFC3339.format(commitTime, fractionalDigits: 0)) }
        return context
    }

    /// The CDEvent an external tool posts for an external step (nil for cluster steps).
    static func cdEvent(for step: DemoHistory.Step) throws -> CDEvent? {
        let customData: JSONValue = [
            "app": .string(step.app), "environment": .string(DemoHistory.environment),
            "team": .string(DemoHistory.apps.first { $0.name == step.app }?.team ?? step.app),
        ]
        let environment = CDEventReference(id: DemoHistory.environment, source: "/k8s/\(DemoHistory.clusterName)")
        let service = CDEventReference(id: "\(DemoHistory.namespace)/\(step.app)", source: source(app: step.app))
        switch step.action {
        case .changeMerged(let commit):
            return try CDEvent.changeMerged(
                id: "merge-\(commit.prefix(12))", source: "/git.example.com/shop/\(step.app)", timestamp: step.time, subjectId: commit,
                repository: CDEventReference(id: "https://git.example.com/shop/\(step.app)"), customData: customData)
        case .incidentDetected(let id):
            return try CDEvent.incidentDetected(
                id: "\(id)-detected", source: "/pager.example.com", timestamp: step.time, subjectId: id, environment: environment,
                service: service, description: "search latency above SLO", customData: customData)
        case .incidentResolved(let id):
            return try CDEvent.incidentResolved(
                id: "\(id)-resolved", source: "/pager.example.com", timestamp: step.time, subjectId: id, environment: environment,
                service: service, description: "search latency back to normal", customData: customData)
        default:
            return nil
        }
    }
}
