import Controllers
import EventModel
import Foundation
import KubeCore
import PacerCore

/// Builders for Deployment states as the API server and the Deployment controller produce them.
enum Fixture {
    static let created = Date(timeIntervalSince1970: 1_700_000_000)

    static func time(_ offset: TimeInterval) -> KubeTime { KubeTime(created.addingTimeInterval(offset)) }

    static func deployment(
        name: String = "web", namespace: String = "shop", uid: String = "uid-1", generation: Int64 = 1, replicas: Int32 = 3,
        images: [(String, String)] = [("app", "registry.example/web:1.0.0")], annotations: [String: String] = [:],
        labels: [String: String] = [:], templateAnnotations: [String: String]? = nil, templateLabels: [String: String]? = nil
    ) -> Deployment {
        Deployment(
            metadata: ObjectMeta(
                name: name, namespace: namespace, labels: labels.isEmpty ? nil : labels, annotations: annotations.isEmpty ? nil : annotations,
                resourceVersion: "1", uid: uid, generation: generation, creationTimestamp: KubeTime(created)),
            spec: Deployment.Spec(
                replicas: replicas,
                template: Deployment.PodTemplate(
                    metadata: Deployment.TemplateMeta(labels: templateLabels ?? ["app": name], annotations: templateAnnotations),
                    spec: Deployment.PodSpec(containers: images.map { Deployment.Container(name: $0.0, image: $0.1) }))))
    }

    static func namespace(_ name: String = "shop", annotations: [String: String] = [:]) -> Namespace {
        Namespace(metadata: ObjectMeta(name: name, annotations: annotations.isEmpty ? nil : annotations))
    }
}

extension Deployment {
    /// The controller picked up the current template as `revision` and is rolling it out.
    func progressing(revision: Int64, at offset: TimeInterval, updated: Int32 = 1, available: Int32 = 0, availableSince: TimeInterval? = nil) -> Deployment {
        var copy = self
        copy.metadata.annotations = (metadata.annotations ?? [:]).merging([WorkloadAnnotations.revision: String(revision)]) { $1 }
        let replicas = spec?.replicas ?? 1
        copy.status = DeploymentStatus(
            observedGeneration: metadata.generation, replicas: replicas, updatedReplicas: updated, readyReplicas: available,
            availableReplicas: available,
            conditions: [
                DeploymentCondition(
                    type: "Available", status: availableSince == nil ? "False" : "True",
                    reason: availableSince == nil ? "MinimumReplicasUnavailable" : "MinimumReplicasAvailable",
                    lastUpdateTime: Fixture.time(offset), lastTransitionTime: Fixture.time(availableSince ?? offset)),
                DeploymentCondition(
                    type: "Progressing", status: "True", reason: "ReplicaSetUpdated", lastUpdateTime: Fixture.time(offset),
                    lastTransitionTime: Fixture.time(0)),
            ])
        return copy
    }

    /// The rollout of `revision` finished at `offset`; Available True since `availableSince`.
    func completed(revision: Int64, at offset: TimeInterval, availableSince: TimeInterval? = nil) -> Deployment {
        var copy = self
        copy.metadata.annotations = (metadata.annotations ?? [:]).merging([WorkloadAnnotations.revision: String(revision)]) { $1 }
        let replicas = spec?.replicas ?? 1
        copy.status = DeploymentStatus(
            observedGeneration: metadata.generation, replicas: replicas, updatedReplicas: replicas, readyReplicas: replicas,
            availableReplicas: replicas,
            conditions: [
                DeploymentCondition(
                    type: "Available", status: "True", reason: "MinimumReplicasAvailable", lastUpdateTime: Fixture.time(availableSince ?? offset),
                    lastTransitionTime: Fixture.time(availableSince ?? offset)),
                DeploymentCondition(
                    type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", lastUpdateTime: Fixture.time(offset),
                    lastTransitionTime: Fixture.time(0)),
            ])
        return copy
    }

    /// The rollout of `revision` exceeded its progress deadline at `offset`.
    func failed(revision: Int64, at offset: TimeInterval) -> Deployment {
        var copy = progressing(revision: revision, at: offset - 1, available: spec?.replicas ?? 1, availableSince: 1)
        copy.status?.conditions?[1] = DeploymentCondition(
            type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "ReplicaSet \"web-abc\" has timed out progressing.",
            lastUpdateTime: Fixture.time(offset), lastTransitionTime: Fixture.time(offset))
        return copy
    }

    /// Available flipped to `available` at `offset` (everything else unchanged).
    func availability(_ available: Bool, at offset: TimeInterval) -> Deployment {
        var copy = self
        copy.status?.conditions?[0] = DeploymentCondition(
            type: "Available", status: available ? "True" : "False", reason: available ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable",
            lastUpdateTime: Fixture.time(offset), lastTransitionTime: Fixture.time(offset))
        copy.status?.availableReplicas = available ? spec?.replicas : 0
        return copy
    }

    /// A new pod template (images) with the generation bumped, status not yet caught up.
    func withImages(_ images: [(String, String)]) -> Deployment {
        var copy = self
        copy.spec?.template?.spec?.containers = images.map { Deployment.Container(name: $0.0, image: $0.1) }
        copy.metadata.generation = (metadata.generation ?? 1) + 1
        return copy
    }

    func scaled(to replicas: Int32) -> Deployment {
        var copy = self
        copy.spec?.replicas = replicas
        copy.metadata.generation = (metadata.generation ?? 1) + 1
        return copy
    }
}

extension CloudEvent {
    var dataObject: [String: JSONValue] { data?.jsonValue?.objectValue ?? [:] }
}

extension Array where Element == CloudEvent {
    var types: [String] { map { String($0.type.dropFirst("dev.pacer.deployment.".count)) } }
}

extension Deployment {
    /// What `kubectl rollout restart` does: sets the pod template annotation `kubectl.kubernetes.io/restartedAt`
    /// (to `at`), which bumps the generation.
    func restarted(at: String) -> Deployment {
        var copy = self
        var annotations = spec?.template?.metadata?.annotations ?? [:]
        annotations["kubectl.kubernetes.io/restartedAt"] = at
        copy.spec?.template?.metadata?.annotations = annotations
        copy.metadata.generation = (metadata.generation ?? 1) + 1
        return copy
    }
}
