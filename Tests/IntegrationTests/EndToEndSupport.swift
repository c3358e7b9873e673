import Foundation
import PacerApp
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// Runs an embedded Pacer (`run` is its `run(onServerRunning:)`) while `body` runs with the HTTP port it bound; then
/// cancels it and waits at most a minute for it to return (logged and left behind otherwise, so that a shutdown that
/// ignores cancellation fails the test's expectations rather than hanging the whole test run). A Pacer that fails
/// before it listens fails the test with its error.
func withPacer<T: Sendable>(
    _ what: String, _ run: @escaping @Sendable (_ onServerRunning: @escaping @Sendable (Int) async -> Void) async throws -> Void,
    _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let port = ServerPort()
    let running = BoundedTask {
        do {
            try await run { await port.set($0) }
        } catch {
            port.fail(error)
        }
    }
    do {
        let result = try await body(try await port.wait())
        #expect(await running.cancelAndWait(what: what), "\(what) did not stop within a minute of its cancellation")
        return result
    } catch {
        await running.cancelAndWait(what: what)
        throw error
    }
}

/// Plain HTTP with the real curl, as a user's script would call Pacer.
struct HTTP {
    let port: Int

    /// Posts a CDEvent the way CDEvents travel: as a binary-mode CloudEvent whose type is the CDEvent's type.
    func postCDEvent(_ body: String) async throws -> Int {
        let event = try JSONValue.parse(body)
        let context = event["context"] ?? .null
        return try await post(
            "/cdevents", body,
            headers: ["ce-specversion: 1.0", "ce-id: \(context["id"]?.stringValue ?? "")",
                      "ce-source: \(context["source"]?.stringValue ?? "")", "ce-type: \(context["type"]?.stringValue ?? "")"])
    }

    func post(_ path: String, _ body: String, headers: [String] = [], contentType: String = "application/json") async throws -> Int {
        let result = try await Subprocess.run(
            ["/usr/bin/curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "-H", "Content-Type: \(contentType)"]
                + headers.flatMap { ["-H", $0] } + ["--data-binary", "@-", "http://127.0.0.1:\(port)\(path)"],
            stdin: Data(body.utf8), timeout: .seconds(30))
        return Int(result.stdout) ?? -1
    }

    func getText(_ path: String) async throws -> String {
        try await Subprocess.run(["/usr/bin/curl", "-s", "http://127.0.0.1:\(port)\(path)"], timeout: .seconds(10)).stdout
    }

    func getJSON(_ path: String) async throws -> JSONValue {
        try JSONValue.parse(try await getText(path))
    }
}

/// Reads what Pacer stored, to wait for it and to compute the expected metrics independently.
struct RawEvents {
    let url: String

    func count(type: String, subject: String) async throws -> Int {
        try await TestDatabase.withClient(url: url) { client in
            let query: PostgresQuery = "SELECT count(*)::int FROM cloudevents_raw WHERE ce_type = \(type) AND ce_subject = \(subject)"
            for try await count in try await client.query(query, logger: TestDatabase.logger).decode(Int.self) { return count }
            return 0
        }
    }

    func wait(for type: String, subject: String, count: Int, timeout: Duration = .seconds(90)) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await self.count(type: type, subject: subject) >= count { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw SubprocessError(message: "no \(count)× \(type) for \(subject) within \(timeout)")
    }

    /// The distinct sources of the stored CloudEvents of this type.
    func sources(type: String) async throws -> Set<String> {
        try await TestDatabase.withClient(url: url) { client in
            var sources: Set<String> = []
            let query: PostgresQuery = "SELECT DISTINCT ce_source FROM cloudevents_raw WHERE ce_type = \(type)"
            for try await source in try await client.query(query, logger: TestDatabase.logger).decode(String.self) { sources.insert(source) }
            return sources
        }
    }

    /// The CDEvent types (`service.deployed`, …) with this subject id, in the order they were stored.
    func cdEventTypes(subject: String) async throws -> [String] {
        try await TestDatabase.withClient(url: url) { client in
            var types: [String] = []
            let query: PostgresQuery = "SELECT cd_type FROM cdevents_raw WHERE cd_subject_id = \(subject) ORDER BY cd_timestamp, seq"
            for try await type in try await client.query(query, logger: TestDatabase.logger).decode(String.self) {
                let parts = type.split(separator: ".")
                types.append(parts.count >= 4 ? "\(parts[2]).\(parts[3])" : type)
            }
            return types
        }
    }

    /// CDEvents stored by this transform (`namespace/name`).
    func producedBy(_ transform: String) async throws -> Int {
        try await TestDatabase.withClient(url: url) { client in
            let query: PostgresQuery = "SELECT count(*)::int FROM cdevents_raw WHERE origin_transform = \(transform)"
            for try await count in try await client.query(query, logger: TestDatabase.logger).decode(Int.self) { return count }
            return 0
        }
    }

    /// Every stored CDEvent, as JSON text.
    func cdEventContents() async throws -> [String] {
        try await TestDatabase.withClient(url: url) { client in
            var contents: [String] = []
            for try await text in try await client.query("SELECT content::text FROM cdevents_raw ORDER BY seq", logger: TestDatabase.logger).decode(String.self) {
                contents.append(text)
            }
            return contents
        }
    }

    /// Waits until `metricDefinitions` MetricDefinitions are ready. The EventRoutes and CDEventTransforms are not
    /// waited for: events stored before the pipeline loads a route are routed by its catch-up (docs/pipeline.md).
    func waitForReadyConfig(metricDefinitions: Int, timeout: Duration = .seconds(90)) async throws {
        let wanted = [("pacer_metric_definitions", metricDefinitions)]
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var missing = false
            for (table, count) in wanted {
                let ready = try await TestDatabase.withClient(url: url) { client in
                    for try await count in try await client.query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table) WHERE ready"), logger: TestDatabase.logger).decode(Int.self) { return count }
                    return 0
                }
                if ready < count { missing = true }
            }
            if !missing { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SubprocessError(message: "the pipeline configuration did not become ready within \(timeout)")
    }

    /// Deployments, changes and incidents as the Deployment source's CloudEvents describe them.
    func independentModel(environment: String) async throws -> IndependentDORA {
        let rows = try await TestDatabase.withClient(url: url) { client in
            var rows: [(String, String)] = []
            let query: PostgresQuery = "SELECT ce_type, content::text FROM cloudevents_raw ORDER BY event_id"
            for try await row in try await client.query(query, logger: TestDatabase.logger).decode((String, String).self) { rows.append(row) }
            return rows
        }
        var model = IndependentDORA()
        for (type, content) in rows {
            let event = try JSONValue.parse(content)
            let data = event["data"] ?? .null
            guard let time = event["time"]?.stringValue.flatMap(RFC3339.parse), let app = data["app"]?.stringValue,
                  data["environment"]?.stringValue == environment
            else { continue }
            let subject = event["subject"]?.stringValue ?? ""
            switch type {
            case "dev.pacer.deployment.rollout.completed":
                let commit = data["commit"]?.stringValue
                model.deployments.append(.init(app: app, environment: environment, time: time, commit: commit))
                if let commit, let commitTime = data["commitTime"]?.stringValue.flatMap(RFC3339.parse) {
                    model.changes.append(.init(sha: commit, app: app, time: commitTime))
                }
                // A completed rollout resolves the Deployment's failed-rollout incident.
                model.incidents.append(.init(subject: subject + "/rollout", app: app, environment: environment, time: time, opens: false))
            case "dev.pacer.deployment.rollout.failed":
                // A failed rollout is a deployment that failed, and opens an incident naming it.
                model.deployments.append(
                    .init(app: app, environment: environment, time: time, commit: data["commit"]?.stringValue, rolloutFailed: true))
                model.incidents.append(.init(subject: subject + "/rollout", app: app, environment: environment, time: time, opens: true, named: true))
            case "dev.pacer.deployment.availability.lost":
                model.incidents.append(.init(subject: subject, app: app, environment: environment, time: time, opens: true))
            case "dev.pacer.deployment.availability.restored":
                model.incidents.append(.init(subject: subject, app: app, environment: environment, time: time, opens: false))
            default:
                break
            }
        }
        return model
    }
}

/// The MetricDefinitions' statuses, by name, as `kubectl get metricdefinitions -o json` shows them.
enum MetricStatuses {
    /// Reads them until `settled` holds (or `timeout` passes: then the last read, for the caller's expectations).
    static func wait(kubectl: Kubectl, timeout: Duration = .seconds(180), until settled: ([String: JSONValue]) -> Bool) async throws -> [String: JSONValue] {
        let deadline = ContinuousClock.now + timeout
        var statuses: [String: JSONValue] = [:]
        while ContinuousClock.now < deadline {
            let result = try await kubectl("get", "metricdefinitions", "-o", "json")
            statuses = [:]
            for item in try JSONValue.parse(Array(result.stdout.utf8))["items"]?.arrayValue ?? [] {
                if let name = item["metadata"]?["name"]?.stringValue, let status = item["status"] { statuses[name] = status }
            }
            if settled(statuses) { return statuses }
            try await Task.sleep(for: .milliseconds(200))
        }
        return statuses
    }

    /// The status group of `app` in the definition `name`.
    static func group(_ statuses: [String: JSONValue], _ name: String, app: String) -> JSONValue? {
        statuses[name]?["groups"]?.arrayValue?.first { $0["labels"]?["app"]?.stringValue == app }
    }

    static func value(_ statuses: [String: JSONValue], _ name: String, app: String) -> Double? {
        group(statuses, name, app: app)?["numericValue"]?.doubleValue
    }
}

/// What a person computed by hand for the "create, upgrade, fail, roll back, lose and restore availability" story
/// each workload kind's end-to-end test plays per app (the computation is written at each caller).
struct StoryKeys {
    var changeFailureRate: Double
    /// Lead time in hours, within this range.
    var leadTime: Range<Double>
    /// Time to restore in hours: above zero, at most this.
    var restoreAtMost: Double
    /// Incidents resolved today per app (today's time-to-restore samples).
    var restores: Int64
    /// Today's deployment-frequency point per app.
    var deploymentsToday: Double
}

/// Waits for the default MetricDefinitions to show `expected` for every app, then checks it: the status groups,
/// the headlines, and the API's daily series.
func expectStoryKeys(_ expected: StoryKeys, apps: [String], http: HTTP, kubectl: Kubectl, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    func restoreSamples(_ app: String) async throws -> Int64? {
        let restores = try await http.getJSON("/api/v1/metrics/default/time-to-restore?bucket=day&app=\(app)")
        return restores["series"]?.arrayValue?.first?["points"]?.arrayValue?.last?["samples"]?.intValue
    }
    var samples: [String: Int64?] = [:]
    let samplesDeadline = ContinuousClock.now + .seconds(180)
    while ContinuousClock.now < samplesDeadline {
        for app in apps { samples[app] = try await restoreSamples(app) }
        if samples.values.allSatisfy({ $0 == expected.restores }) { break }
        try await Task.sleep(for: .milliseconds(200))
    }
    #expect(apps.allSatisfy { samples[$0] == expected.restores }, "\(samples)", sourceLocation: sourceLocation)
    let statuses = try await MetricStatuses.wait(kubectl: kubectl) { statuses in
        apps.allSatisfy { app in
            MetricStatuses.value(statuses, "change-failure-rate", app: app).map { abs($0 - expected.changeFailureRate) < 1e-9 } ?? false
                && MetricStatuses.value(statuses, "lead-time-for-changes", app: app) != nil
                && MetricStatuses.value(statuses, "time-to-restore", app: app) != nil
        }
    }
    for app in apps {
        let cfr = MetricStatuses.value(statuses, "change-failure-rate", app: app)
        #expect(cfr.map { abs($0 - expected.changeFailureRate) < 1e-9 } == true, "\(app): CFR \(String(describing: cfr))", sourceLocation: sourceLocation)
        let lead = MetricStatuses.value(statuses, "lead-time-for-changes", app: app)
        #expect(lead.map { expected.leadTime.contains($0) } == true, "\(app): lead time \(String(describing: lead)) h", sourceLocation: sourceLocation)
        let restore = MetricStatuses.value(statuses, "time-to-restore", app: app)
        #expect(restore.map { $0 > 0 && $0 <= expected.restoreAtMost } == true, "\(app): time to restore \(String(describing: restore)) h", sourceLocation: sourceLocation)
        let series = try await http.getJSON("/api/v1/metrics/default/deployment-frequency?bucket=day&app=\(app)")
        let points = series["series"]?.arrayValue?.first?["points"]?.arrayValue ?? []
        #expect(points.last?["value"]?.doubleValue == expected.deploymentsToday, "\(app): \(series)", sourceLocation: sourceLocation)
    }
    let headlineCFR = statuses["change-failure-rate"]?["numericValue"]?.doubleValue
    #expect(headlineCFR.map { abs($0 - expected.changeFailureRate) < 1e-9 } == true, "\(String(describing: headlineCFR))", sourceLocation: sourceLocation)
    let headlineLead = statuses["lead-time-for-changes"]?["numericValue"]?.doubleValue
    #expect(headlineLead.map { expected.leadTime.contains($0) } == true, "\(String(describing: headlineLead))", sourceLocation: sourceLocation)
}
