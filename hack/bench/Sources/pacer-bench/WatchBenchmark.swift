import ArgumentParser
import Controllers
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import PacerCore

/// `pacer-bench watch`: the workload source's informer (dynamic objects, trimmed as the source trims them) over many
/// objects of one workload kind: initial list+watch sync (time, resident memory) and its lag behind a steady churn
/// of updates. Custom kinds get their CRD (hack/workload-crds, applied with kubectl) first.
struct WatchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Informer sync time, memory and lag behind a churn of updates of one workload kind (against kube-sim).")

    @Option(name: [.customLong("objects"), .customLong("deployments")], help: "Objects stored in kube-sim before the informer starts.")
    var deployments: Int = 10_000

    @Option(help: "Workload kind: deployment, statefulset, daemonset, rollout, knativeservice, application, kustomization, helmrelease.")
    var kind: String = "deployment"

    @Option(name: .customLong("update-rate"), help: "Churn: updates per second.")
    var updateRate: Int = 500

    @Option(name: .customLong("churn-seconds"), help: "Churn duration in seconds.")
    var churnSeconds: Int = 15

    @Option(name: .customLong("create-concurrency"), help: "Create requests in flight while populating kube-sim.")
    var createConcurrency: Int = 32

    @Option(name: .customLong("kube-sim"), help: "Path of the kube-sim executable to run as a separate process (default: kube-sim in this process).")
    var kubeSimBinary: String?

    static let stampKey = "bench.pacer.dev/sent-ns"
    static let namespace = "default"

    var workloadKind: WorkloadKind { WorkloadKind.allCases.first { $0.typeName == kind } ?? .deployment }

    func validate() throws {
        guard WorkloadKind.allCases.contains(where: { $0.typeName == kind }) else {
            throw ValidationError("--kind must be one of \(WorkloadKind.allCases.map(\.typeName).joined(separator: ", ")), got \(kind)")
        }
        guard deployments > 0, updateRate > 0, churnSeconds > 0, createConcurrency > 0 else {
            throw ValidationError("--deployments, --update-rate, --churn-seconds and --create-concurrency must be positive")
        }
    }

    func run() async throws {
        var logger = Logger(label: "pacer-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let rssAtStart = residentKiB() ?? 0
        let host = try await KubeSimHost.start(binary: kubeSimBinary, historyWindow: max(10_000, deployments + updateRate * churnSeconds + 1000))
        let mode = kubeSimBinary == nil ? "in this process" : "separate process \(host.pid.map(String.init) ?? "?")"
        say("pacer-bench watch: \(deployments) \(workloadKind.typeName) objects (\(workloadKind.descriptor.group.isEmpty ? "core" : workloadKind.descriptor.group)), churn \(updateRate) updates/s for \(churnSeconds) s, kube-sim \(mode), \(ProcessInfo.processInfo.activeProcessorCount) cores")
        do {
            let client = try KubeClient(configuration: try .resolve(kubeconfigPath: host.kubeconfigPath), logger: logger)
            do {
                try await measure(client: client, host: host, rssAtStart: rssAtStart, logger: logger)
            } catch {
                try? await client.shutdown()
                throw error
            }
            try await client.shutdown()
        } catch {
            await host.stop()
            throw error
        }
        await host.stop()
    }

    private func measure(client: KubeClient, host: KubeSimHost, rssAtStart: Int, logger: Logger) async throws {
        let kind = workloadKind
        if kind.isCustomResource { try await installCRD(kind, kubeconfig: host.kubeconfigPath, client: client) }
        let resource = client.resource(DynamicObject.self, descriptor: kind.descriptor, namespace: Self.namespace)
        let populateStart = monotonicNanos()
        try await populate(resource)
        let populateNanos = monotonicNanos() - populateStart
        say("populated \(deployments) \(kind.typeName) objects over HTTP in \(Format.seconds(populateNanos)) (\(Format.rate(Double(deployments) / (Double(populateNanos) / 1e9)))/s)")

        let rssBefore = residentKiB() ?? 0
        let lag = LagRecorder()
        // What the workload source keeps: the object without managedFields and the client-side-apply copy of itself.
        let informer = Informer(
            source: client.resource(DynamicObject.self, descriptor: kind.descriptor, namespace: nil), transform: WorkloadSource.slim, logger: logger)
        informer.addHandler(
            InformerHandler(updated: { _, new in
                guard let stamp = new.raw["metadata"]?["annotations"]?[Self.stampKey]?.stringValue.flatMap(UInt64.init) else { return }
                let now = monotonicNanos()
                lag.record(now > stamp ? now - stamp : 0)
            }))

        try await withThrowingTaskGroup(of: Void.self) { group in
            let syncStart = monotonicNanos()
            group.addTask { try await informer.run() }
            defer { group.cancelAll() }
            try await withTimeout(.seconds(120), "the informer did not sync within 120 s") { await informer.store.waitUntilSynced() }
            let syncNanos = monotonicNanos() - syncStart
            let synced = informer.store.count
            let rssAfter = residentKiB() ?? 0
            say("informer synced \(synced) objects in \(Format.seconds(syncNanos)); RSS \(Format.mebibytes(rssBefore)) before the informer, \(Format.mebibytes(rssAfter)) after (informer +\(Format.mebibytes(rssAfter - rssBefore)))")
            guard synced == deployments else { throw BenchError("informer store holds \(synced) objects, expected \(deployments)") }

            let churn = try await self.churn(resource, lag: lag)
            let drainDeadline = ContinuousClock.now + .seconds(15)
            while lag.count < churn.sent, ContinuousClock.now < drainDeadline { try await Task.sleep(for: .milliseconds(20)) }
            let lags = lag.summary()
            let rssChurn = residentKiB() ?? 0
            say("churn: \(churn.sent) updates in \(Format.seconds(churn.elapsedNanos)) (\(Format.rate(churn.rate))/s achieved), \(lags.count) seen by the informer; lag p50 \(Format.millis(lags.p50)) p99 \(Format.millis(lags.p99)) max \(Format.millis(lags.max))")
            printSummary(
                syncNanos: syncNanos, synced: synced, rssAtStart: rssAtStart, rssBefore: rssBefore, rssAfter: rssAfter, rssChurn: rssChurn,
                simRSS: host.simResidentKiB, inProcess: kubeSimBinary == nil, churn: churn, lags: lags)
        }
    }

    /// Applies the kind's CRD from hack/workload-crds with kubectl, then waits until its API is served.
    private func installCRD(_ kind: WorkloadKind, kubeconfig: String, client: KubeClient) async throws {
        let file: String
        switch kind {
        case .argoRollout: file = "argo-rollout.yaml"
        case .knativeService: file = "knative-service.yaml"
        case .argoCDApplication: file = "argocd-application.yaml"
        case .fluxKustomization: file = "flux-kustomization.yaml"
        case .fluxHelmRelease: file = "flux-helmrelease.yaml"
        default: return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["kubectl", "--kubeconfig", kubeconfig, "apply", "-f", "hack/workload-crds/\(file)"]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("kubectl apply -f hack/workload-crds/\(file) failed (run from the repository root)") }
        let deadline = ContinuousClock.now + .seconds(30)
        while (try? await client.resource(DynamicObject.self, descriptor: kind.descriptor, namespace: Self.namespace).list()) == nil {
            guard ContinuousClock.now < deadline else { throw BenchError("\(kind.descriptor.plural) not served 30 s after its CRD") }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Creates the objects over HTTP, `createConcurrency` requests in flight.
    private func populate(_ resource: ResourceClient<DynamicObject>) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<min(createConcurrency, deployments) {
                group.addTask {
                    var index = worker
                    while index < deployments {
                        _ = try await resource.create(try DynamicObject(Self.object(workloadKind, index)))
                        index += createConcurrency
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    struct ChurnResult {
        var sent: Int
        var elapsedNanos: UInt64
        var rate: Double { Double(sent) / (Double(elapsedNanos) / 1e9) }
    }

    /// Sends `updateRate` merge patches per second, each stamping the send time into an annotation, paced on a
    /// fixed schedule (update i is due at start + i/rate) by 32 senders.
    private func churn(_ resource: ResourceClient<DynamicObject>, lag: LagRecorder) async throws -> ChurnResult {
        let total = updateRate * churnSeconds
        let senders = 32
        let interval = 1_000_000_000 / UInt64(updateRate)
        let start = monotonicNanos()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for sender in 0..<senders {
                group.addTask {
                    var index = sender
                    while index < total {
                        let due = start + UInt64(index) * interval
                        let now = monotonicNanos()
                        if due > now { try await Task.sleep(for: .nanoseconds(Int64(due - now))) }
                        let name = Self.name(index % deployments)
                        let patch = JSONValue.object([
                            "metadata": .object(["annotations": .object([Self.stampKey: .string(String(monotonicNanos()))])])
                        ])
                        _ = try await resource.patch(name, mergePatch: patch)
                        index += senders
                    }
                }
            }
            try await group.waitForAll()
        }
        return ChurnResult(sent: total, elapsedNanos: monotonicNanos() - start)
    }

    private func printSummary(
        syncNanos: UInt64, synced: Int, rssAtStart: Int, rssBefore: Int, rssAfter: Int, rssChurn: Int, simRSS: Int?, inProcess: Bool,
        churn: ChurnResult, lags: LatencySummary
    ) {
        let where_ = inProcess ? " (kube-sim in this process)" : ""
        var rows: [[String]] = [
            ["initial sync (list+watch) of \(synced) \(workloadKind.typeName) objects", Format.seconds(syncNanos), "< 3 s", syncNanos < 3_000_000_000 ? "ok" : "MISSED"],
            ["RSS at process start", Format.mebibytes(rssAtStart), "", ""],
            ["RSS before the informer\(where_)", Format.mebibytes(rssBefore), "", ""],
            ["RSS after sync\(where_)", Format.mebibytes(rssAfter), "< 150 MB", rssAfter * 1024 < 150_000_000 ? "ok" : "MISSED"],
            ["informer's share (after - before)", Format.mebibytes(rssAfter - rssBefore), "", ""],
            ["RSS after churn\(where_)", Format.mebibytes(rssChurn), "", ""],
        ]
        if let simRSS { rows.append(["kube-sim process RSS", Format.mebibytes(simRSS), "", ""]) }
        rows += [
            ["churn updates sent / seen", "\(churn.sent) / \(lags.count)", "", lags.count == churn.sent ? "ok" : "MISSED"],
            ["achieved update rate", "\(Format.rate(churn.rate))/s", "\(updateRate)/s", churn.rate >= Double(updateRate) * 0.95 ? "ok" : "MISSED"],
            ["lag p50", Format.millis(lags.p50), "", ""],
            ["lag p99", Format.millis(lags.p99), "< 1 s", lags.p99 < 1_000_000_000 && lags.count > 0 ? "ok" : "MISSED"],
            ["lag max", Format.millis(lags.max), "", ""],
        ]
        say("")
        say(Format.table(["measure", "value", "target", ""], rows))
    }

    static func name(_ index: Int) -> String { "bench-\(String(format: "%05d", index))" }

    /// A realistic object of `kind`: labels, the kind's spec with a pod template where it has one, and the
    /// client-side-apply annotation (a JSON copy of the object) that the source's trim drops.
    static func object(_ kind: WorkloadKind, _ index: Int) -> JSONValue {
        let name = name(index)
        let labels: JSONValue = ["app.kubernetes.io/name": .string(name), "app.kubernetes.io/part-of": .string("shop-\(index % 50)"), "team": .string("team-\(index % 16)")]
        let image = "registry.example.com/team-\(index % 16)/\(name):1.\(index % 40).\(index % 7)"
        let selector: JSONValue = ["matchLabels": ["app.kubernetes.io/name": .string(name)]]
        let template: JSONValue = [
            "metadata": ["labels": ["app.kubernetes.io/name": .string(name)]],
            "spec": ["containers": [["name": "app", "image": .string(image)]]],
        ]
        let resource = kind.descriptor
        var spec: JSONValue
        switch kind {
        case .deployment: spec = ["replicas": 2, "selector": selector, "template": template]
        case .statefulSet: spec = ["replicas": 2, "serviceName": .string(name), "selector": selector, "template": template]
        case .daemonSet: spec = ["selector": selector, "template": template]
        case .argoRollout:
            spec = ["replicas": 2, "selector": selector, "template": template, "strategy": ["canary": ["steps": [["setWeight": 20], ["pause": [:]]]]]]
        case .knativeService: spec = ["template": template]
        case .argoCDApplication:
            spec = [
                "project": "default",
                "source": ["repoURL": .string("https://github.com/acme/\(name).git"), "path": "deploy", "targetRevision": "main"],
                "destination": ["server": "https://kubernetes.default.svc", "namespace": .string("team-\(index % 16)")],
            ]
        case .fluxKustomization:
            spec = ["interval": "5m", "path": "./deploy", "prune": true, "sourceRef": ["kind": "GitRepository", "name": .string(name)]]
        case .fluxHelmRelease:
            spec = ["interval": "5m", "chart": ["spec": ["chart": .string(name), "version": "1.x", "sourceRef": ["kind": "HelmRepository", "name": "acme"]]]]
        }
        let apiVersion = resource.group.isEmpty ? resource.version : "\(resource.group)/\(resource.version)"
        var object: JSONValue = [
            "apiVersion": .string(apiVersion), "kind": .string(kind.rawValue),
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
            "spec": spec,
        ]
        let lastApplied = String(decoding: object.jsonData(), as: UTF8.self)
        object["metadata"]?["annotations"] = ["kubectl.kubernetes.io/last-applied-configuration": .string(lastApplied)]
        return object
    }
}

/// Runs `body`, failing with `message` after `timeout`.
func withTimeout(_ timeout: Duration, _ message: String, _ body: @escaping @Sendable () async -> Void) async throws {
    try await withThrowingTaskGroup(of: Bool.self) { group in
        group.addTask {
            await body()
            return true
        }
        group.addTask {
            try await Task.sleep(for: timeout)
            return false
        }
        let finished = try await group.next() ?? false
        group.cancelAll()
        guard finished else { throw BenchError(message) }
    }
}
