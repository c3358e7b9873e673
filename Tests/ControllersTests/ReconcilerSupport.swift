import Controllers
import EventStore
import Foundation
import PacerApp
import KubeClient
import KubeCore
import KubeRuntime
import KubeSim
import Logging
import OperatorAPI
import PacerRules
import PacerCore
import PostgresNIO
import TestSupport

/// A kube-sim with Pacer's CRDs, a client, and the three config controllers over a PostgreSQL store.
struct ReconcilerEnvironment: Sendable {
    let sim: KubeSim
    let client: KubeClient
    let configStore: any ResourceConfigStore
    let namespaces: [String]?
    /// Which namespaces are cluster-wide (docs/security.md, "Namespace isolation").
    var scope: NamespaceScope = .unrestricted

    /// The PostgreSQL tables (only for environments made with a database).
    var store: PostgresConfigStore {
        get throws {
            guard let store = configStore as? PostgresConfigStore else { throw NoDatabase() }
            return store
        }
    }

    struct NoDatabase: Error {}

    static func with<T: Sendable>(
        database: PostgresClient, scope: NamespaceScope = .unrestricted, _ body: (ReconcilerEnvironment) async throws -> T
    ) async throws -> T {
        try await with(store: PostgresConfigStore(client: database, logger: TestDatabase.logger), scope: scope, body)
    }

    static func with<T: Sendable>(
        store: any ResourceConfigStore, namespaces: [String]? = nil, scope: NamespaceScope = .unrestricted,
        _ body: (ReconcilerEnvironment) async throws -> T
    ) async throws -> T {
        try await SimulatedCluster.with(logger: Logger(label: "reconciler-test.sim")) { sim, client in
            var environment = ReconcilerEnvironment(sim: sim, client: client, configStore: store, namespaces: namespaces)
            environment.scope = scope
            for file in ["crds/eventroute.yaml", "crds/cdeventtransform.yaml", "crds/metricdefinition.yaml"] { try await environment.apply(file) }
            return try await environment.runningControllers { try await body(environment) }
        }
    }

    /// Applies a YAML file of the repository straight into the sim's store.
    func apply(_ relativePath: String) async throws {
        try await sim.apply(yaml: String(contentsOfFile: "\(RepoPaths.root)/\(relativePath)", encoding: .utf8))
    }

    /// Runs the three controllers while `body` runs, then cancels them and waits for them to return.
    func runningControllers<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        var watcher = WatcherConfiguration(
            pageSize: 50, watchTimeoutSeconds: 30, backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500), jitter: 0))
        watcher.minimumHealthyWatch = .zero
        let controllers = PacerResourceController.all(
            client: client, store: configStore, namespaces: namespaces, informer: InformerConfiguration(watcher: watcher),
            scope: scope, logger: Logger(label: "reconciler-test"))
        return try await withRunning(controllers, body)
    }

    func resources(_ descriptor: ResourceDescriptor, namespace: String? = nil) -> ResourceClient<DynamicObject> {
        client.resource(DynamicObject.self, descriptor: descriptor, namespace: namespace)
    }

    /// Every object of the three kinds, with the table its configuration goes to.
    func allObjects() async throws -> [(ConfigKind, DynamicObject)] {
        var result: [(ConfigKind, DynamicObject)] = []
        for (descriptor, table) in [
            (ResourceDescriptor.eventRoutes, ConfigKind.eventRoutes), (.cdEventTransforms, .cdEventTransforms),
            (.metricDefinitions, .metricDefinitions),
        ] {
            result += try await resources(descriptor).listAll().items.map { (table, $0) }
        }
        return result
    }

    /// The `Ready` condition of an object.
    static func ready(_ object: DynamicObject) -> Condition? {
        (try? object.raw["status"]?["conditions"]?.decode(as: [Condition].self))?[type: PacerAPI.readyCondition]
    }

    /// Whether the object's status says it processed its current generation and `Ready` has this status.
    static func isObserved(_ object: DynamicObject, ready status: String) -> Bool {
        guard let condition = ready(object), let generation = object.metadata.generation else { return false }
        return condition.status == status && condition.observedGeneration == generation
            && object.raw["status"]?["observedGeneration"]?.intValue == generation
    }

    /// `kubectl` against the sim, with a temporary kubeconfig.
    func kubectl(_ arguments: [String]) async throws -> Subprocess.Result {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-reconciler-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let kubeconfig = directory.appendingPathComponent("kubeconfig").path
        try sim.writeKubeconfig(to: kubeconfig)
        return try await Subprocess.run(
            ["/usr/bin/kubectl", "--kubeconfig", kubeconfig, "--cache-dir", directory.appendingPathComponent("cache").path] + arguments,
            timeout: .seconds(30))
    }
}
