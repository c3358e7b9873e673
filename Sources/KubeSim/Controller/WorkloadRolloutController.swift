import Foundation
import Logging
import PacerCore
import Synchronization

/// Simulates the StatefulSet or DaemonSet controller (one ``WorkloadSimulation``): a new pod template starts a
/// rollout whose "progressing" status is written after one `delay` and whose settled status after another. Equal
/// templates get equal revision names (`<name>-<hash>`, as ControllerRevisions are reused). The Deployment
/// controller's fault annotations steer the outcome (`kube-sim.pacer.dev/fail-rollout`: the first new pod never gets
/// ready, so the rollout stalls; `kube-sim.pacer.dev/unavailable`: no pod is ready). Writes go through the store.
final class WorkloadRolloutController<Simulation: WorkloadSimulation>: Sendable {
    let store: ObjectStore
    let delay: Duration
    let logger: Logger
    private let rolled = Mutex<[String: SimulatedRollout]>([:])
    private let pending = Mutex<Set<String>>([])

    init(store: ObjectStore, delay: Duration, logger: Logger) {
        self.store = store
        self.delay = delay
        self.logger = logger
    }

    func run() async {
        let key = Simulation.key
        while !Task.isCancelled {
            guard case .opened(let id, let initial, _, let events) = try? store.openWatch(key, namespace: nil, resourceVersion: nil) else { return }
            await withDiscardingTaskGroup { group in
                for event in initial { schedule(event, in: &group) }
                for await signal in events {
                    if case .event(let event) = signal, event.type != .deleted { schedule(event, in: &group) }
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
                guard let type = state.types[Simulation.key],
                    let current = state.stored(type.key, namespace: namespace, name: name),
                    let (object, rollout) = nextStatus(current.value)
                else { return }
                var options = WriteOptions()
                options.internalWrite = true
                _ = try state.update(type, version: "v1", namespace: namespace, name: name, body: object, subresource: nil, options: options)
                if let uid = object["metadata"]?["uid"]?.stringValue { rolled.withLock { $0[uid] = rollout } }
            }
        } catch {
            logger.debug("\(Simulation.key.resource) rollout step for \(namespace)/\(name) failed: \(error)")
        }
    }

    /// The object with its next status, or nil when it is settled.
    private func nextStatus(_ object: JSONValue) -> (JSONValue, SimulatedRollout)? {
        guard object["metadata"]?["deletionTimestamp"] == nil, let uid = object["metadata"]?["uid"]?.stringValue else { return nil }
        let template = object["spec"]?["template"] ?? .null
        let status = object["status"] ?? [:]
        let known = rolled.withLock { $0[uid] } ?? Simulation.adopt(object)
        var next = object
        if let known, known.template == template {
            let desired = Simulation.status(object, rollout: known, settled: true)
            guard desired != status else { return nil }
            next["status"] = desired
            return (next, known)
        }
        let rollout = SimulatedRollout(template: template, revision: RevisionName.of(object, template: template), previous: known?.revision)
        next["status"] = Simulation.status(object, rollout: rollout, settled: false)
        return (next, rollout)
    }
}

/// Revision names of the simulated controllers.
enum RevisionName {
    /// `<name>-<hash of the template>`, like a ControllerRevision's name.
    static func of(_ object: JSONValue, template: JSONValue) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in template.jsonString().utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let suffix = String((0..<10).map { i in alphabet[Int((hash >> UInt32(i * 3)) % UInt32(alphabet.count))] })
        return "\(object["metadata"]?["name"]?.stringValue ?? "")-\(suffix)"
    }
}
