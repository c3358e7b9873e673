import KubeCore
import KubeRuntime
import PacerCore
import Synchronization

/// Earlier pod templates of a workload, for decisions a deriver cannot make from what it has seen itself (a
/// Deployment first seen after Pacer started: was its current revision a `kubectl rollout restart`?).
public protocol PodTemplateHistory: Sendable {
    /// The pod template (raw `spec.template` JSON) of the revision of the workload with `ownerUID` in `namespace` right
    /// before `revision`: the highest revision below it that is still kept, if any.
    func template(namespace: String, ownerUID: String, before revision: Int64) -> JSONValue?
}

/// The Deployments' ReplicaSets, by owner: each keeps its Deployment revision's pod template and its
/// `deployment.kubernetes.io/revision` annotation (Kubernetes keeps `spec.revisionHistoryLimit`, default 10, old ones).
/// Fed by a ReplicaSet informer (``WorkloadSource`` lists and watches ReplicaSets when it watches Deployments).
public final class ReplicaSetTemplates: PodTemplateHistory {
    struct Entry: Sendable {
        var revision: Int64
        var template: JSONValue
    }

    /// `namespace/ownerUID` → ReplicaSet name → its revision and template.
    private let owners = Mutex<[String: [String: Entry]]>([:])

    public init() {}

    /// Records an added or updated ReplicaSet.
    public func upsert(_ replicaSet: DynamicObject) {
        guard let (owner, name) = Self.key(replicaSet) else { return }
        let revision = replicaSet["metadata"]?["annotations"]?[WorkloadAnnotations.revision]?.stringValue.flatMap { Int64($0) }
        guard let revision, let template = replicaSet["spec"]?["template"] else {
            remove(replicaSet)
            return
        }
        owners.withLock { $0[owner, default: [:]][name] = Entry(revision: revision, template: template) }
    }

    /// Forgets a deleted ReplicaSet.
    public func remove(_ replicaSet: DynamicObject) {
        guard let (owner, name) = Self.key(replicaSet) else { return }
        owners.withLock { owners in
            owners[owner]?[name] = nil
            if owners[owner]?.isEmpty == true { owners[owner] = nil }
        }
    }

    public func template(namespace: String, ownerUID: String, before revision: Int64) -> JSONValue? {
        owners.withLock { owners in
            owners["\(namespace)/\(ownerUID)"]?.values.filter { $0.revision < revision }.max { $0.revision < $1.revision }?.template
        }
    }

    /// The informer handler that keeps this index current.
    public var handler: InformerHandler<DynamicObject> {
        InformerHandler(
            added: { [self] in upsert($0) }, updated: { [self] _, new in upsert(new) }, deleted: { [self] in remove($0) },
            resync: { [self] in upsert($0) })
    }

    /// `namespace/<controller owner uid>` and the ReplicaSet's name, for a ReplicaSet a Deployment controls.
    static func key(_ replicaSet: DynamicObject) -> (String, String)? {
        guard let namespace = replicaSet["metadata"]?["namespace"]?.stringValue, let name = replicaSet["metadata"]?["name"]?.stringValue,
            let owner = (replicaSet["metadata"]?["ownerReferences"]?.arrayValue ?? []).first(where: {
                $0["kind"]?.stringValue == "Deployment" && $0["controller"]?.boolValue == true
            })?["uid"]?.stringValue
        else { return nil }
        return ("\(namespace)/\(owner)", name)
    }

    /// Keeps only what the index reads: name, namespace, owners, the revision annotation and the pod template.
    @Sendable public static func slim(_ replicaSet: DynamicObject) -> DynamicObject {
        let metadata = replicaSet["metadata"]
        var slimMetadata: [String: JSONValue] = [:]
        for key in ["name", "namespace", "uid", "resourceVersion", "ownerReferences"] { slimMetadata[key] = metadata?[key] }
        if let revision = metadata?["annotations"]?[WorkloadAnnotations.revision] {
            slimMetadata["annotations"] = .object([WorkloadAnnotations.revision: revision])
        }
        var raw: JSONValue = ["metadata": .object(slimMetadata)]
        for key in ["apiVersion", "kind"] { if let value = replicaSet.raw[key] { raw[key] = value } }
        if let template = replicaSet["spec"]?["template"] { raw["spec"] = ["template": template] }
        return (try? DynamicObject(raw)) ?? replicaSet
    }
}
