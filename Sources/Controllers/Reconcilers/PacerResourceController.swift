import KubeClient
import KubeCore
import KubeRuntime
import OperatorAPI
import PacerRules
import Logging
import ServiceLifecycle

/// Runs a ``PacerResourceReconciler`` for one kind: informers (one cluster-wide, or one per listed namespace) feed a
/// KubeRuntime `Controller`. A `Service`: `run()` returns on graceful shutdown or cancellation.
public final class PacerResourceController: Service, Sendable {
    public let controller: Controller
    let informers: [Informer<DynamicObject>]

    /// - Parameters:
    ///   - namespaces: nil watches every namespace; otherwise only these.
    ///   - informer: watch settings (tests shorten the backoff).
    ///   - scope: which namespaces are cluster-wide (docs/security.md, "Namespace isolation").
    public init(
        client: KubeClient, kind: ConfigKind, store: any ResourceConfigStore, namespaces: [String]? = nil,
        workers: Int = 2, informer: InformerConfiguration = InformerConfiguration(), rateLimiter: RateLimiter = RateLimiter(),
        scope: NamespaceScope = .unrestricted, logger: Logger = Logger(label: "pacer.reconciler")
    ) {
        let name = kind.resource.plural
        let reconciler = PacerResourceReconciler(client: client, kind: kind, store: store, scope: scope, logger: logger)
        controller = Controller(name: name, reconciler: reconciler, workers: workers, rateLimiter: rateLimiter, logger: logger)
        let scopes: [String?] = namespaces.map { $0.map(Optional.some) } ?? [nil]
        informers = scopes.map { namespace in
            Informer(
                source: client.resource(DynamicObject.self, descriptor: kind.resource, namespace: namespace), configuration: informer, logger: logger)
        }
        for informer in informers { informer.addHandler(.enqueue(into: controller.queue)) }
    }

    /// The three controllers (routes, transforms, metrics) over one store.
    public static func all(
        client: KubeClient, store: any ResourceConfigStore, namespaces: [String]? = nil, informer: InformerConfiguration = InformerConfiguration(),
        scope: NamespaceScope = .unrestricted, logger: Logger = Logger(label: "pacer.reconciler")
    ) -> [PacerResourceController] {
        ConfigKind.allCases.map {
            PacerResourceController(
                client: client, kind: $0, store: store, namespaces: namespaces, informer: informer, scope: scope, logger: logger)
        }
    }

    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for informer in informers { group.addTask { try await informer.run() } }
            group.addTask { try await self.controller.run() }
            try await group.waitForAll()
        }
    }
}
