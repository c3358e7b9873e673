import Foundation
import PacerApp
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// README.md, "A five-minute tour on a cluster": the same steps against kube-sim and PostgreSQL (`helm install` is
/// the chart's CRDs and default pipeline, which hack/check-chart.py keeps equal to crds/ and examples/, applied with
/// kubectl, and `pacer run` in process). The table `kubectl get metricdefinitions` prints must be the one the README
/// shows, and both the values a person computes from the tour's events.
@Suite("The README tour", .enabled(if: TestDatabase.enabled))
struct ReadmeTourTests {
    /// The tour's commands as the README writes them (the commit time is `date -u -d '2 hours ago'`).
    static let createCommand = "kubectl -n shop create deployment checkout --image=registry.example/checkout:1.3"
    static let annotateCommand = "kubectl -n shop annotate deployment checkout pacer.dev/commit=3f2a9c1"
    static let setImageCommand = "kubectl -n shop set image deployment/checkout checkout=registry.example/checkout:1.4"
    static let getCommand = "kubectl -n pacer get metricdefinitions"

    /// The compared columns (LAST COMPUTED is an age).
    static let columns = ["NAME", "METRIC", "VALUE", "UNIT", "LEVEL", "SAMPLES", "WINDOW", "READY"]

    /// What a person computes from the tour. Events: checkout's first rollout (revision 1) and the upgrade to 1.4
    /// (revision 2, commit 3f2a9c1 merged 2 hours before), both in environment `shop`, minutes apart; no failure,
    /// no incident. With the default spec.minSamples (5) no metric has enough samples for a level.
    /// - change failure rate: 0 failed of 2 deployments = 0;
    /// - deployment frequency: days with a deployment in each of the window's 4 weeks: 1, 0, 0, 0, median 0;
    /// - rework rate: 0 rollbacks or fixes of 2 deployments = 0, no levels;
    /// - failed deployment recovery time, time to restore: nothing failed, no incident: no value, 0 samples;
    /// - lead time: the one change, deployed 2 hours (and the seconds the tour takes) after its commit: "2" hours.
    static let expected: [[String]] = [
        ["change-failure-rate", "changeFailureRate", "0", "ratio", "InsufficientData", "2", "30d", "True"],
        ["deployment-frequency", "deploymentFrequency", "0", "days/week", "InsufficientData", "2", "30d", "True"],
        ["deployment-rework-rate", "deploymentReworkRate", "0", "ratio", "", "2", "30d", "True"],
        ["failed-deployment-recovery-time", "failedDeploymentRecoveryTime", "", "hours", "InsufficientData", "0", "30d", "True"],
        ["lead-time-for-changes", "leadTimeForChanges", "2", "hours", "InsufficientData", "1", "30d", "True"],
        ["time-to-restore", "timeToRestore", "", "hours", "InsufficientData", "0", "30d", "True"],
    ]

    @Test(.timeLimit(.minutes(10)))
    func theTourPrintsItsTable() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                try await run(kubectl: kubectl, databaseURL: url, kubeconfig: kubeconfig)
            }
        }
    }

    @Test("the README shows the commands this test runs and the table it expects")
    func theReadmeShowsTheTour() throws {
        let readme = try String(contentsOfFile: RepoPaths.root + "/README.md", encoding: .utf8)
        for command in [Self.createCommand, Self.annotateCommand, Self.setImageCommand, Self.getCommand, "pacer.dev/commit-time=$(date -u -d '2 hours ago'"] {
            #expect(readme.contains(command), "README lacks \(command)")
        }
        let table = try #require(Self.readmeTable(readme), "no table after the tour")
        #expect(Self.rows(table) == Self.expected, "README table:\n\(table)")
    }

    private func run(kubectl: Kubectl, databaseURL url: String, kubeconfig: String) async throws {
        // helm install: the CRDs and the default pipeline in namespace pacer, the operator.
        try await expectOK(kubectl("apply", "-f", "crds/"))
        try await expectOK(kubectl("create", "namespace", "pacer"))
        try await expectOK(kubectl("apply", "-n", "pacer", "-f", "examples/"))
        let configuration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "tour")
        try await withPacer("pacer run", { try await PacerOperator(configuration: configuration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
            let raw = RawEvents(url: url)
            try await raw.waitForReadyConfig(metricDefinitions: Self.expected.count)

            try await expectOK(kubectl("create", "namespace", "shop"))
            try await expectOK(kubectl(Self.words(Self.createCommand)))
            try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/checkout", count: 1)
            let commitTime = RFC3339.format(Date() - 2 * 3600, fractionalDigits: 0)
            try await expectOK(kubectl(Self.words(Self.annotateCommand) + ["pacer.dev/commit-time=\(commitTime)"]))
            try await expectOK(kubectl(Self.words(Self.setImageCommand)))
            try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/checkout", count: 2)

            // Settled when every definition counts the tour's samples (the statuses are written within a second).
            let wantSamples = Dictionary(uniqueKeysWithValues: Self.expected.map { ($0[0], Int64($0[5]) ?? -1) })
            var statuses: [String: JSONValue] = [:]
            let deadline = ContinuousClock.now + .seconds(180)
            while ContinuousClock.now < deadline {
                let list = try JSONValue.parse(Array(try await kubectl("get", "-n", "pacer", "metricdefinitions", "-o", "json").stdout.utf8))
                statuses = [:]
                for item in list["items"]?.arrayValue ?? [] {
                    if let name = item["metadata"]?["name"]?.stringValue, let status = item["status"] { statuses[name] = status }
                }
                let settled = wantSamples.allSatisfy { name, samples in
                    statuses[name]?["samples"]?.intValue == samples && statuses[name]?["lastComputedTime"] != nil
                }
                if settled { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            // The lead time in hours: 2 h between the commit and the annotate, plus the seconds until the rollout
            // completed (well under 3 minutes, which would print 2.1).
            let lead = statuses["lead-time-for-changes"]?["numericValue"]?.doubleValue ?? -1
            #expect(lead >= 2 && lead < 2.05, "lead time \(lead) h")

            let printed = try await kubectl(Self.words(Self.getCommand))
            try expectOK(printed)
            let types = try await raw.cdEventTypes(subject: "shop/checkout").joined(separator: ", ")
            let stored = try await TestDatabase.withClient(url: url) { client in
                var text = types
                for try await row in try await client.query("SELECT concat_ws('|', name, group_key, value, level, samples) FROM metric_headlines ORDER BY 1", logger: TestDatabase.logger).decode(String.self) {
                    text += "\n" + row
                }
                for try await row in try await client.query("SELECT row_to_json(d)::text FROM deployments d", logger: TestDatabase.logger).decode(String.self) {
                    text += "\n" + row
                }
                return text
            }
            #expect(Self.rows(printed.stdout) == Self.expected, "kubectl printed:\n\(printed.stdout)\nCDEvents of shop/checkout: \(stored)")
        }
    }

    // MARK: - Tables

    /// The table in README.md after the tour's `kubectl -n pacer get metricdefinitions`: the first code block that
    /// starts with a `NAME` header after the command.
    static func readmeTable(_ readme: String) -> String? {
        guard let command = readme.range(of: getCommand) else { return nil }
        let rest = readme[command.upperBound...]
        guard let header = rest.range(of: "```\nNAME ") else { return nil }
        let body = rest[rest.index(header.lowerBound, offsetBy: 4)...]
        guard let end = body.range(of: "```") else { return nil }
        return String(body[..<end.lowerBound])
    }

    /// The compared columns of a `kubectl get` table, cut at the header's column starts (cells may be empty).
    static func rows(_ table: String) -> [[String]] {
        let lines = table.split(separator: "\n", omittingEmptySubsequences: true).map { Array($0) }
        guard let header = lines.first else { return [] }
        // Column starts: a non-space after two or more spaces (or at 0); "LAST COMPUTED" is one column.
        var starts: [Int] = [0]
        var index = 1
        while index < header.count {
            if header[index] != " ", header[index - 1] == " ", index >= 2, header[index - 2] == " " { starts.append(index) }
            index += 1
        }
        func cell(_ line: [Character], _ column: Int) -> String {
            let start = starts[column]
            let end = column + 1 < starts.count ? starts[column + 1] : Int.max
            guard start < line.count else { return "" }
            return String(line[start..<min(end, line.count)]).trimmingCharacters(in: .whitespaces)
        }
        let names = starts.indices.map { cell(header, $0) }
        let wanted = columns.compactMap { names.firstIndex(of: $0) }
        guard wanted.count == columns.count else { return [names] }
        return lines.dropFirst().map { line in wanted.map { cell(line, $0) } }
    }

    static func words(_ command: String) -> [String] {
        Array(command.split(separator: " ").map(String.init).dropFirst())
    }

    private func expectOK(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
}
