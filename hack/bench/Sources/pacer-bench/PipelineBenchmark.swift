import ArgumentParser
import AsyncHTTPClient
import Foundation
import KubeClient
import KubeCore
import KubeSim
import EventStore
import Logging
import NIOCore
import NIOHTTP1
import PacerApp
import PacerCore
import PostgresNIO

/// `pacer-bench pipeline`: the whole operator (`pacer run`) in this process against kube-sim and PostgreSQL, with
/// the default pipeline from `crds/` and `examples/`.
///
/// 1. Latency: one new annotated Deployment at a time; from the moment its rollout is complete in kube-sim to the
///    moment (a) the `lead-time-for-changes` MetricDefinition's status and (b) `GET /api/v1/metrics` show its app.
/// 2. Sustained: Deployment-source CloudEvents posted in batches at a fixed rate; with the default pipeline each
///    becomes two CDEvents (`service.upgraded` and `change.merged`: each upgrade follows a completed rollout, so no
///    `incident.resolved`); the pipeline lag (events behind each stage's cursor, and the age of the oldest CDEvent not yet
///    calculated) is sampled every second, then the time to drain after the load stops.
struct PipelineBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline", abstract: "End-to-end latency and sustained throughput of route → transform → calculate.")

    @Option(name: .customLong("database-url"), help: "An empty PostgreSQL database for the run.")
    var databaseURL: String

    @Option(name: .customLong("repo-root"), help: "Where crds/ and examples/ are (default: the working directory).")
    var repoRoot: String = FileManager.default.currentDirectoryPath

    @Option(help: "Deployments rolled out one at a time for the latency figures.")
    var deployments: Int = 40

    @Option(help: "CloudEvents per second in the sustained phase.")
    var rate: Int = 2_000

    @Option(help: "Seconds of sustained load.")
    var seconds: Int = 30

    @Option(name: .customLong("batch-size"), help: "CloudEvents per request in the sustained phase.")
    var batchSize: Int = 100

    @Option(name: .customLong("log-level"), help: "The operator's log level (debug shows each calculator step and its duration).")
    var logLevel: String = "warning"

    func validate() throws {
        guard deployments > 0, deployments <= 90, rate > 0, seconds > 0, batchSize > 0 else {
            throw ValidationError("--deployments must be 1...90 (one status group each); --rate, --seconds, --batch-size positive")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let logger = {
            var logger = Logger(label: "pacer-bench") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .warning
            return logger
        }()
        let operatorLogger = {
            var operatorLogger = logger
            operatorLogger.logLevel = Logger.Level(rawValue: logLevel) ?? .warning
            return operatorLogger
        }()
        var simConfiguration = KubeSimConfiguration()
        simConfiguration.rolloutDelay = .milliseconds(100)
        let sim = KubeSim(configuration: simConfiguration, logger: logger)
        _ = try await sim.start()
        let kubeconfig = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-bench-pipeline-\(getpid()).kubeconfig").path
        try sim.writeKubeconfig(to: kubeconfig)
        defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
        for folder in ["crds", "examples"] {
            for file in try yamlFiles(in: repoRoot + "/" + folder) { try await sim.apply(yaml: String(contentsOfFile: file, encoding: .utf8)) }
        }
        let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: databaseURL, kubeconfig: kubeconfig, identity: "bench")
        let port = ServerPort()
        say("pacer-bench pipeline: \(deployments) Deployments for latency, then \(rate) CloudEvents/s for \(seconds) s, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let kube = try KubeClient(configuration: try .resolve(kubeconfigPath: kubeconfig), logger: logger)
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let database = PostgresClient(configuration: try DatabaseURL(databaseURL).clientConfiguration(), backgroundLogger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await database.run() }
                group.addTask {
                    try await PacerOperator(configuration: operatorConfiguration, logger: operatorLogger).run(onServerRunning: { await port.set($0) })
                }
                let base = "http://127.0.0.1:\(try await port.wait())"
                try await waitForReadyDefinitions(http: http, base: base)
                try await latency(kube: kube, http: http, base: base)
                try await sustained(http: http, base: base, lag: PipelineLag(client: database, logger: logger))
                group.cancelAll()
            }
        } catch {
            try? await http.shutdown()
            try? await kube.shutdown()
            await sim.stop()
            throw error
        }
        try await http.shutdown()
        try await kube.shutdown()
        await sim.stop()
    }

    // MARK: - Latency

    private func latency(kube: KubeClient, http: HTTPClient, base: String) async throws {
        let namespaces = kube.resource(DynamicObject.self, descriptor: .namespaces, namespace: nil)
        _ = try await namespaces.apply(
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "bench", "annotations": ["pacer.dev/environment": "production"]]],
            fieldManager: "pacer-bench")
        let deployments = kube.resource(DynamicObject.self, descriptor: .deployments, namespace: "bench")
        let definitions = kube.resource(DynamicObject.self, descriptor: MetricDefinitionResource.descriptor, namespace: "default")
        var toStatus: [UInt64] = []
        var toREST: [UInt64] = []
        // Steady state: the first computation of every definition (and its status write) is done, and the status
        // write interval since then has passed, before the first measured rollout.
        let warmupDeadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < warmupDeadline {
            let computed = try await definitions.list().items.filter { $0.raw["status"]?["lastComputedTime"] != nil }.count
            if computed >= 4 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        try await Task.sleep(for: .milliseconds(1100))
        for index in 0..<self.deployments {
            let app = "bench-\(index)"
            let commitTime = RFC3339.format(Date() - Double(index + 1) * 3600)
            _ = try await deployments.apply(Self.deployment(app, commitTime: commitTime), fieldManager: "pacer-bench")
            var completed: UInt64?
            var status: UInt64?
            var rest: UInt64?
            let deadline = ContinuousClock.now + .seconds(20)
            while status == nil || rest == nil {
                guard ContinuousClock.now < deadline else { throw BenchError("\(app): not visible within 20 s (status: \(status != nil), REST: \(rest != nil))") }
                if completed == nil, Self.rolloutComplete(try await deployments.get(app).raw) { completed = monotonicNanos() }
                if status == nil, Self.hasGroup(try await definitions.get("lead-time-for-changes").raw["status"], app: app) { status = monotonicNanos() }
                if rest == nil, try await restHasGroup(http: http, base: base, app: app) { rest = monotonicNanos() }
                try await Task.sleep(for: .milliseconds(5))
            }
            guard let completed, let status, let rest else { continue }
            toStatus.append(status > completed ? status - completed : 0)
            toREST.append(rest > completed ? rest - completed : 0)
            // More than the status write interval, so each change is a first change, not a coalesced one.
            try await Task.sleep(for: .milliseconds(1100))
        }
        let statusSummary = LatencySummary(toStatus)
        let restSummary = LatencySummary(toREST)
        if let slowest = toStatus.indices.max(by: { toStatus[$0] < toStatus[$1] }) {
            say("slowest status: Deployment #\(slowest + 1) of \(toStatus.count) (\(Format.millis(toStatus[slowest])))")
        }
        say("")
        say("rollout complete in kube-sim → visible (\(toStatus.count) Deployments, polled every 5 ms):")
        say(Format.table(
            ["where", "p50", "p99", "max"],
            [["MetricDefinition status", Format.millis(statusSummary.p50), Format.millis(statusSummary.p99), Format.millis(statusSummary.max)],
             ["GET /api/v1/metrics", Format.millis(restSummary.p50), Format.millis(restSummary.p99), Format.millis(restSummary.max)]]))
    }

    static func deployment(_ app: String, commitTime: String) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(app), "namespace": "bench",
                         "annotations": ["pacer.dev/app": .string(app), "pacer.dev/commit": .string("sha-\(app)"),
                                         "pacer.dev/commit-time": .string(commitTime)]],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": ["app": .string(app)]],
                "template": ["metadata": ["labels": ["app": .string(app)]],
                             "spec": ["containers": [["name": "app", "image": "nginx:1.25"]]]],
            ],
        ]
    }

    static func rolloutComplete(_ object: JSONValue) -> Bool {
        let conditions = object["status"]?["conditions"]?.arrayValue ?? []
        return conditions.contains { $0["type"]?.stringValue == "Progressing" && $0["reason"]?.stringValue == "NewReplicaSetAvailable" }
            && object["status"]?["availableReplicas"]?.intValue == object["spec"]?["replicas"]?.intValue
    }

    static func hasGroup(_ status: JSONValue?, app: String) -> Bool {
        (status?["groups"]?.arrayValue ?? []).contains { $0["labels"]?["app"]?.stringValue == app }
    }

    private func restHasGroup(http: HTTPClient, base: String, app: String) async throws -> Bool {
        let body = try await get(http: http, url: base + "/api/v1/metrics")
        let items = body["items"]?.arrayValue ?? []
        return items.contains { $0["name"]?.stringValue == "lead-time-for-changes" && Self.hasGroup($0, app: app) }
    }

    private func waitForReadyDefinitions(http: HTTPClient, base: String) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let response = try? await http.execute(HTTPClientRequest(url: base + "/readyz"), timeout: .seconds(5))
            if response?.status == .ok { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw BenchError("pacer did not become ready within 30 s")
    }

    private func get(http: HTTPClient, url: String) async throws -> JSONValue {
        let response = try await http.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 16 << 20)
        return try JSONValue.parse(body.readableBytesView)
    }

    // MARK: - Sustained

    private func sustained(http: HTTPClient, base: String, lag: PipelineLag) async throws {
        let requestsPerSecond = max(1, rate / batchSize)
        let interval = Duration.nanoseconds(1_000_000_000 / Int64(requestsPerSecond))
        let clock = ContinuousClock()
        let start = clock.now
        var sent = 0
        var samples: [(second: Int, sent: Int, transform: Int, calculate: Int, calculateSeconds: Double)] = []
        var nextSample = start + .seconds(1)
        var batchIndex = 0
        say("")
        say("sustained: \(requestsPerSecond) requests/s × \(batchSize) CloudEvents (rollouts of the default pipeline) for \(seconds) s")
        try await withThrowingDiscardingTaskGroup { group in
            var next = start
            while next < start + .seconds(seconds) {
                try await clock.sleep(until: next)
                let body = Self.batch(index: batchIndex, size: batchSize)
                batchIndex += 1
                sent += batchSize
                group.addTask {
                    var request = HTTPClientRequest(url: base + "/events")
                    request.method = .POST
                    request.headers.add(name: "Content-Type", value: "application/cloudevents-batch+json")
                    request.body = .bytes(ByteBuffer(bytes: body))
                    let response = try await http.execute(request, timeout: .seconds(30))
                    guard response.status == .accepted else { throw BenchError("POST /events answered \(response.status)") }
                }
                if clock.now >= nextSample {
                    let behind = try await lag.behind()
                    samples.append((samples.count + 1, sent, behind.transform, behind.calculate, behind.calculateSeconds))
                    nextSample += .seconds(1)
                }
                next += interval
            }
        }
        let stopped = monotonicNanos()
        var drained: UInt64?
        while drained == nil, monotonicNanos() - stopped < 120_000_000_000 {
            let behind = try await lag.behind()
            if behind.transform == 0 && behind.calculate == 0 { drained = monotonicNanos() - stopped } else { try await Task.sleep(for: .milliseconds(50)) }
        }
        let elapsed = Double((clock.now - start).components.seconds)
        say(Format.table(
            ["second", "CloudEvents sent", "behind transform", "behind calculate", "oldest not calculated"],
            samples.map {
                [String($0.second), String($0.sent), String($0.transform), String($0.calculate), String(format: "%.2f s", $0.calculateSeconds)]
            }))
        let half = samples.count / 2
        let firstHalf = samples.prefix(half).map { $0.transform + $0.calculate }.max() ?? 0
        let secondHalf = samples.suffix(from: half).map { $0.transform + $0.calculate }.max() ?? 0
        func median(_ values: [Int]) -> Int { values.isEmpty ? 0 : values.sorted()[values.count / 2] }
        let first = samples.prefix(half)
        let second = samples.suffix(from: half)
        say("sent \(sent) CloudEvents in \(Int(elapsed)) s (\(Format.rate(Double(sent) / max(elapsed, 1)))/s, including the wait for the "
            + "last responses); max lag first half \(firstHalf), second half \(secondHalf) events; "
            + "drained \(drained.map(Format.millis) ?? "NOT within 120 s") after the load stopped")
        say("median lag first half / second half: transform \(median(first.map(\.transform))) / \(median(second.map(\.transform))), "
            + "calculate \(median(first.map(\.calculate))) / \(median(second.map(\.calculate))) events")
        // In seconds too: events count differently when a pipeline stores more CDEvents per CloudEvent.
        func medianSeconds(_ values: [Double]) -> String { String(format: "%.2f s", values.isEmpty ? 0 : values.sorted()[values.count / 2]) }
        say("median age of the oldest CDEvent not yet calculated, first half / second half: "
            + "\(medianSeconds(first.map(\.calculateSeconds))) / \(medianSeconds(second.map(\.calculateSeconds)))")
    }

    /// `rollout.completed` upgrades of 200 apps with commit times, as the Deployment source writes them.
    static func batch(index: Int, size: Int) -> [UInt8] {
        let now = Date()
        var events: [JSONValue] = []
        events.reserveCapacity(size)
        for offset in 0..<size {
            let n = index * size + offset
            let app = "load-\(n % 200)"
            let revision = n / 200 + 2
            events.append([
                "specversion": "1.0", "id": .string("load/\(n)/rollout.completed"),
                "source": .string("/k8s/bench/apis/apps/v1/namespaces/load/deployments/\(app)"),
                "type": "dev.pacer.deployment.rollout.completed", "subject": .string("load/\(app)"),
                "time": .string(RFC3339.format(now)), "datacontenttype": "application/json",
                "data": [
                    "namespace": "load", "name": .string(app), "uid": .string("uid-\(app)"), "revision": .int(Int64(revision)),
                    "previousRevision": .int(Int64(revision - 1)), "previousRolloutFailed": false, "generation": .int(Int64(revision)), "replicas": 1,
                    "app": .string(app), "version": .string("v\(revision)"), "environment": "production",
                    "commit": .string("c\(n)"), "commitTime": .string(RFC3339.format(now - 3600)),
                    "images": [.string("nginx:\(revision)")],
                ],
            ])
        }
        return JSONValue.array(events).jsonBytes()
    }
}

/// Events not yet passed by each stage's cursor (`transform` over cloudevents_raw, `calculate` over cdevents_raw): an
/// index range count on the commit-order index, so sampling it does not load the machine it measures.
struct PipelineLag {
    let client: PostgresClient
    let logger: Logger

    func behind() async throws -> (transform: Int, calculate: Int, calculateSeconds: Double) {
        var transform = 0
        for try await value in try await client.query("""
            SELECT count(*)::int FROM cloudevents_raw r
            WHERE (r.ingest_xid, r.event_id) > (coalesce((SELECT last_xid FROM pipeline_cursors WHERE name = 'transform'), '0'::xid8),
                                                coalesce((SELECT last_id FROM pipeline_cursors WHERE name = 'transform'), 0))
            """, logger: logger).decode(Int.self) { transform = value }
        // The rows after the calculate cursor, counted, and the age of the oldest of them (its received_at), in one
        // statement over the same index range.
        var calculate = (count: 0, seconds: 0.0)
        for try await value in try await client.query("""
            WITH c AS (SELECT coalesce((SELECT last_xid FROM pipeline_cursors WHERE name = 'calculate'), '0'::xid8) AS xid,
                              coalesce((SELECT last_id FROM pipeline_cursors WHERE name = 'calculate'), 0) AS id)
            SELECT (SELECT count(*)::int FROM cdevents_raw r, c WHERE (r.ingest_xid, r.seq) > (c.xid, c.id)),
                   coalesce(extract(epoch FROM clock_timestamp() - (
                       SELECT r.received_at FROM cdevents_raw r, c WHERE (r.ingest_xid, r.seq) > (c.xid, c.id)
                       ORDER BY r.ingest_xid, r.seq LIMIT 1)), 0)::float8
            """, logger: logger).decode((Int, Double).self) { calculate = value }
        return (transform, calculate.count, max(0, calculate.seconds))
    }
}

enum MetricDefinitionResource {
    static let descriptor = ResourceDescriptor(
        group: "pacer.dev", version: "v1alpha1", plural: "metricdefinitions", kind: "MetricDefinition", namespaced: true)
}

func yamlFiles(in folder: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: folder)
        .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted().map { folder + "/" + $0 }
}
