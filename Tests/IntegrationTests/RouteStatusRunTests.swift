import Foundation
import PacerApp
import PostgresNIO
import TestSupport
import Testing

/// Issue 11: `pacer run` (kube-sim, PostgreSQL, the real kubectl) writes each EventRoute's matches to its status,
/// and `kubectl get eventroutes` shows them in the MATCHED column.
@Suite("pacer run writes EventRoute status", .enabled(if: TestDatabase.enabled))
struct RouteStatusRunTests {
    /// Deployment `default/web` of the scenario below, through the default routes (examples/deployment-routes.yaml):
    ///
    /// | step | what kube-sim does | CloudEvent the route sees | route that matches |
    /// |---|---|---|---|
    /// | 1 | `create deployment web` (first rollout) | `rollout.completed`, no `previousRevision` | `deployment-first-rollout` |
    /// | 2 | `set image` 1.26 (an upgrade) | `rollout.completed`, `previousRevision: 1` | `deployment-upgrade` |
    /// | 3 | `fail-rollout` and image 1.27 in one patch | `rollout.failed` | `deployment-rollout-failed` |
    ///
    /// Steps 1 and 2 do not match `deployment-rollout-resolved`: a completed rollout resolves a failed-rollout incident
    /// only when the source says the rollout before it failed or does not know (`previousRolloutFailed`), and here
    /// the first rollout has none before it and the second follows a completed one.
    ///
    /// No `pacer.dev/commit` annotations, so `deployment-change-merged` matches nothing; nor do the rollback and
    /// incident-resolved routes (no counter is written: MATCHED stays empty, `""` below). `created` and `revision`
    /// events match no route. Step 3 is one write: annotating `fail-rollout` alone would fail the settled revision 2
    /// as well (kube-sim re-evaluates it), a second `rollout.failed` whenever it lands before the image change.
    static let expected = [
        "deployment-first-rollout": "1", "deployment-upgrade": "1", "deployment-rollout-failed": "1", "deployment-rollout-resolved": "",
        "deployment-incident-detected": "", "deployment-change-merged": "", "deployment-rollback": "", "deployment-incident-resolved": "",
    ]

    @Test(.timeLimit(.minutes(10)))
    func kubectlGetEventRoutesShowsTheMatchedEvents() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            for path in ["crds", "examples/deployment-transforms.yaml", "examples/deployment-routes.yaml"] {
                let applied = try await kubectl("apply", "-f", path)
                #expect(applied.status == 0, "\(applied.stderr)")
            }
            try await TestDatabase.withFreshDatabase { _, url in
                let configuration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "test-route-status")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await PacerOperator(configuration: configuration, logger: TestDatabase.logger).run() }
                    defer { group.cancelAll() }
                    // The routes and transforms are in use before the first Deployment event arrives.
                    try await Self.waitForReadyRows(url: url, routes: 6, kubectl: kubectl)

                    let raw = RawEvents(url: url)
                    #expect(try await kubectl("create", "deployment", "web", "--image=nginx:1.25").status == 0)
                    try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "default/web", count: 1, timeout: .seconds(180))
                    #expect(try await kubectl("set", "image", "deployment/web", "nginx=nginx:1.26").status == 0)
                    try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "default/web", count: 2, timeout: .seconds(180))
                    let failing = #"{"metadata":{"annotations":{"kube-sim.pacer.dev/fail-rollout":"true"}},"#
                        + #""spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"}]}}}}"#
                    let patched = try await kubectl("patch", "deployment/web", "--type=merge", "-p", failing)
                    #expect(patched.status == 0, "\(patched.stderr)")
                    try await raw.wait(for: "dev.pacer.deployment.rollout.failed", subject: "default/web", count: 1, timeout: .seconds(180))

                    // `kubectl get eventroutes`: the MATCHED column reaches the table's numbers.
                    var table: [String: [String: String]] = [:]
                    var output = ""
                    let deadline = ContinuousClock.now + .seconds(180)
                    while ContinuousClock.now < deadline {
                        let listed = try await kubectl("get", "eventroutes")
                        output = listed.stdout
                        table = Self.columns(listed.stdout)
                        if table.mapValues({ $0["MATCHED"] ?? "" }) == Self.expected { break }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(table.mapValues { $0["MATCHED"] ?? "" } == Self.expected, "\(output)")
                    // The reconciler's fields are untouched by the status writes.
                    #expect(table.values.allSatisfy { $0["READY"] == "True" }, "\(output)")

                    let jsonPath = #"{.status.matchedEvents} {.status.lastMatchTime} {.status.observedGeneration} {.status.conditions[?(@.type=="Ready")].status}"#
                    let first = try await kubectl("get", "eventroute", "deployment-first-rollout", "-o", "jsonpath=\(jsonPath)")
                    let fields = first.stdout.split(separator: " ").map(String.init)
                    #expect(fields.count == 4, "\(first.stdout)")
                    #expect(fields.first == "1")
                    #expect(fields.count > 1 && fields[1].hasSuffix("Z") && fields[1].count == 20, "lastMatchTime \(first.stdout)")
                    #expect(fields.count > 3 && fields[2] == "1" && fields[3] == "True", "\(first.stdout)")
                }
            }
        }
    }

    /// `kubectl get` output as rows by NAME, each a map from column header to value, cut at the columns' header
    /// positions (kubectl aligns cells under their header); an empty cell or `<none>` is `""`.
    static func columns(_ text: String) -> [String: [String: String]] {
        let lines = text.split(separator: "\n").map { Array($0) }
        guard let header = lines.first else { return [:] }
        var starts: [Int] = []
        for index in header.indices where header[index] != " " && (index == 0 || header[index - 1] == " ") { starts.append(index) }
        func cell(_ line: [Character], _ column: Int) -> String {
            let start = min(starts[column], line.count)
            let end = column + 1 < starts.count ? min(starts[column + 1], line.count) : line.count
            let value = String(line[start..<end]).trimmingCharacters(in: .whitespaces)
            return value == "<none>" ? "" : value
        }
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            var row: [String: String] = [:]
            for column in starts.indices { row[cell(header, column)] = cell(line, column) }
            if let name = row["NAME"] { rows[name] = row }
        }
        return rows
    }

    /// Waits until the reconcilers have written `routes` ready EventRoute rows and every CDEventTransform the API
    /// server holds as a ready row.
    static func waitForReadyRows(url: String, routes: Int, kubectl: Kubectl, timeout: Duration = .seconds(180)) async throws {
        let transforms = try await kubectl("get", "cdeventtransforms", "-o", "name").stdout.split(separator: "\n").count
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            // Before the operator's migrations the tables do not exist yet: that counts as not ready.
            let ready = (try? await TestDatabase.withClient(url: url) { client in
                let query: PostgresQuery = """
                    SELECT (SELECT count(*) FROM pacer_event_routes WHERE ready)::int, (SELECT count(*) FROM pacer_cdevent_transforms WHERE ready)::int
                    """
                for try await counts in try await client.query(query, logger: TestDatabase.logger).decode((Int, Int).self) { return counts }
                return (0, 0)
            }) ?? (0, 0)
            if ready.0 >= routes && ready.1 >= transforms && transforms > 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw SubprocessError(message: "the EventRoutes and CDEventTransforms did not become ready within \(timeout)")
    }
}
