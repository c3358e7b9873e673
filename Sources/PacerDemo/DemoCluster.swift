import Foundation
import KubeClient
import KubeCore
import KubeSim
import Logging
import OperatorAPI
import PacerRules
import PacerCore

/// The Kubernetes side of `pacer-demo`: kube-sim in process (no `--kubeconfig`) or a real cluster, the
/// manifests from `crds/` and `examples/`, and the live Deployment changes.
final class DemoCluster: Sendable {
    /// The in-process kube-sim; nil against a real cluster.
    let sim: KubeSim?
    let client: KubeClient
    /// The kubeconfig Pacer (and the user's kubectl) use.
    let kubeconfig: String
    let namespace: String
    static let fieldManager = "pacer-demo"

    private init(sim: KubeSim?, client: KubeClient, kubeconfig: String, namespace: String) {
        self.sim = sim
        self.client = client
        self.kubeconfig = kubeconfig
        self.namespace = namespace
    }

    /// Starts kube-sim and writes its kubeconfig to `directory/kubeconfig`, or connects to `kubeconfig`.
    static func start(kubeconfig: String?, directory: String, logger: Logger) async throws -> DemoCluster {
        if let kubeconfig {
            let configuration = try KubeClientConfiguration.resolve(kubeconfigPath: kubeconfig)
            return DemoCluster(
                sim: nil, client: try KubeClient(configuration: configuration, logger: logger), kubeconfig: kubeconfig,
                namespace: configuration.namespace)
        }
        var simLogger = logger
        simLogger.logLevel = max(logger.logLevel, .warning)
        let sim = KubeSim(configuration: KubeSimConfiguration(), logger: simLogger)
        _ = try await sim.start()
        do {
            let path = directory + "/kubeconfig"
            try sim.writeKubeconfig(to: path)
            var configuration = try KubeClientConfiguration.fromKubeconfig(text: sim.kubeconfig())
            configuration.requestTimeout = .seconds(10)
            return DemoCluster(sim: sim, client: try KubeClient(configuration: configuration, logger: logger), kubeconfig: path, namespace: "default")
        } catch {
            await sim.stop()
            throw error
        }
    }

    func stop() async {
        try? await client.shutdown()
        await sim?.stop()
    }

    // MARK: Manifests

    /// The top-level `*.yaml` files of `folder`, sorted by name.
    static func manifests(in folder: String) throws -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw DemoError("\(folder) not found: run pacer-demo from the repository root or pass --repo-root")
        }
        let files = names.filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { folder + "/" + $0 }
        guard !files.isEmpty else { throw DemoError("no YAML files in \(folder)") }
        return files
    }

    /// Applies every document of `files` (kube-sim: create-or-update; a real cluster: server-side apply,
    /// retried for up to 30 s while a just-created CRD is not served yet). Returns the number of objects per kind.
    func apply(files: [String]) async throws -> [String: Int] {
        var count: [String: Int] = [:]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw DemoError("cannot read \(file)") }
            let text = String(decoding: data, as: UTF8.self)
            let documents: [JSONValue]
            do {
                documents = try YAML.documents(text).filter { $0.objectValue != nil }
            } catch {
                throw DemoError("\(file): \(error)")
            }
            if let sim {
                do {
                    try await sim.apply(yaml: text)
                } catch {
                    throw DemoError("\(file): \(error)")
                }
            } else {
                for document in documents { try await applyToCluster(document, file: file) }
            }
            for document in documents { count[document["kind"]?.stringValue ?? "", default: 0] += 1 }
        }
        return count
    }

    private func applyToCluster(_ object: JSONValue, file: String) async throws {
        let kind = object["kind"]?.stringValue ?? ""
        let descriptor: ResourceDescriptor
        switch kind {
        case "CustomResourceDefinition":
            descriptor = ResourceDescriptor(
                group: "apiextensions.k8s.io", version: "v1", plural: "customresourcedefinitions", kind: kind, namespaced: false)
        case "EventRoute": descriptor = .eventRoutes
        case "CDEventTransform": descriptor = .cdEventTransforms
        case "MetricDefinition": descriptor = .metricDefinitions
        default: throw DemoError("\(file): pacer-demo does not apply objects of kind \"\(kind)\"")
        }
        let resource = client.resource(DynamicObject.self, descriptor: descriptor, namespace: descriptor.namespaced ? namespace : nil)
        let deadline = ContinuousClock.now + .seconds(30)
        while true {
            do {
                _ = try await resource.apply(object, fieldManager: Self.fieldManager, force: true)
                return
            } catch let error as KubeClientError where error.httpStatus == 404 && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(500))
            } catch {
                throw DemoError("\(file): \(kind) \(object["metadata"]?["name"]?.stringValue ?? ""): \(error)")
            }
        }
    }

    // MARK: Live steps (kube-sim)

    private var deployments: ResourceClient<DynamicObject> {
        client.resource(DynamicObject.self, descriptor: .deployments, namespace: DemoHistory.namespace)
    }

    func createNamespace() async throws {
        let namespaces = client.resource(DynamicObject.self, descriptor: .namespaces)
        let object: JSONValue = [
            "apiVersion": "v1", "kind": "Namespace",
            "metadata": ["name": .string(DemoHistory.namespace), "annotations": ["pacer.dev/environment": .string(DemoHistory.environment)]],
        ]
        _ = try await namespaces.apply(object, fieldManager: Self.fieldManager, force: true)
    }

    /// Plays one live step on the Deployment `step.app` and waits (at most 20 s) until kube-sim shows its outcome.
    func play(_ step: DemoHistory.Step) async throws {
        let app = step.app
        switch step.action {
        case .rolloutCompleted(_, let image, let commit, let commitTime, _):
            try await rollout(app: app, image: image, commit: commit, commitTime: commitTime, fail: false)
            try await waitFor(app, "rollout of \(image)") {
                Self.caughtUp($0) && Self.condition($0, "Progressing")?.reason == "NewReplicaSetAvailable"
                    && $0["status"]?["updatedReplicas"] == $0["spec"]?["replicas"]
            }
        case .rolloutFailed(_, let image, let commit, let commitTime):
            try await rollout(app: app, image: image, commit: commit, commitTime: commitTime, fail: true)
            try await waitFor(app, "failed rollout of \(image)") {
                Self.caughtUp($0) && Self.condition($0, "Progressing")?.reason == "ProgressDeadlineExceeded"
            }
        case .availabilityLost:
            _ = try await deployments.patch(app, mergePatch: ["metadata": ["annotations": ["kube-sim.pacer.dev/unavailable": "true"]]])
            try await waitFor(app, "unavailability") { Self.condition($0, "Available")?.status == "False" }
        case .availabilityRestored:
            _ = try await deployments.patch(app, mergePatch: ["metadata": ["annotations": ["kube-sim.pacer.dev/unavailable": nil]]])
            try await waitFor(app, "availability") { Self.condition($0, "Available")?.status == "True" }
        case .changeMerged, .incidentDetected, .incidentResolved:
            break
        }
    }

    /// Creates the Deployment (server-side apply) when it does not exist yet, else patches its image and annotations.
    private func rollout(app: String, image: String, commit: String, commitTime: Date?, fail: Bool) async throws {
        let team = DemoHistory.apps.first { $0.name == app }?.team ?? app
        let annotations: JSONValue = [
            "pacer.dev/app": .string(app), "pacer.dev/environment": .string(DemoHistory.environment), "pacer.dev/team": .string(team),
            "pacer.dev/commit": .string(commit),
            "pacer.dev/commit-time": commitTime.map { .string(RFC3339.format($0, fractionalDigits: 0)) } ?? .null,
            "pacer.dev/repository": .string("https://git.example.com/shop/\(app)"),
            "kube-sim.pacer.dev/fail-rollout": fail ? "true" : .null,
        ]
        if try await deployments.getIfPresent(app) == nil {
            var created = annotations
            if case .object(let fields) = annotations { created = .object(fields.filter { $0.value != .null }) }
            let object: JSONValue = [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": .string(app), "namespace": .string(DemoHistory.namespace), "annotations": created],
                "spec": [
                    "replicas": 2, "selector": ["matchLabels": ["app": .string(app)]],
                    "template": [
                        "metadata": ["labels": ["app": .string(app)]],
                        "spec": ["containers": [["name": .string(app), "image": .string(image)]]],
                    ],
                ],
            ]
            _ = try await deployments.apply(object, fieldManager: Self.fieldManager, force: true)
        } else {
            _ = try await deployments.patch(
                app,
                mergePatch: [
                    "metadata": ["annotations": annotations],
                    "spec": ["template": ["spec": ["containers": [["name": .string(app), "image": .string(image)]]]]],
                ])
        }
    }

    private func waitFor(_ app: String, _ what: String, _ done: (JSONValue) -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let object = try await deployments.getIfPresent(app), done(object.raw) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DemoError("deployment \(DemoHistory.namespace)/\(app): no \(what) within 20 s")
    }

    private static func condition(_ deployment: JSONValue, _ type: String) -> (status: String?, reason: String?)? {
        guard let conditions = deployment["status"]?["conditions"]?.arrayValue,
            let condition = conditions.first(where: { $0["type"]?.stringValue == type })
        else { return nil }
        return (condition["status"]?.stringValue, condition["reason"]?.stringValue)
    }

    /// The controller has seen the latest spec (`status.observedGeneration >= metadata.generation`).
    private static func caughtUp(_ deployment: JSONValue) -> Bool {
        (deployment["status"]?["observedGeneration"]?.intValue ?? -1) >= (deployment["metadata"]?["generation"]?.intValue ?? 0)
    }
}

/// A demo failure with a message for the terminal.
public struct DemoError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
