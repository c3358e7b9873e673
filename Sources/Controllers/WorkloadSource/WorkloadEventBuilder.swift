import EventModel
import Foundation
import KubeCore
import PacerCore

/// Builds the CloudEvents of one workload: context attributes, the `cluster` extension attribute (the configured
/// cluster name, which the router writes into the CDEvents as `customData.cluster`), and the workload context in `data`.
struct WorkloadEventBuilder {
    let kind: WorkloadKind
    let metadata: ObjectMeta
    let template: Deployment.PodTemplate?
    /// The desired replica count written as `data.replicas` (nil: omitted).
    let replicas: Int64?
    let context: WorkloadContext
    let clusterName: String

    var namespace: String { metadata.namespace ?? "" }
    var name: String { metadata.name ?? "" }

    /// Container name → image of the current pod template.
    var images: [String: String] {
        var images: [String: String] = [:]
        for container in template?.spec?.containers ?? [] {
            if let image = container.image { images[container.name] = image }
        }
        return images
    }

    var source: String {
        let resource = kind.descriptor
        return "/k8s/\(clusterName)/apis/\(resource.group)/\(resource.version)/namespaces/\(namespace)/\(resource.plural)/\(name)"
    }

    func event(_ fact: WorkloadFact, id: String, time: Date, revision: JSONValue?, extra: [String: JSONValue] = [:]) -> CloudEvent {
        var data = workloadData(revision: revision)
        data.merge(extra) { _, new in new }
        return CloudEvent(
            id: id, source: source, type: kind.eventType(fact), datacontenttype: "application/json", subject: "\(namespace)/\(name)",
            time: RFC3339.format(time, fractionalDigits: 3), extensions: ["cluster": .string(clusterName)], data: .json(.object(data)))
    }

    /// `kind`, `namespace`, `name`, `uid`, `revision`, `generation`, `replicas`, `app`, `version`, `environment`,
    /// `team`, `commit`, `commitTime`, `repository`, `images`; absent ones are omitted.
    func workloadData(revision: JSONValue?) -> [String: JSONValue] {
        var data: [String: JSONValue] = [
            "kind": .string(kind.rawValue), "namespace": .string(namespace), "name": .string(name), "app": .string(context.app),
            "environment": .string(context.environment),
        ]
        if let uid = metadata.uid { data["uid"] = .string(uid) }
        if let revision { data["revision"] = revision }
        if let generation = metadata.generation { data["generation"] = .int(generation) }
        if let replicas { data["replicas"] = .int(replicas) }
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
