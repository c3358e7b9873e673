import EventModel
import Foundation
import KubeCore
import PacerCore

/// Builds the CloudEvents of one Deployment: context attributes and the workload context in `data`.
struct DeploymentEventBuilder {
    let deployment: Deployment
    let context: WorkloadContext
    let clusterName: String

    var namespace: String { deployment.metadata.namespace ?? "" }
    var name: String { deployment.metadata.name ?? "" }

    /// Container name → image of the current pod template.
    var images: [String: String] {
        var images: [String: String] = [:]
        for container in deployment.spec?.template?.spec?.containers ?? [] {
            if let image = container.image { images[container.name] = image }
        }
        return images
    }

    var source: String { "/k8s/\(clusterName)/apis/apps/v1/namespaces/\(namespace)/deployments/\(name)" }

    func event(_ type: DeploymentEventType, id: String, time: Date, revision: Int64?, extra: [String: JSONValue] = [:]) -> CloudEvent {
        var data = workloadData(revision: revision)
        data.merge(extra) { _, new in new }
        return CloudEvent(
            id: id, source: source, type: type.rawValue, datacontenttype: "application/json", subject: "\(namespace)/\(name)",
            time: RFC3339.format(time, fractionalDigits: 3), data: .json(.object(data)))
    }

    /// `namespace`, `name`, `uid`, `revision`, `generation`, `replicas`, `app`, `version`, `environment`,
    /// `team`, `commit`, `commitTime`, `repository`, `images`; absent ones are omitted.
    func workloadData(revision: Int64?) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "namespace": .string(namespace), "name": .string(name), "app": .string(context.app), "environment": .string(context.environment),
        ]
        if let uid = deployment.metadata.uid { data["uid"] = .string(uid) }
        if let revision { data["revision"] = .int(revision) }
        if let generation = deployment.metadata.generation { data["generation"] = .int(generation) }
        data["replicas"] = .int(Int64(deployment.spec?.replicas ?? 1))
        if let version = context.version { data["version"] = .string(version) }
        if let team = context.team { data["team"] = .string(team) }
        if let commit = context.commit { data["commit"] = .string(commit) }
        if let commitTime = context.commitTime { data["commitTime"] = .string(RFC3339.format(commitTime, fractionalDigits: 0)) }
        if let repository = context.repository { data["repository"] = .string(repository) }
        let images = images
        if !images.isEmpty { data["images"] = .object(images.mapValues(JSONValue.string)) }
        return data
    }
}
