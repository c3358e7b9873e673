import Foundation
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// Issue 15: the DORA gauges are exported once per installation, not once per replica. Two `pacer run` replicas (the
/// built binary) against one kube-sim and one database: only the leader's `/metrics` carries the `pacer_dora_*`
/// series (every replica carries its own metrics and `pacer_leader`); after the leader is killed (SIGKILL), the
/// replica that takes the Lease exports the same series.
@Suite("DORA gauges exported by the leader only", .enabled(if: TestDatabase.enabled))
struct DORAGaugeLeaderTests {
    /// Lead time of app `ext-0`: FailoverTests.postedEvent 0, 1 and 2 are its rollouts at t, t + 10 min and t + 20 min,
    /// of commits made 1, 2 and 3 hours before each (`commitTime = time - (1 + n % 7) h`): c0 at t - 1 h, c1 at
    /// t - 1 h 50 min, c2 at t - 2 h 40 min. Every change counted (docs/metrics.md): the first rollout (c0, at t)
    /// carries the changes merged at or before c0, that is all three: 1 h, 1 h 50 min and 2 h 40 min; the median is
    /// 1 h 50 min = 11/6 h (the float8 1.8333333333333333).
    static let leadTimeSample = #"pacer_dora_lead_time_hours{metric_definition="default/lead-time-for-changes",app="ext-0","#
    static let leadTimeHours = "1.8333333333333333"
    static let families: Set<String> = [
        "pacer_dora_deployment_frequency", "pacer_dora_lead_time_hours", "pacer_dora_change_failure_rate", "pacer_dora_time_to_restore_hours",
        // ext-0's availability loss 10 minutes after its third deployment fails it (attribution window 24 h); the
        // restore 10 minutes later recovers it (failed deployment recovery time 0.33 h); rework 0 of 3 deployments.
        "pacer_dora_failed_deployment_recovery_time_hours", "pacer_dora_deployment_rework_rate",
    ]

    @Test(.timeLimit(.minutes(10)))
    func onlyTheLeaderExportsTheDORAGaugesAndTheNextLeaderTakesOver() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            for folder in ["crds", "examples"] {
                let applied = try await kubectl("apply", "-f", folder)
                #expect(applied.status == 0, "\(applied.stderr)")
            }
            try await TestDatabase.withFreshDatabase { client, url in
                let logs = RepoPaths.root + "/.tmp/dora-leader-\(UUID().uuidString)"
                try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: logs) }
                let replicas = try [0, 1].map { index in
                    try Replica.start(databaseURL: url, kubeconfig: kubeconfig, port: try CrashRecoveryTests.freePort(), log: logs + "/replica-\(index).log")
                }
                defer { replicas.forEach { $0.kill() } }
                try await run(kubectl: kubectl, query: Query(client: client), url: url, replicas: replicas)
            }
        }
    }

    private func run(kubectl: Kubectl, query: Query, url: String, replicas: [Replica]) async throws {
        try await FailoverTests.until("both replicas ready", timeout: .seconds(180)) { () async throws -> Bool? in
            for replica in replicas where try await HTTP(port: replica.port).status("/readyz") != 200 { return nil }
            return true
        }
        let leader = try await FailoverTests.until("a replica leads", timeout: FailoverTests.takeoverTimeout) {
            try await FailoverTests.holder(kubectl).flatMap { holder in replicas.first { $0.isIdentity(holder) } }
        }
        let follower = replicas.first { $0.port != leader.port }!
        try await RawEvents(url: url).waitForReadyConfig(metricDefinitions: 6, timeout: .seconds(180))
        // Events are routed by the routes and transforms known when the router reaches them: wait for all of examples/
        // (EventRoutes: 2 in apiserversource.yaml, 6 in cdevents-passthrough.yaml, 6 in deployment-routes.yaml;
        // CDEventTransforms: 2, 6 and 6 in apiserversource, cdevents-passthrough and deployment-transforms).
        // Every EventRoute and CDEventTransform of examples/ (counted from the files, which grow) is ready.
        var kinds: [String] = []
        for file in try ExamplePipeline.allFiles {
            let text = try String(contentsOfFile: RepoPaths.root + "/examples/" + file, encoding: .utf8)
            kinds += try YAML.documents(text).compactMap { $0["kind"]?.stringValue }
        }
        let wantedRoutes = kinds.filter { $0 == "EventRoute" }.count
        let wantedTransforms = kinds.filter { $0 == "CDEventTransform" }.count
        try await FailoverTests.until("the examples' \(wantedRoutes) EventRoutes and \(wantedTransforms) CDEventTransforms ready", timeout: .seconds(180)) {
            () async throws -> Bool? in
            let routes = try await query.int("SELECT count(*)::int FROM pacer_event_routes WHERE ready")
            let transforms = try await query.int("SELECT count(*)::int FROM pacer_cdevent_transforms WHERE ready")
            return routes == wantedRoutes && transforms == wantedTransforms ? true : nil
        }
        // Three rollouts of ext-0, its availability lost and restored (FailoverTests' posted events 0…4), to either replica.
        let now = Date()
        for n in 0..<5 {
            let body = String(decoding: FailoverTests.postedEvent(n, now: now).jsonData(), as: UTF8.self)
            let status = try await HTTP(port: replicas[n % 2].port).post("/events", body, contentType: "application/cloudevents+json")
            #expect(status == 202)
        }

        // The leader exports the four keys once the pipeline has processed the five events (ext-0's lead time is then
        // 11/6 hours); the follower, scraped right after, exports none (but its own metrics).
        var last: [String] = []
        let exported: [String]
        do {
            exported = try await FailoverTests.until("the leader exports the four keys, ext-0's lead time 11/6 h", timeout: .seconds(120)) {
                () async throws -> [String]? in
                last = try await Self.doraSamples(leader)
                let families = Set(last.map { String($0.prefix { $0 != "{" }) })
                let leadTime = last.first { $0.hasPrefix(Self.leadTimeSample) }?.split(separator: " ").last.map(String.init)
                return families == Self.families && leadTime == Self.leadTimeHours ? last : nil
            }
        } catch {
            let stored = try await query.int("SELECT count(*)::int FROM cloudevents_raw")
            let produced = try await query.int("SELECT count(*)::int FROM cdevents_raw")
            Issue.record("the leader's last DORA samples: \(last); \(stored) CloudEvents stored, \(produced) CDEvents produced")
            throw error
        }
        let followerText = try await HTTP(port: follower.port).getText("/metrics")
        #expect(try await Self.doraSamples(follower) == [], "the follower exports DORA series")
        #expect(Self.value(of: "pacer_leader", in: followerText) == 0)
        #expect(Self.value(of: "pacer_database_up", in: followerText) == 1)
        #expect(followerText.contains("# TYPE pacer_events_stored_total counter"), "the follower's own metrics are missing")
        #expect(Self.value(of: "pacer_leader", in: try await HTTP(port: leader.port).getText("/metrics")) == 1)

        // Leader loss: the survivor takes the Lease and exports the same series (the values live in the database).
        leader.kill()
        try await FailoverTests.until("the follower takes the Lease", timeout: FailoverTests.takeoverTimeout) {
            try await FailoverTests.holder(kubectl).flatMap { follower.isIdentity($0) ? true : nil }
        }
        var lastTakenOver: [String] = []
        do {
            try await FailoverTests.until("the new leader exports the same DORA series", timeout: .seconds(180)) { () async throws -> Bool? in
                lastTakenOver = try await Self.doraSamples(follower)
                return Set(lastTakenOver) == Set(exported) ? true : nil
            }
        } catch {
            Issue.record("the new leader's last DORA samples: \(lastTakenOver); the old leader's: \(exported)")
            throw error
        }
        #expect(Self.value(of: "pacer_leader", in: try await HTTP(port: follower.port).getText("/metrics")) == 1)
    }

    /// The `pacer_dora_*` sample lines of a replica's `/metrics`, sorted.
    static func doraSamples(_ replica: Replica) async throws -> [String] {
        try await HTTP(port: replica.port).getText("/metrics").split(separator: "\n").map(String.init)
            .filter { $0.hasPrefix("pacer_dora_") }.sorted()
    }

    /// The value of an unlabelled sample `name value`.
    static func value(of name: String, in exposition: String) -> Double? {
        exposition.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }
}
