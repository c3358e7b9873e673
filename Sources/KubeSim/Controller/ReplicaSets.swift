import PacerCore

/// The ReplicaSets of a simulated Deployment, as the real Deployment controller keeps them: one per pod template,
/// named `<deployment>-<pod-template-hash>`, owned by the Deployment (controller ownerReference), labelled and selected
/// by `pod-template-hash`, annotated with the Deployment's annotations and `deployment.kubernetes.io/revision`. A new
/// template gets a new ReplicaSet; a template equal to an old ReplicaSet's (a rollback, `kubectl rollout undo`) reuses
/// that ReplicaSet with the new revision number. Old ReplicaSets are scaled to 0 and kept, at most
/// `spec.revisionHistoryLimit` (default 10) of them, oldest revision deleted first. Deleting the Deployment deletes
/// them (the garbage collector's job in a real cluster).
extension StoreState {
    static let replicaSetsKey = TypeKey(group: "apps", resource: "replicasets")
    static let podTemplateHashLabel = "pod-template-hash"
    /// Deployment annotations the controller does not copy to its ReplicaSets (besides the ones it sets itself).
    static let replicaSetSkippedAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
    ]

    /// The Deployment's ReplicaSets (controller ownerReference with its uid).
    func replicaSets(ownedBy uid: String, namespace: String) -> [JSONValue] {
        (objects[Self.replicaSetsKey] ?? [:]).values.map(\.value).filter { replicaSet in
            replicaSet["metadata"]?["namespace"]?.stringValue == namespace
                && (replicaSet["metadata"]?["ownerReferences"]?.arrayValue ?? []).contains { $0["uid"]?.stringValue == uid }
        }
    }

    /// Brings the ReplicaSets of `deployment` (as just written, with its revision annotation) in line with it.
    mutating func syncReplicaSets(of deployment: JSONValue) throws {
        guard let type = types[Self.replicaSetsKey], let meta = deployment["metadata"], let uid = meta["uid"]?.stringValue,
            let name = meta["name"]?.stringValue, let namespace = meta["namespace"]?.stringValue,
            let revision = meta["annotations"]?[RolloutController.revisionAnnotation]?.stringValue
        else { return }
        let template = deployment["spec"]?["template"] ?? [:]
        let replicas = deployment["spec"]?["replicas"]?.intValue ?? 1
        var options = WriteOptions()
        options.internalWrite = true
        let owned = replicaSets(ownedBy: uid, namespace: namespace)
        let current = owned.first { Self.withoutHash($0["spec"]?["template"] ?? [:]) == Self.withoutHash(template) }
        var annotations = (meta["annotations"]?.objectValue ?? [:]).filter { !Self.replicaSetSkippedAnnotations.contains($0.key) }
        annotations[RolloutController.revisionAnnotation] = .string(revision)
        annotations["deployment.kubernetes.io/desired-replicas"] = .string(String(replicas))
        annotations["deployment.kubernetes.io/max-replicas"] = .string(String(replicas + 1))
        if var object = current {
            object["metadata"]?["annotations"] = .object(annotations)
            object["spec"]?["replicas"] = .int(replicas)
            object["status"] = Self.replicaSetStatus(replicas)
            if object != current, let rsName = object["metadata"]?["name"]?.stringValue {
                _ = try update(type, version: "v1", namespace: namespace, name: rsName, body: object, subresource: nil, options: options)
            }
        } else {
            let hash = Self.podTemplateHash(template)
            var labels = template["metadata"]?["labels"]?.objectValue ?? [:]
            labels[Self.podTemplateHashLabel] = .string(hash)
            var rsTemplate = template
            if rsTemplate["metadata"] == nil { rsTemplate["metadata"] = [:] }
            rsTemplate["metadata"]?["labels"] = .object(labels)
            var matchLabels = deployment["spec"]?["selector"]?["matchLabels"]?.objectValue ?? [:]
            matchLabels[Self.podTemplateHashLabel] = .string(hash)
            let object: JSONValue = [
                "apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": [
                    "name": .string("\(name)-\(hash)"), "namespace": .string(namespace), "labels": .object(labels),
                    "annotations": .object(annotations),
                    "ownerReferences": [
                        [
                            "apiVersion": "apps/v1", "kind": "Deployment", "name": .string(name), "uid": .string(uid), "controller": true,
                            "blockOwnerDeletion": true,
                        ]
                    ],
                ],
                "spec": ["replicas": .int(replicas), "selector": ["matchLabels": .object(matchLabels)], "template": rsTemplate],
                "status": Self.replicaSetStatus(replicas),
            ]
            _ = try create(type, version: "v1", namespace: namespace, body: object, options: options)
        }
        // Old ReplicaSets: scaled to 0, the oldest deleted beyond revisionHistoryLimit.
        let currentName = current?["metadata"]?["name"]?.stringValue ?? "\(name)-\(Self.podTemplateHash(template))"
        var old = replicaSets(ownedBy: uid, namespace: namespace).filter { $0["metadata"]?["name"]?.stringValue != currentName }
        old.sort { Self.revision(of: $0) < Self.revision(of: $1) }
        let limit = Int(deployment["spec"]?["revisionHistoryLimit"]?.intValue ?? 10)
        for (index, replicaSet) in old.enumerated() {
            guard let rsName = replicaSet["metadata"]?["name"]?.stringValue else { continue }
            if index < old.count - max(0, limit) {
                _ = try delete(type, namespace: namespace, name: rsName, options: options, preconditionRV: nil)
            } else if replicaSet["spec"]?["replicas"]?.intValue != 0 {
                var scaled = replicaSet
                scaled["spec"]?["replicas"] = 0
                scaled["status"] = Self.replicaSetStatus(0)
                _ = try update(type, version: "v1", namespace: namespace, name: rsName, body: scaled, subresource: nil, options: options)
            }
        }
    }

    /// Deletes the ReplicaSets of a deleted Deployment.
    mutating func deleteReplicaSets(ownedBy uid: String, namespace: String) {
        guard let type = types[Self.replicaSetsKey] else { return }
        var options = WriteOptions()
        options.internalWrite = true
        for replicaSet in replicaSets(ownedBy: uid, namespace: namespace) {
            guard let rsName = replicaSet["metadata"]?["name"]?.stringValue else { continue }
            _ = try? delete(type, namespace: namespace, name: rsName, options: options, preconditionRV: nil)
        }
    }

    static func replicaSetStatus(_ replicas: Int64) -> JSONValue {
        ["replicas": .int(replicas), "fullyLabeledReplicas": .int(replicas), "readyReplicas": .int(replicas),
         "availableReplicas": .int(replicas), "observedGeneration": 1]
    }

    static func revision(of replicaSet: JSONValue) -> Int64 {
        Int64(replicaSet["metadata"]?["annotations"]?[RolloutController.revisionAnnotation]?.stringValue ?? "") ?? 0
    }

    /// The template without the `pod-template-hash` label (how the controller compares templates).
    static func withoutHash(_ template: JSONValue) -> JSONValue {
        var copy = template
        if var labels = copy["metadata"]?["labels"]?.objectValue {
            labels[podTemplateHashLabel] = nil
            copy["metadata"]?["labels"] = .object(labels)
        }
        return copy
    }

    /// A stable 10-character hash of the template, in the alphabet Kubernetes uses for generated names.
    static func podTemplateHash(_ template: JSONValue) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in withoutHash(template).jsonString().utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var text = ""
        for _ in 0..<10 {
            text.append(alphabet[Int(hash % UInt64(alphabet.count))])
            hash /= UInt64(alphabet.count)
        }
        return text
    }
}
