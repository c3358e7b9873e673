import Foundation
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// Issue 16, "failover loses nothing": two `pacer run` replicas (the built binary) against one kube-sim and one
/// database, with the default pipeline. While Deployments roll out and CloudEvents are posted to both replicas, the
/// leader (the Lease's holder) is killed with SIGKILL. The other replica takes the Lease; afterwards every posted
/// event is stored once, every completed rollout is one deployment CDEvent, and the metric rows the incremental
/// pipeline wrote equal what `pacer recompute` writes from the raw tables.
@Suite("Failover between two pacer run replicas", .enabled(if: TestDatabase.enabled))
struct FailoverTests {
    /// Deployments in namespace `shop` (environment `production`); each rolls out once per round: round 0 creates
    /// it (service.deployed), rounds 1…4 change its image (service.upgraded). Every rollout names its commit
    /// (change.merged).
    static let apps = ["checkout", "search", "cart", "payments"]
    static let rounds = 5
    /// CloudEvents posted per round, alternating between the replicas: per 5, 3 rollouts, one availability lost,
    /// one restored, for the apps `ext-0`/`ext-1` (not in the cluster).
    static let postsPerRound = 10
    /// The leader is killed in this round, after its rollouts were applied and half its events posted.
    static let killRound = 2

    /// Leader election as `pacer run` configures it: it has no flags for these, so LeaderElectionConfiguration's
    /// defaults apply (lease 15 s, retry 2 s jittered up to ×2.2).
    static let leaseDuration: Duration = .seconds(15)
    static let retryPeriod: Duration = .seconds(2)
    /// Waiting for the takeover: lease + one (jittered) retry period + a generous margin for a loaded machine.
    /// A condition wait, not a speed assertion.
    static let takeoverTimeout: Duration = leaseDuration + retryPeriod * 2.2 + .seconds(180)

    // Expected counts, by hand.
    static let sourceRollouts = 20  // 4 apps × 5 rounds
    static let postedEvents = 50  // 5 rounds × 10
    static let postedRollouts = 30  // 3 of every 5 posted
    static let postedIncidentEvents = 20  // 10 lost + 10 restored
    /// service.deployed/upgraded + change.merged per rollout (cluster's and posted), one incident CDEvent per
    /// lost/restored, and an incident.resolved (of a failed rollout; none is open) for every posted rollout: they do
    /// not say whether the rollout before them failed (`previousRolloutFailed`), so the default route resolves.
    /// The cluster's rollouts say it is false, except a rollout the survivor derives on first sight of its
    /// Deployment (it did not see the one before): those are counted from the stored CloudEvents
    /// (``unknownPreviousRollout``), at most one per app.
    static let expectedCDEventsBesideUnknown = 2 * (sourceRollouts + postedRollouts) + postedIncidentEvents + postedRollouts  // 150

    /// The cluster's `rollout.completed` CloudEvents stored without `previousRolloutFailed`.
    static let unknownPreviousRollout = """
        SELECT count(*)::int FROM cloudevents_raw WHERE ce_type = 'dev.pacer.deployment.rollout.completed'
            AND ce_source NOT LIKE '/k8s/external/%' AND NOT (content->'data' ? 'previousRolloutFailed')
        """

    @Test(.timeLimit(.minutes(10)))
    func killingTheLeaderLosesAndDuplicatesNothing() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            for folder in ["crds", "examples"] {
                let applied = try await kubectl("apply", "-f", folder)
                #expect(applied.status == 0, "\(applied.stderr)")
            }
            try await Self.ok(kubectl("create", "namespace", "shop"))
            try await Self.ok(kubectl("annotate", "namespace", "shop", "pacer.dev/environment=production"))
            try await TestDatabase.withFreshDatabase { client, url in
                let logs = RepoPaths.root + "/.tmp/failover-\(UUID().uuidString)"
                try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: logs) }
                let replicas = try [0, 1].map { index in
                    try Replica.start(databaseURL: url, kubeconfig: kubeconfig, port: try CrashRecoveryTests.freePort(), log: logs + "/replica-\(index).log")
                }
                defer { replicas.forEach { $0.kill() } }
                try await run(kubectl: kubectl, client: client, url: url, replicas: replicas)
            }
        }
    }

    private func run(kubectl: Kubectl, client: PostgresClient, url: String, replicas: [Replica]) async throws {
        let query = Query(client: client)
        let raw = RawEvents(url: url)
        try await Self.until("both replicas ready", timeout: .seconds(180)) { () async throws -> Bool? in
            for replica in replicas {
                if try await HTTP(port: replica.port).status("/readyz") != 200 { return nil }
            }
            return true
        }
        let firstLeader = try await Self.until("a replica leads", timeout: Self.takeoverTimeout) {
            try await Self.holder(kubectl).flatMap { holder in replicas.first { $0.isIdentity(holder) } }
        }
        try await raw.waitForReadyConfig(metricDefinitions: 4, timeout: .seconds(180))
        let survivor = replicas.first { $0.port != firstLeader.port }!

        let now = Date()
        var posted = 0
        var refused = 0
        var takeover: Task<String, any Error>?
        for round in 0..<Self.rounds {
            for app in Self.apps {
                let deployment = Self.deployment(app, round: round, now: now)
                try await Self.ok(kubectl(["apply", "-f", "-"], stdin: deployment))
            }
            for _ in 0..<Self.postsPerRound {
                if round == Self.killRound, posted == round * Self.postsPerRound + Self.postsPerRound / 2 {
                    // The rollouts of this round are under way and half its events are posted: kill the leader.
                    #expect(try await Self.holder(kubectl).map(firstLeader.isIdentity) == true, "the leader changed before the kill")
                    firstLeader.kill()
                    takeover = Task {
                        try await Self.until("the other replica takes the Lease", timeout: Self.takeoverTimeout) {
                            try await Self.holder(kubectl).flatMap { survivor.isIdentity($0) ? $0 : nil }
                        }
                    }
                }
                refused += try await Self.post(Self.postedEvent(posted, now: now), preferring: replicas[posted % 2], else: replicas[(posted + 1) % 2])
                posted += 1
            }
            // Each Deployment's next rollout starts once this one is stored: a revision that completed while no
            // replica led is seen (and emitted) by the next leader, which reads the Deployment's current state.
            for app in Self.apps {
                try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/\(app)", count: round + 1, timeout: Self.takeoverTimeout)
            }
        }
        let newLeader = try await takeover!.value
        #expect(survivor.isIdentity(newLeader))
        #expect(refused > 0, "no post hit the killed replica")
        #expect(posted == Self.postedEvents)

        // The pipeline on the new leader drains: every CDEvent produced, the calculator at the end of the log and no
        // deferred aggregate left.
        try await Self.until("the pipeline drains", timeout: .seconds(120)) { () async throws -> Bool? in
            let cdEvents = try await query.int("SELECT count(*)::int FROM cdevents_raw")
            let behind = try await query.int("""
                SELECT count(*)::int FROM cdevents_raw r, pipeline_cursors c
                WHERE c.name = 'calculate' AND (r.ingest_xid, r.seq) > (c.last_xid, c.last_id)
                """)
            // Aggregates a busy calculator deferred wait in metric_pending (durably, so a new leader finishes them).
            let pending = try await query.int("SELECT count(*)::int FROM metric_pending")
            let expected = Self.expectedCDEventsBesideUnknown + (try await query.int(Self.unknownPreviousRollout))
            return cdEvents >= expected && behind == 0 && pending == 0 ? true : nil
        }

        // Every posted event stored exactly once.
        #expect(try await query.int("SELECT count(*)::int FROM cloudevents_raw WHERE ce_source LIKE '/k8s/external/%'") == Self.postedEvents)
        #expect(try await query.int("SELECT count(DISTINCT ce_id)::int FROM cloudevents_raw WHERE ce_source LIKE '/k8s/external/%'") == Self.postedEvents)
        let postedIds = try await query.strings("SELECT ce_id FROM cloudevents_raw WHERE ce_source LIKE '/k8s/external/%' ORDER BY ce_id")
        #expect(postedIds == (0..<Self.postedEvents).map { "posted-\($0)" }.sorted())

        // Every completed rollout: one rollout.completed per Deployment and revision 1…5, none missing, none twice.
        for app in Self.apps {
            let revisions = try await query.strings("""
                SELECT content->'data'->>'revision' FROM cloudevents_raw
                WHERE ce_type = 'dev.pacer.deployment.rollout.completed' AND ce_subject = 'shop/\(app)' ORDER BY event_id
                """)
            #expect(revisions == (1...Self.rounds).map(String.init), "\(app): \(revisions)")
        }
        // … and each rollout.completed (the cluster's and the posted) is exactly one deployment CDEvent.
        let perRollout = try await query.strings("""
            SELECT count(d.cd_id)::text FROM cloudevents_raw c
            LEFT JOIN cdevents_raw d ON d.origin_event_id = c.event_id AND d.cd_type ~ '^dev\\.cdevents\\.service\\.(deployed|upgraded|rolledback)\\.'
            WHERE c.ce_type = 'dev.pacer.deployment.rollout.completed' GROUP BY c.event_id
            """)
        #expect(perRollout.count == Self.sourceRollouts + Self.postedRollouts)
        #expect(perRollout.allSatisfy { $0 == "1" }, "deployment CDEvents per rollout: \(perRollout)")
        #expect(try await query.int("SELECT count(*)::int FROM cdevents_raw WHERE cd_type ~ '^dev\\.cdevents\\.service\\.'") == Self.sourceRollouts + Self.postedRollouts)
        #expect(try await query.int("SELECT count(*)::int FROM cdevents_raw WHERE cd_type ~ '^dev\\.cdevents\\.service\\.deployed\\.'") == Self.apps.count)
        let unknown = try await query.int(Self.unknownPreviousRollout)
        #expect(unknown <= Self.apps.count, "\(unknown) rollouts without previousRolloutFailed")
        #expect(try await query.int("""
            SELECT count(*)::int FROM cloudevents_raw WHERE ce_type = 'dev.pacer.deployment.rollout.completed'
                AND ce_source NOT LIKE '/k8s/external/%' AND content->'data'->>'previousRolloutFailed' = 'true'
            """) == 0, "no rollout failed")
        #expect(try await query.int("SELECT count(*)::int FROM cdevents_raw") == Self.expectedCDEventsBesideUnknown + unknown)
        #expect(try await query.int("SELECT count(*)::int FROM cdevents_raw WHERE cd_type ~ '^dev\\.cdevents\\.incident\\.resolved\\.'")
            == Self.postedIncidentEvents / 2 + Self.postedRollouts + unknown)
        #expect(try await query.int("SELECT count(*)::int FROM pipeline_errors") == 0)

        // The survivor stops; the rows its (and the killed leader's) incremental pipeline wrote equal a recompute.
        try await survivor.terminate()
        let incremental = try await query.results()
        let recompute = try await Subprocess.run(
            [RepoPaths.root + "/.build/debug/pacer", "recompute", "--database-url", url, "--log-level", "error"], timeout: .seconds(120))
        #expect(recompute.status == 0, "\(recompute.stderr)")
        let recomputed = try await query.results()
        #expect(incremental.count > 20, "\(incremental)")
        #expect(incremental == recomputed, "incremental rows differ from a recompute")
    }

    // MARK: - Inputs

    /// Round `round` of Deployment `app`: image `:1.<round>`, commit `<app>-c<round>` merged `10 - round` hours ago.
    static func deployment(_ app: String, round: Int, now: Date) -> Data {
        Data("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(app)
          namespace: shop
          annotations:
            pacer.dev/app: \(app)
            pacer.dev/commit: \(app)-c\(round)
            pacer.dev/commit-time: "\(RFC3339.format(now - Double(10 - round) * 3600))"
        spec:
          replicas: 2
          selector:
            matchLabels: {app: \(app)}
          template:
            metadata:
              labels: {app: \(app)}
            spec:
              containers:
              - name: app
                image: nginx:1.\(round)
        """.utf8)
    }

    /// Posted event `n`, in the Deployment source's format from another cluster (`/k8s/external/…`).
    static func postedEvent(_ n: Int, now: Date) -> JSONValue {
        let app = "ext-\((n / 5) % 2)"
        let time = now - 2 * 86_400 + Double(n) * 600
        var data: [String: JSONValue] = [
            "namespace": "ext", "name": .string(app), "uid": .string("uid-\(app)"), "app": .string(app),
            "environment": "production", "replicas": 2, "generation": 1,
        ]
        let type: String
        switch n % 5 {
        case 3: type = "availability.lost"
        case 4: type = "availability.restored"
        default:
            type = "rollout.completed"
            data["revision"] = .int(Int64(n + 2))
            data["previousRevision"] = .int(Int64(n + 1))
            data["rollback"] = false
            data["commit"] = .string("ext-c\(n)")
            data["commitTime"] = .string(RFC3339.format(time - Double(1 + n % 7) * 3600))
        }
        return [
            "specversion": "1.0", "id": .string("posted-\(n)"), "source": .string("/k8s/external/apis/apps/v1/namespaces/ext/deployments/\(app)"),
            "type": .string("dev.pacer.deployment.\(type)"), "subject": .string("ext/\(app)"), "time": .string(RFC3339.format(time)),
            "datacontenttype": "application/json", "data": .object(data),
        ]
    }

    /// Posts one CloudEvent until a replica accepts it (202), trying `first`, then alternating; returns how many
    /// attempts were refused. A sender's retry, not synchronisation.
    static func post(_ event: JSONValue, preferring first: Replica, else second: Replica) async throws -> Int {
        var refused = 0
        let body = String(decoding: event.jsonData(), as: UTF8.self)
        for attempt in 0..<200 {
            let replica = attempt % 2 == 0 ? first : second
            if try await HTTP(port: replica.port).post("/events", body, contentType: "application/cloudevents+json") == 202 { return refused }
            refused += 1
            if attempt % 2 == 1 { try await Task.sleep(for: .milliseconds(100)) }
        }
        throw SubprocessError(message: "no replica accepted \(event["id"]?.stringValue ?? "?")")
    }

    // MARK: - Helpers

    /// The Lease's holder (nil when absent or released).
    static func holder(_ kubectl: Kubectl) async throws -> String? {
        let result = try await kubectl("get", "lease", "pacer-leader", "-o", "jsonpath={.spec.holderIdentity}")
        let holder = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return result.status == 0 && !holder.isEmpty ? holder : nil
    }

    /// Polls `condition` until it returns a value; throws after `timeout`.
    @discardableResult
    static func until<T>(_ what: String, timeout: Duration, _ condition: () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try await condition() { return value }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw SubprocessError(message: "\(what): not within \(timeout)")
    }

    static func ok(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
}

/// One `pacer run` replica as a child process; its leader-election identity is `<hostname>-<pid>`.
struct Replica: Sendable {
    let process: Process
    let port: Int

    static func start(databaseURL: String, kubeconfig: String, port: Int, log: String) throws -> Replica {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepoPaths.root + "/.build/debug/pacer")
        process.arguments = [
            "run", "--database-url", databaseURL, "--kubeconfig", kubeconfig, "--http-host", "127.0.0.1", "--http-port", String(port),
            "--pipeline-poll-interval", "0.5", "--log-level", "warning",
        ]
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return Replica(process: process, port: port)
    }

    func isIdentity(_ holder: String) -> Bool { holder.hasSuffix("-\(process.processIdentifier)") }

    /// SIGKILL: no graceful shutdown, the Lease is not released.
    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitForExit()
    }

    /// SIGTERM, then waits for the exit (SIGKILL after a minute).
    func terminate() async throws {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(180)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        kill()
    }
}

extension HTTP {
    /// The status code of a GET.
    func status(_ path: String) async throws -> Int {
        let result = try await Subprocess.run(
            ["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(port)\(path)"], timeout: .seconds(10))
        return Int(result.stdout) ?? -1
    }
}

extension Query {
    func strings(_ sql: String) async throws -> [String] {
        var values: [String] = []
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(String.self) {
            values.append(value)
        }
        return values
    }
}
