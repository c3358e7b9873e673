import EventModel
import PacerCore

/// Which namespaces' EventRoutes, CDEventTransforms and MetricDefinitions see every namespace's events
/// (docs/security.md, "Namespace isolation"). The reconcilers decide it per resource and store it in the
/// configuration record (``ConfigRecord/clusterWide``); the pipeline and `pacer recompute` read it from there.
public struct NamespaceScope: Sendable, Hashable {
    /// nil: isolation is off and every namespace is cluster-wide (`pacer serve`, `pacer run` without
    /// `--namespace-isolation`).
    public let clusterWideNamespaces: Set<String>?

    /// Isolation off: every resource sees every namespace's events.
    public static let unrestricted = NamespaceScope(clusterWideNamespaces: nil)

    /// Isolation on: only resources in `clusterWideNamespaces` (the operator's namespace and those the
    /// cluster-admin lists) see every namespace; the others see their own namespace.
    public static func isolated(clusterWide: Set<String>) -> NamespaceScope {
        NamespaceScope(clusterWideNamespaces: clusterWide)
    }

    public init(clusterWideNamespaces: Set<String>?) {
        self.clusterWideNamespaces = clusterWideNamespaces
    }

    /// Whether a resource in `namespace` sees every namespace's events.
    public func isClusterWide(_ namespace: String) -> Bool {
        clusterWideNamespaces?.contains(namespace) ?? true
    }
}

extension CloudEvent {
    /// The namespace of the Kubernetes workload this event reports on, when it is one Pacer recognises: its own
    /// workload source (`source` `/k8s/<cluster>/apis/<group>/<version>/namespaces/<ns>/…`, also `/api/v1/…`), or a
    /// Knative ApiServerSource event (`type` `dev.knative.apiserver.*`: `data.metadata.namespace`, else
    /// `data.involvedObject.namespace`). nil for every other event (an external event: CI, a webhook, a CD tool).
    ///
    /// An EventRoute of a namespace that is not cluster-wide matches only events whose workload namespace is its own
    /// or nil (docs/security.md).
    public var workloadNamespace: String? {
        if source.hasPrefix("/k8s/") {
            let parts = source.split(separator: "/", omittingEmptySubsequences: false)
            // "", "k8s", cluster, "apis", group, version, "namespaces", ns, … or "", "k8s", cluster, "api", version, "namespaces", ns, …
            if let index = parts.dropFirst(4).firstIndex(of: "namespaces"), index + 1 < parts.count, !parts[index + 1].isEmpty {
                return String(parts[index + 1])
            }
            return nil
        }
        if type.hasPrefix("dev.knative.apiserver."), let data = data?.jsonValue {
            for path in [["metadata", "namespace"], ["involvedObject", "namespace"]] {
                if let namespace = data[path: path]?.stringValue, !namespace.isEmpty { return namespace }
            }
        }
        return nil
    }
}
