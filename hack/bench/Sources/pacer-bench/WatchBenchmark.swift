import ArgumentParser
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import PacerCore

/// `pacer-bench watch`: the Informer's initial list+watch sync of many Deployments (time, resident memory) and
/// its lag behind a steady churn of updates.
struct WatchBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Informer sync time, memory and lag behind a churn of Deployment updates (against kube-sim).")

    @Option(help: "Deployments stored in kube-sim before the informer starts.")
    var deployments: Int = 10_000

    @Option(name: .customLong("update-rate"), help: "Churn: Deployment updates per second.")
    var updateRate: Int = 500

    @Option(name: .customLong("churn-seconds"), help: "Churn duration in seconds.")
    var churnSeconds: Int = 15

    @Option(name: .customLong("create-concurrency"), help: "Create requests in flight while populating kube-sim.")
    var createConcurrency: Int = 32

    @Option(name: .customLong("kube-sim"), help: "Path of the kube-sim executable to run as a separate process (default: kube-sim in this process).")
    var kubeSimBinary: String?

    static let stampKey = "bench.pacer.dev/sent-ns"
    static let namespace = "default"

    func validate() throws {
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
        say("pacer-bench watch: \(deployments) Deployments, churn \(updateRate) updates/s for \(churnSeconds) s, kube-sim \(mode), \(ProcessInfo.processInfo.activeProcessorCount) cores")
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
        let resource = client.resource(Deployment.self, namespace: Self.namespace)
        let populateStart = monotonicNanos()
        try await populate(resource)
        let populateNanos = monotonicNanos() - populateStart
        say("populated \(deployments) Deployments over HTTP in \(Format.seconds(populateNanos)) (\(Format.rate(Double(deployments) / (Double(populateNanos) / 1e9)))/s)")

        let rssBefore = residentKiB() ?? 0
        let lag = LagRecorder()
        let informer = Informer(
            source: client.resource(Deployment.self, namespace: nil),
            transform: { deployment in
                // What an operator keeps: drop the client-side-apply copy of the whole object.
                var trimmed = deployment
                trimmed.metadata.annotations?["kubectl.kubernetes.io/last-applied-configuration"] = nil
                return trimmed
            },
            logger: logger)
        informer.addHandler(
            InformerHandler(updated: { _, new in
                guard let stamp = new.metadata.annotations?[Self.stampKey].flatMap(UInt64.init) else { return }
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

    /// Creates the Deployments over HTTP, `createConcurrency` requests in flight.
    private func populate(_ resource: ResourceClient<Deployment>) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<min(createConcurrency, deployments) {
                group.addTask {
                    var index = worker
                    while index < deployments {
                        _ = try await resource.create(Self.deployment(index))
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
    private func churn(_ resource: ResourceClient<Deployment>, lag: LagRecorder) async throws -> ChurnResult {
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
            ["initial sync (list+watch) of \(synced) Deployments", Format.seconds(syncNanos), "< 3 s", syncNanos < 3_000_000_000 ? "ok" : "MISSED"],
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

    /// A realistic Deployment: labels, a selector, one container, and the client-side-apply annotation
    /// (a JSON copy of the object) that the informer's transform drops.
    static func deployment(_ index: Int) -> Deployment {
        let name = name(index)
        let labels = ["app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "shop-\(index % 50)", "team": "team-\(index % 16)"]
        let image = "registry.example.com/team-\(index % 16)/\(name):1.\(index % 40).\(index % 7)"
        let lastApplied = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app.kubernetes.io/name":"\(name)",\
            "team":"team-\(index % 16)"},"name":"\(name)","namespace":"\(namespace)"},"spec":{"replicas":2,"selector":\
            {"matchLabels":{"app.kubernetes.io/name":"\(name)"}},"template":{"metadata":{"labels":{"app.kubernetes.io/name":\
            "\(name)"}},"spec":{"containers":[{"image":"\(image)","name":"app"}]}}}}
            """
        return Deployment(
            metadata: ObjectMeta(
                name: name, namespace: namespace, labels: labels,
                annotations: ["kubectl.kubernetes.io/last-applied-configuration": lastApplied, "deployment.kubernetes.io/revision": "1"]),
            spec: Deployment.Spec(
                replicas: 2, selector: LabelSelector(matchLabels: ["app.kubernetes.io/name": name]),
                template: Deployment.PodTemplate(
                    metadata: Deployment.TemplateMeta(labels: ["app.kubernetes.io/name": name]),
                    spec: Deployment.PodSpec(containers: [Deployment.Container(name: "app", image: image)]))))
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
