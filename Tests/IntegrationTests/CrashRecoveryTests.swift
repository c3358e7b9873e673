import Foundation
import PacerCore
import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Issue 5: killing Pacer mid-stream and restarting loses and duplicates nothing, and the incremental results equal
/// a recompute. The real `pacer serve` (ingest + pipeline) runs as a child process and is killed with SIGKILL
/// several times while a sender posts Deployment-source CloudEvents (retrying, as senders do, while it is down).
@Suite("Killing Pacer mid-stream", .enabled(if: TestDatabase.enabled))
struct CrashRecoveryTests {
    static let apps = 12
    static let batches = 30
    static let batchSize = 20

    @Test(.timeLimit(.minutes(10)))
    func killedAndRestartedPacerLosesAndDuplicatesNothing() async throws {
        try await TestDatabase.withFreshDatabase { client, url in
            try await ExamplePipeline.install(client, files: try ExamplePipeline.allFiles, namespace: "default")
            let now = Date()
            let batches = (0..<Self.batches).map { Self.batch($0, now: now) }
            let expectedCloudEvents = batches.reduce(0) { $0 + $1.count }
            let expectedCDEvents = batches.flatMap { $0 }.reduce(0) { total, event in
                switch event["type"]?.stringValue {
                // service.upgraded + change.merged + incident.resolved (of a failed rollout, none open here)
                case "dev.pacer.deployment.rollout.completed": total + 3
                default: total + 1  // incident.detected / incident.resolved
                }
            }

            let port = try Self.freePort()
            let query = Query(client: client)
            let sender = Task { try await Self.send(batches, port: port) }
            // Kill it three times at different points of the stream, then let the last one finish. Each instance is
            // killed once it has stored two more batches (a progress marker, not a guessed pause), so every kill
            // lands mid-stream however fast the machine is.
            for _ in 0..<3 {
                let before = try await query.int("SELECT count(*)::int FROM cloudevents_raw")
                let target = min(before + 2 * Self.batchSize, expectedCloudEvents)
                let pacer = try PacerProcess.start(databaseURL: url, port: port)
                try await query.waitUntil(timeout: .seconds(180)) {
                    try await query.int("SELECT count(*)::int FROM cloudevents_raw") >= target
                }
                pacer.kill()
            }
            let pacer = try PacerProcess.start(databaseURL: url, port: port)
            defer { pacer.kill() }
            let refused = try await sender.value
            #expect(refused > 0, "the kills never interrupted the stream")

            try await query.waitUntil(timeout: .seconds(180)) {
                let cdEvents = try await query.int("SELECT count(*)::int FROM cdevents_raw")
                let deployments = try await query.int("SELECT count(*)::int FROM deployments")
                let behind = try await query.int("""
                    SELECT count(*)::int FROM cdevents_raw r, pipeline_cursors c
                    WHERE c.name = 'calculate' AND (r.ingest_xid, r.seq) > (c.last_xid, c.last_id)
                    """)
                return cdEvents == expectedCDEvents && deployments == expectedCloudEvents - Self.incidentEvents && behind == 0
            }
            #expect(try await query.int("SELECT count(*)::int FROM cloudevents_raw") == expectedCloudEvents)
            #expect(try await query.int("SELECT count(*)::int FROM cdevents_raw") == expectedCDEvents)
            let duplicated = try await query.int("""
                SELECT count(*)::int FROM (SELECT origin_event_id, origin_transform FROM cdevents_raw
                GROUP BY 1, 2 HAVING count(*) > 1) d
                """)
            #expect(duplicated == 0)
            #expect(try await query.int("SELECT count(*)::int FROM pipeline_errors") == 0)

            // The results the killed and restarted calculator wrote equal a recompute from the raw tables.
            let pinned = Date()
            try await MetricCalculator(client: client, logger: TestDatabase.logger, clock: { pinned }).catchUp()
            let incremental = try await query.results()
            try await MetricRecompute(client: client, logger: TestDatabase.logger, clock: { pinned }).run(metric: nil)
            let recomputed = try await query.results()
            #expect(incremental.count > 50)
            #expect(incremental == recomputed)
        }
    }

    static var incidentEvents: Int { batches * 2 }

    /// 18 rollouts and one availability lost/restored pair per batch, over the last 10 days.
    static func batch(_ index: Int, now: Date) -> [JSONValue] {
        var events: [JSONValue] = []
        for offset in 0..<(batchSize - 2) {
            let n = index * batchSize + offset
            let app = "app-\(n % apps)"
            let revision = n / apps + 2
            let time = now - Double(n) * 1_440  // one every 24 minutes, back 10 days
            events.append(event(
                id: "\(app)/\(revision)/rollout.completed", type: "rollout.completed", app: app, time: time,
                data: ["revision": .int(Int64(revision)), "previousRevision": .int(Int64(revision - 1)), "rollback": false,
                       "commit": .string("c\(n)"), "commitTime": .string(RFC3339.format(time - Double(1 + n % 30) * 3600))]))
        }
        let app = "app-\(index % apps)"
        let lost = now - Double(index) * 20_000 - 7_200
        events.append(event(id: "\(app)/lost/\(index)", type: "availability.lost", app: app, time: lost, data: [:]))
        events.append(event(id: "\(app)/restored/\(index)", type: "availability.restored", app: app, time: lost + Double(600 + index * 60), data: [:]))
        return events
    }

    static func event(id: String, type: String, app: String, time: Date, data extra: [String: JSONValue]) -> JSONValue {
        var data: [String: JSONValue] = [
            "namespace": "shop", "name": .string(app), "uid": .string("uid-\(app)"), "app": .string(app),
            "environment": "production", "replicas": 2, "generation": 1,
        ]
        for (key, value) in extra { data[key] = value }
        return [
            "specversion": "1.0", "id": .string(id), "source": .string("/k8s/test/apis/apps/v1/namespaces/shop/deployments/\(app)"),
            "type": .string("dev.pacer.deployment.\(type)"), "subject": .string("shop/\(app)"), "time": .string(RFC3339.format(time)),
            "datacontenttype": "application/json", "data": .object(data),
        ]
    }

    /// Posts every batch in order, retrying each until it is accepted (Pacer down → connection refused or 503);
    /// returns how many attempts were refused.
    static func send(_ batches: [[JSONValue]], port: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(120)
        var refused = 0
        for batch in batches {
            while true {
                guard ContinuousClock.now < deadline else { throw SubprocessError(message: "the sender gave up") }
                let result = try await Subprocess.run(
                    ["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                     "-H", "Content-Type: application/cloudevents-batch+json", "--data-binary", "@-", "http://127.0.0.1:\(port)/events"],
                    stdin: JSONValue.array(batch).jsonData(), timeout: .seconds(30))
                if result.stdout == "202" { break }
                refused += 1
                try await Task.sleep(for: .milliseconds(100))  // a sender's retry delay
            }
            try await Task.sleep(for: .milliseconds(60))  // the sender's pace (the stream spans the kills), not synchronisation
        }
        return refused
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SubprocessError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SubprocessError(message: "could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// `pacer serve` as a child process, killed with SIGKILL (no graceful shutdown).
struct PacerProcess {
    let process: Process

    static func start(databaseURL: String, port: Int) throws -> PacerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepoPaths.root + "/.build/debug/pacer")
        process.arguments = [
            "serve", "--database-url", databaseURL, "--http-host", "127.0.0.1", "--http-port", String(port),
            "--pipeline-poll-interval", "0.5", "--log-level", "error",
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return PacerProcess(process: process)
    }

    func kill() {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitForExit()
    }
}

/// Small query helpers over one database.
struct Query {
    let client: PostgresClient

    func int(_ sql: String) async throws -> Int {
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self) { return value }
        return 0
    }

    func waitUntil(timeout: Duration, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw SubprocessError(message: "condition not met within \(timeout)")
    }

    /// Both read-model tables as text rows, without `computed_at`.
    func results() async throws -> [String] {
        var rows: [String] = []
        let points = """
            SELECT concat_ws('|', namespace, name, bucket, bucket_start, group_key, labels::text, value, samples)
            FROM metric_points ORDER BY namespace, name, bucket, group_key, bucket_start
            """
        let headlines = """
            SELECT concat_ws('|', namespace, name, group_key, labels::text, metric, value, level, unit, window_text, samples)
            FROM metric_headlines ORDER BY namespace, name, group_key
            """
        for sql in [points, headlines] {
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(String.self) {
                rows.append(row)
            }
        }
        return rows
    }
}
