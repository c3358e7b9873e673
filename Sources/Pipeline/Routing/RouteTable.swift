import EventModel
import EventStore
import PacerRules
import PacerCore

/// One snapshot of the pipeline configuration: the Ready EventRoutes and CDEventTransforms, compiled.
///
/// Built from the configuration tables' rows. A route names transforms of its own namespace; the snapshot keeps,
/// for every transform that exists but is not Ready, why (so routing can record a clear error instead of a silent skip).
public struct RouteTable: Sendable {
    /// A compiled Ready route.
    public struct Route: Sendable {
        /// `namespace/name`.
        public let key: String
        public let namespace: String
        public let route: CompiledRoute
        /// What this route does, as far as the stored configuration says: its uid and generation and those of the
        /// transforms it names, with their readiness. A new version is applied to the events stored before it
        /// (the stage's catch-up, docs/pipeline.md).
        public let version: String
        /// Whether the route sees every namespace's events; false: only events of its namespace's workloads and
        /// external events, and its CDEvents carry `customData.namespace` = its namespace (docs/security.md).
        public let clusterWide: Bool
        /// `namespace`, `name`.
        public var name: (namespace: String, name: String) {
            (namespace, String(key.dropFirst(namespace.count + 1)))
        }

        public init(key: String, namespace: String, route: CompiledRoute, version: String = "", clusterWide: Bool = true) {
            self.key = key
            self.namespace = namespace
            self.route = route
            self.version = version
            self.clusterWide = clusterWide
        }

        /// Whether the route may see `event` at all: a namespaced route sees the events of its own namespace's
        /// workloads and events of no workload (``CloudEvent/workloadNamespace``).
        public func mayRoute(_ event: CloudEvent) -> Bool {
            if clusterWide { return true }
            guard let workload = event.workloadNamespace else { return true }
            return workload == namespace
        }
    }

    /// Ready routes, ordered by namespace then name.
    public private(set) var routes: [Route] = []
    /// Ready transforms by `namespace/name`.
    public private(set) var transforms: [String: CompiledTransform] = [:]
    /// Transforms that exist but cannot be used, by `namespace/name`, with the reason.
    public private(set) var unusable: [String: String] = [:]

    public init() {}

    /// Compiles the rows of `pacer_event_routes` and `pacer_cdevent_transforms` (all of them, Ready or not).
    /// A row marked Ready whose spec no longer decodes or compiles (written by another Pacer version) is left out
    /// and listed in `problems`.
    public init(routeRows: [ConfigRecord], transformRows: [ConfigRecord]) {
        var transformVersions: [String: String] = [:]
        for row in transformRows {
            transformVersions[row.key] = "\(row.uid)/\(row.generation)/\(row.ready ? "ready" : "not-ready")"
        }
        for row in transformRows {
            let key = "\(row.namespace)/\(row.name)"
            guard row.ready else {
                unusable[key] = "is not Ready: \(row.message ?? "its spec has errors")"
                continue
            }
            switch CDEventTransformSpec.compile(json: row.spec) {
            case .success(let compiled): transforms[key] = compiled
            case .failure(let errors):
                unusable[key] = "does not compile: \(errors)"
                problems.append("CDEventTransform \(key) does not compile: \(errors)")
            }
        }
        for row in routeRows.sorted(by: { ($0.namespace, $0.name) < ($1.namespace, $1.name) }) where row.ready {
            let key = "\(row.namespace)/\(row.name)"
            switch EventRouteSpec.compile(json: row.spec) {
            case .success(let compiled):
                let named = compiled.transforms.sorted().map { name in
                    "\(name)=\(transformVersions["\(row.namespace)/\(name)"] ?? "absent")"
                }
                // A namespaced route is another version of the route (it catches up); a cluster-wide one keeps the
                // version it had before namespace isolation existed, so an upgrade does not rescan every route.
                let scope = row.clusterWide ? [] : ["namespaced"]
                let version = (["\(row.uid)/\(row.generation)"] + scope + named).joined(separator: " ")
                routes.append(Route(key: key, namespace: row.namespace, route: compiled, version: version, clusterWide: row.clusterWide))
            case .failure(let errors): problems.append("EventRoute \(key) does not compile: \(errors)")
            }
        }
    }

    /// Rows marked Ready that could not be used (see ``init(routeRows:transformRows:)``).
    public private(set) var problems: [String] = []

    /// Reads both tables and compiles them.
    public static func load(from store: PostgresConfigStore) async throws -> RouteTable {
        let routes = try await store.rows(.eventRoutes)
        let transforms = try await store.rows(.cdEventTransforms)
        return RouteTable(routeRows: routes, transformRows: transforms)
    }

    /// The same snapshot with only the route `key` (the stage's catch-up of that route); no route when it is not
    /// in this snapshot.
    public func only(route key: String) -> RouteTable {
        var copy = self
        copy.routes = routes.filter { $0.key == key }
        return copy
    }

    /// The transform `name` of `namespace`, or why it cannot be used.
    public func transform(named name: String, in namespace: String) -> Result<CompiledTransform, TransformLookupError> {
        let key = "\(namespace)/\(name)"
        if let compiled = transforms[key] { return .success(compiled) }
        return .failure(TransformLookupError(transform: key, reason: unusable[key] ?? "does not exist"))
    }
}

/// A route names a transform that does not exist or is not Ready.
public struct TransformLookupError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `namespace/name`.
    public var transform: String
    public var reason: String
    public var description: String { "CDEventTransform \(transform) \(reason)" }
}
