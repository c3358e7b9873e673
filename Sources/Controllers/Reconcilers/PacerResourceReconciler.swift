import KubeClient
import KubeCore
import KubeRuntime
import Logging
import OperatorAPI
import PacerRules
import PacerCore

/// Level-based reconciler for one of Pacer's custom resource kinds (`EventRoute`, `CDEventTransform`,
/// `MetricDefinition`): keeps the finalizer, compiles the spec, writes the configuration record and sets the
/// `Ready` condition through the `/status` subresource. See docs/reconcilers.md.
public struct PacerResourceReconciler: Reconciler {
    /// The finalizer that makes deletion wait until the configuration record is removed.
    public static let finalizer = "pacer.dev/cleanup"

    let client: KubeClient
    let kind: ConfigKind
    let store: any ResourceConfigStore
    /// Decides ``ConfigRecord/clusterWide`` for the resource's namespace (docs/security.md, "Namespace isolation").
    let scope: NamespaceScope
    let logger: Logger

    public init(
        client: KubeClient, kind: ConfigKind, store: any ResourceConfigStore, scope: NamespaceScope = .unrestricted,
        logger: Logger = Logger(label: "pacer.reconciler")
    ) {
        self.client = client
        self.kind = kind
        self.store = store
        self.scope = scope
        self.logger = logger
    }

    public func reconcile(_ key: ObjectKey) async throws -> ReconcileResult {
        let resources = client.resource(DynamicObject.self, descriptor: kind.resource, namespace: key.namespace)
        let namespace = key.namespace ?? ""
        guard var object = try await resources.getIfPresent(key.name) else {
            // Gone (deleted before we added the finalizer, or already cleaned up): make sure no record remains.
            try await store.delete(kind, namespace: namespace, name: key.name)
            return .done
        }
        var finalizers = object.metadata.finalizers ?? []
        if object.metadata.deletionTimestamp != nil {
            guard finalizers.contains(Self.finalizer) else { return .done }
            do {
                try await store.delete(kind, namespace: namespace, name: key.name)
            } catch {
                let condition = Condition.notReady(
                    reason: "ReconcileError", message: "removing the configuration failed: \(error)", generation: object.metadata.generation)
                try? await setReady(condition, object, resources)
                throw error
            }
            finalizers.removeAll { $0 == Self.finalizer }
            _ = try await resources.patch(key.name, mergePatch: finalizerPatch(finalizers, object))
            logger.debug("released finalizer", metadata: ["object": "\(key)"])
            return .done
        }
        if !finalizers.contains(Self.finalizer) {
            finalizers.append(Self.finalizer)
            object = try await resources.patch(key.name, mergePatch: finalizerPatch(finalizers, object))
        }

        let generation = object.metadata.generation ?? 0
        let spec = object.raw["spec"] ?? .object([:])
        let errors = kind.check(spec)
        let record = ConfigRecord(
            namespace: namespace, name: key.name, uid: object.metadata.uid ?? "", generation: generation, spec: spec,
            ready: errors == nil, message: errors?.description, clusterWide: scope.isClusterWide(namespace))
        do {
            try await store.upsert(kind, record)
        } catch {
            let message = "writing the configuration failed: \(error)"
            try? await setReady(.notReady(reason: "ReconcileError", message: message, generation: generation), object, resources)
            throw error
        }
        let condition: Condition =
            if let errors { .invalidSpec(errors, generation: generation) } else { .ready(reason: "Compiled", generation: generation) }
        try await setReady(condition, object, resources)
        return .done
    }

    /// Merge-patches the `Ready` condition and `observedGeneration` on `/status`, keeping other conditions and
    /// every other status field; skips the write when nothing would change (so status writes do not loop).
    private func setReady(_ condition: Condition, _ object: DynamicObject, _ resources: ResourceClient<DynamicObject>) async throws {
        let status = object.raw["status"]
        let old: [Condition] = (try? status?["conditions"]?.decode(as: [Condition].self)) ?? []
        var conditions = old
        conditions.set(condition)
        let oldGeneration = status?["observedGeneration"]?.intValue
        if conditions.map(Self.comparable) == old.map(Self.comparable), oldGeneration == condition.observedGeneration { return }
        let patch: JSONValue = [
            "status": [
                "conditions": try JSONValue(encoding: conditions),
                "observedGeneration": condition.observedGeneration.map(JSONValue.int) ?? .null,
            ]
        ]
        guard let name = object.metadata.name else { return }
        _ = try await resources.patchStatus(name, mergePatch: patch)
    }

    /// A condition without its transition time (which `set` keeps when the status is unchanged).
    private static func comparable(_ condition: Condition) -> Condition {
        var condition = condition
        condition.lastTransitionTime = nil
        return condition
    }

    private func finalizerPatch(_ finalizers: [String], _ object: DynamicObject) -> JSONValue {
        var metadata: JSONValue = ["finalizers": .array(finalizers.map(JSONValue.string))]
        if let resourceVersion = object.metadata.resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        return ["metadata": metadata]
    }
}
