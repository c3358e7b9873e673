import Controllers
import EventModel
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSim
import Logging
import PacerCore
import Synchronization
import TestSupport

/// A sink that dedupes on (source, id) like the store, and can be switched to fail.
final class InMemorySink: CloudEventSink {
    struct State {
        var events: [CloudEvent] = []
        var keys: Set<String> = []
        var duplicates = 0
        var duplicateSubjects: [String] = []
        var calls = 0
        var failures = 0
        var failing = false
    }

    struct Outage: Error {}

    let state = Mutex(State())

    func ingest(cloudEvents: [CloudEvent]) async throws {
        try state.withLock { state in
            state.calls += 1
            if state.failing {
                state.failures += 1
                throw Outage()
            }
            for event in cloudEvents {
                if state.keys.insert("\(event.source)\n\(event.id)").inserted {
                    state.events.append(event)
                } else {
                    state.duplicates += 1
                    state.duplicateSubjects.append(event.subject ?? "")
                }
            }
        }
    }

    var events: [CloudEvent] { state.withLock { $0.events } }
    var failures: Int { state.withLock { $0.failures } }
    var duplicates: Int { state.withLock { $0.duplicates } }
    func duplicates(of subject: String) -> Int { state.withLock { $0.duplicateSubjects.filter { $0 == subject }.count } }
    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }

    /// `type-suffix` or `type-suffix@revision` per stored event, in store order.
    var summary: [String] {
        events.map { event in
            let kind = String(event.type.dropFirst("dev.pacer.deployment.".count))
            switch kind {
            case "revision", "rollout.completed", "rollout.failed": return "\(kind)@\(event.dataObject["revision"]?.intValue ?? -1)"
            default: return kind
            }
        }
    }

    func contains(_ line: String) -> Bool { summary.contains(line) }

    /// ``summary`` of the events about one subject (`namespace/name`).
    func summary(of subject: String) -> [String] {
        let matching = InMemorySink()
        matching.state.withLock { $0.events = events.filter { $0.subject == subject } }
        return matching.summary
    }
}

/// A flag set by one task and polled by another.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every 20 ms until it holds; throws after `seconds`.
func eventually(_ what: String, _ seconds: Double = 60, _ condition: @Sendable () async -> Bool) async throws {
    let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    throw TimeoutError(what: what)
}

/// A kube-sim with rollouts, a client, and namespaces `shop` (annotated) and `quiet` (opted out).
struct SimEnvironment: Sendable {
    let sim: KubeSim
    let client: KubeClient

    var deployments: ResourceClient<Deployment> { client.resource(Deployment.self, namespace: "shop") }

    static func with<T: Sendable>(_ body: (SimEnvironment) async throws -> T) async throws -> T {
        try await SimulatedCluster.with(configure: { $0.rolloutDelay = .milliseconds(100) }) { sim, client in
            let namespaces = client.resource(Namespace.self)
            _ = try await namespaces.create(
                Namespace(metadata: ObjectMeta(name: "shop", annotations: ["pacer.dev/environment": "production", "pacer.dev/team": "payments"])))
            _ = try await namespaces.create(Namespace(metadata: ObjectMeta(name: "quiet", annotations: ["pacer.dev/track": "false"])))
            return try await body(SimEnvironment(sim: sim, client: client))
        }
    }

    func makeSource(
        sink: InMemorySink, clusterName: String = "sim", watchTimeoutSeconds: Int = 30, configure: (inout WorkloadSourceConfiguration) -> Void = { _ in }
    ) -> DeploymentSource {
        var configuration = DeploymentSourceConfiguration(clusterName: clusterName)
        var watcher = WatcherConfiguration(pageSize: 2, watchTimeoutSeconds: watchTimeoutSeconds, backoff: Backoff(initial: .milliseconds(50), maximum: .milliseconds(500), jitter: 0))
        watcher.minimumHealthyWatch = .zero
        configuration.watcher = watcher
        configuration.retryBackoff = Backoff(initial: .milliseconds(50), maximum: .milliseconds(200), jitter: 0)
        configuration.namespaceSyncTimeout = .seconds(5)
        configuration.shutdownFlushTimeout = .seconds(1)
        configure(&configuration)
        return DeploymentSource(client: client, sink: sink, configuration: configuration, logger: Logger(label: "test.deployment-source"))
    }

    /// Runs `source` while `body` runs, then cancels it and waits for it to return.
    func running<T: Sendable>(_ source: DeploymentSource, _ body: () async throws -> T) async throws -> T {
        try await withRunning(source, body)
    }

    /// A positive marker instead of a pause before checking that nothing more arrived: creates Deployment `name` in
    /// `shop` and waits until `sink` has its `created` event (from `replicas` sources: once stored, then
    /// `replicas - 1` duplicates). A source watches one stream in resourceVersion order and hands events to the
    /// sink in order, so by then everything a source derives from earlier changes has arrived; anything that
    /// arrives later about them would be a bug the caller's checks see on a later run, never a false failure.
    func marker(_ name: String = "marker", sink: InMemorySink, replicas: Int = 1, labels: [String: String]? = nil) async throws {
        var deployment = Self.deployment(name, image: "marker:1")
        deployment.metadata.labels = labels
        _ = try await deployments.create(deployment)
        try await eventually("the marker \(name)", 30) {
            sink.summary(of: "shop/\(name)").contains("created") && sink.duplicates(of: "shop/\(name)") >= replicas - 1
        }
    }

    static func deployment(_ name: String, namespace: String = "shop", image: String, annotations: [String: String] = [:]) -> Deployment {
        Deployment(
            metadata: ObjectMeta(name: name, namespace: namespace, annotations: annotations),
            spec: Deployment.Spec(
                replicas: 2, selector: LabelSelector(matchLabels: ["app": name]),
                template: Deployment.PodTemplate(
                    metadata: Deployment.TemplateMeta(labels: ["app": name]),
                    spec: Deployment.PodSpec(containers: [Deployment.Container(name: "app", image: image)]))))
    }

    static func imagePatch(_ image: String, annotations: [String: String] = [:]) -> JSONValue {
        var patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]]]]
        if !annotations.isEmpty { patch["metadata"] = ["annotations": .object(annotations.mapValues(JSONValue.string))] }
        return patch
    }
}
