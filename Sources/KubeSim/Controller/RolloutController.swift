import Foundation
import Logging
import PacerCore
import Synchronization

/// Simulates the Deployment controller. On a new pod template it bumps the
/// `deployment.kubernetes.io/revision` annotation and writes a "progressing" status after one
/// `delay`, then the final status after another. Replica-only changes just update the counts.
/// Each write also syncs the Deployment's ReplicaSets (`ReplicaSets.swift`: one per template, old ones kept up to
/// `revisionHistoryLimit`), so clients can read earlier revisions' templates as in a real cluster.
/// Annotations `kube-sim.pacer.dev/fail-rollout: "true"` (ProgressDeadlineExceeded) and
/// `kube-sim.pacer.dev/unavailable: "true"` (Available False) steer the outcome.
///
/// All writes go through the store, so watches see them as MODIFIED with a new resourceVersion.
/// `run()` returns when its task is cancelled; the per-deployment delays are child tasks of a
/// discarding task group, so nothing outlives it.
final class RolloutController: Sendable {
    static let revisionAnnotation = "deployment.kubernetes.io/revision"
    static let failAnnotation = "kube-sim.pacer.dev/fail-rollout"
    static let unavailableAnnotation = "kube-sim.pacer.dev/unavailable"

    struct Rolled: Sendable {
        var template: JSONValue
        var revision: Int64
    }

    let store: ObjectStore
    let delay: Duration
    let logger: Logger
    /// Last rolled-out template per Deployment uid.
    private let rolled = Mutex<[String: Rolled]>([:])
    /// Deployments with a reconcile already scheduled.
    private let pending = Mutex<Set<String>>([])

    init(store: ObjectStore, delay: Duration, logger: Logger) {
        self.store = store
        self.delay = delay
        self.logger = logger
    }

    func run() async {
        let key = StoreState.deploymentsKey
        while !Task.isCancelled {
            guard case .opened(let id, let initial, _, let events) = try? store.openWatch(key, namespace: nil, resourceVersion: nil) else { return }
            await withDiscardingTaskGroup { group in
                for event in initial { schedule(event, in: &group) }
                for await signal in events {
                    guard case .event(let event) = signal else { continue }
                    if event.type != .deleted {
                        schedule(event, in: &group)
                    } else if let uid = event.object["metadata"]?["uid"]?.stringValue {
                        // The garbage collector's part: the Deployment's ReplicaSets go with it.
                        try? store.transact { $0.deleteReplicaSets(ownedBy: uid, namespace: event.namespace) }
                    }
                }
            }
            store.closeWatch(id, key: key)
        }
    }

    private func schedule(_ event: StoreEvent, in group: inout DiscardingTaskGroup) {
        let objectKey = StoreState.objectKey(namespace: event.namespace, name: event.name)
        guard nextStatus(event.object) != nil, pending.withLock({ $0.insert(objectKey).inserted }) else { return }
        let namespace = event.namespace
        let name = event.name
        group.addTask {
            try? await Task.sleep(for: self.delay)
            self.pending.withLock { _ = $0.remove(objectKey) }
            guard !Task.isCancelled else { return }
            self.reconcile(namespace: namespace, name: name)
        }
    }

    private func reconcile(namespace: String, name: String) {
        do {
            try store.transact { state in
                guard let type = state.types[StoreState.deploymentsKey],
                    let current = state.stored(type.key, namespace: namespace, name: name),
                    let (object, rolledOut) = nextStatus(current.value)
                else { return }
                // Through /status, as the real controller writes (its revision annotation rides along): no generation bump.
                var options = WriteOptions()
                options.internalWrite = true
                let written = try state.update(type, version: "v1", namespace: namespace, name: name, body: object, subresource: "status", options: options)
                try state.syncReplicaSets(of: written.object)
                if let uid = object["metadata"]?["uid"]?.stringValue { rolled.withLock { $0[uid] = rolledOut } }
            }
        } catch {
            logger.debug("rollout step for \(namespace)/\(name) failed: \(error)")
        }
    }

    /// The object with its next status (and revision), or nil when it is settled.
    private func nextStatus(_ deployment: JSONValue) -> (JSONValue, Rolled)? {
        guard deployment["metadata"]?["deletionTimestamp"] == nil, let uid = deployment["metadata"]?["uid"]?.stringValue else { return nil }
        let template = deployment["spec"]?["template"] ?? .null
        let annotations = deployment["metadata"]?["annotations"]?.objectValue ?? [:]
        let revision = Int64(annotations[Self.revisionAnnotation]?.stringValue ?? "") ?? 0
        let generation = deployment["metadata"]?["generation"]?.intValue ?? 1
        let status = deployment["status"] ?? [:]
        var known = rolled.withLock { $0[uid] }
        if known == nil, revision > 0, status["observedGeneration"]?.intValue == generation {
            known = Rolled(template: template, revision: revision)  // adopt a deployment that was already rolled out
        }
        let replicas = deployment["spec"]?["replicas"]?.intValue ?? 1
        let unavailable = annotations[Self.unavailableAnnotation]?.stringValue == "true"
        var object = deployment
        if let known, known.template == template {
            let failed = annotations[Self.failAnnotation]?.stringValue == "true"
            let desired = DeploymentStatus.settled(
                name: deployment["metadata"]?["name"]?.stringValue ?? "", generation: generation, replicas: replicas,
                failed: failed, unavailable: unavailable, previous: status)
            guard DeploymentStatus.comparable(desired) != DeploymentStatus.comparable(status) else { return nil }
            object["status"] = desired
            return (object, known)
        }
        let newRevision = max(revision, known?.revision ?? 0) + 1
        object["metadata"]?["annotations"] = .object(annotations.merging([Self.revisionAnnotation: .string(String(newRevision))]) { $1 })
        object["status"] = DeploymentStatus.progressing(
            name: deployment["metadata"]?["name"]?.stringValue ?? "", generation: generation, replicas: replicas,
            unavailable: unavailable, previous: status)
        return (object, Rolled(template: template, revision: newRevision))
    }
}
