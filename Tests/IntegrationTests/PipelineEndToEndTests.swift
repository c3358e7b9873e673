import Foundation
import PacerApp
import PacerCore
import PostgresNIO
import TestSupport
import Testing

/// Issue 5's "done when": kube-sim and PostgreSQL, the CRDs and the default pipeline applied with the real kubectl,
/// `pacer run` in process; annotated Deployments rolled out, one failed and fixed, one made unavailable and
/// restored, a `change.merged` and an incident pair posted through ingest. Then `kubectl get metricdefinitions`
/// shows the four keys as computed here independently, and the REST, seed and Prometheus endpoints agree.
@Suite("The four keys end to end", .enabled(if: TestDatabase.enabled))
struct PipelineEndToEndTests {
    static let environment = "production"
    /// The MetricDefinitions of examples/metrics.yaml.
    static let definitions = [
        "deployment-frequency", "lead-time-for-changes", "change-failure-rate", "time-to-restore", "failed-deployment-recovery-time",
        "deployment-rework-rate",
    ]

    @Test(.timeLimit(.minutes(10)))
    func fourKeysFromDeploymentsAndPostedEvents() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                try await run(kubectl: kubectl, databaseURL: url, kubeconfig: kubeconfig)
            }
        }
    }

    private func run(kubectl: Kubectl, databaseURL url: String, kubeconfig: String) async throws {
        try await expectOK(kubectl("apply", "-f", "crds/"))
        try await expectOK(kubectl("apply", "-f", "examples/"))
        // The production-only view (README, docs/metrics.md): one setting per default MetricDefinition, so the marker
        // Deployment below (namespace default) stays outside the model.
        for name in Self.definitions {
            try await expectOK(kubectl("patch", "metricdefinition", name, "--type=merge", "-p", #"{"spec":{"selector":{"environment":"production"}}}"#))
        }
        let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "e2e")

        try await withPacer("pacer run", { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
            let http = HTTP(port: port)
            let raw = RawEvents(url: url)
            try await raw.waitForReadyConfig(metricDefinitions: Self.definitions.count)

            let now = Date()
            try await expectOK(kubectl("create", "namespace", "shop"))
            try await expectOK(kubectl("annotate", "namespace", "shop", "pacer.dev/environment=\(Self.environment)"))

            // checkout: first rollout (commit c1, 26 h old), then an upgrade carrying c2 (2 h old).
            try await expectOK(kubectl(["apply", "-f", "-"], stdin: Self.deployment("checkout", image: "nginx:1.25", commit: "c1", commitTime: now - 26 * 3600)))
            try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/checkout", count: 1)
            try await Self.nextSecond()
            try await expectOK(kubectl("annotate", "-n", "shop", "deployment/checkout", "--overwrite",
                                       "pacer.dev/commit=c2", "pacer.dev/commit-time=\(RFC3339.format(now - 2 * 3600))"))
            try await expectOK(kubectl("set", "image", "-n", "shop", "deployment/checkout", "app=nginx:1.26"))
            try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/checkout", count: 2)
            try await Self.nextSecond()

            // search: first rollout (s1, 50 h old); an upgrade to s2 fails, then goes out once fixed. s2's
            // change.merged comes from another tool, through /cdevents.
            try await expectOK(kubectl(["apply", "-f", "-"], stdin: Self.deployment("search", image: "nginx:1.25", commit: "s1", commitTime: now - 50 * 3600)))
            try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/search", count: 1)
            try await Self.nextSecond()
            // One write: annotating fail-rollout alone would also fail the settled revision 1 (kube-sim re-evaluates
            // it) whenever that lands before the image change, a second failed rollout.
            let failing = #"{"metadata":{"annotations":{"kube-sim.pacer.dev/fail-rollout":"true","pacer.dev/commit":"s2","pacer.dev/commit-time":null}},"#
                + #""spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:2"}]}}}}"#
            try await expectOK(kubectl("patch", "-n", "shop", "deployment/search", "--type=merge", "-p", failing))
            try await raw.wait(for: "dev.pacer.deployment.rollout.failed", subject: "shop/search", count: 1)
            try await Self.nextSecond()
            #expect(try await http.postCDEvent(Self.changeMerged(sha: "s2", app: "search", at: now - 10 * 3600)) == 202)
            // The stuck rollout goes through once the cause is removed.
            try await expectOK(kubectl("annotate", "-n", "shop", "deployment/search", "kube-sim.pacer.dev/fail-rollout-"))
            try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/search", count: 2)

            // checkout goes down and comes back; an incident pair for search arrives from an incident tool.
            try await expectOK(kubectl("annotate", "-n", "shop", "deployment/checkout", "kube-sim.pacer.dev/unavailable=true"))
            try await raw.wait(for: "dev.pacer.deployment.availability.lost", subject: "shop/checkout", count: 1)
            try await Self.nextSecond()
            try await expectOK(kubectl("annotate", "-n", "shop", "deployment/checkout", "kube-sim.pacer.dev/unavailable-"))
            try await raw.wait(for: "dev.pacer.deployment.availability.restored", subject: "shop/checkout", count: 1)
            let incidentStart = Date() - 1800
            #expect(try await http.postCDEvent(Self.incident("detected", id: "INC-7", app: "search", at: incidentStart)) == 202)
            #expect(try await http.postCDEvent(Self.incident("resolved", id: "INC-7", app: "search", at: incidentStart + 1440)) == 202)

            // Expected values from the stored CloudEvents and the posted CDEvents, computed here once nothing more
            // arrives: a marker Deployment outside production (so outside the model), whose event the source stores
            // after everything it derived from the earlier changes (it handles one watch in order).
            try await expectOK(kubectl("create", "deployment", "marker", "--image=nginx:1.25"))
            try await raw.wait(for: "dev.pacer.deployment.created", subject: "default/marker", count: 1)
            var model = try await raw.independentModel(environment: Self.environment)
            model.changes.append(.init(sha: "s2", app: "search", time: RFC3339.truncated(now - 10 * 3600)))
            model.incidents.append(.init(subject: "INC-7", app: "search", environment: Self.environment, time: RFC3339.truncated(incidentStart), opens: true))
            model.incidents.append(.init(subject: "INC-7", app: "search", environment: Self.environment, time: RFC3339.truncated(incidentStart + 1440), opens: false))
            let expected = Expected(model: model, environment: Self.environment)
            #expect(expected.leadTime["checkout"] != nil && expected.leadTime["search"] != nil, "scenario produced no lead times: \(model)")
            // search: s1, the failed rollout of s2 (failed: its own rollout) and s2 once fixed; INC-7 opened before
            // them (30 minutes ago), so it fails none: 1 of 3.
            #expect(expected.failureRate["search"] == 1.0 / 3.0)

            let statuses = try await waitForStatuses(kubectl: kubectl, matching: expected)
            try checkStatuses(statuses, expected: expected)

            // The default routes tell a first rollout from an upgrade (the deployments only: the same subject also
            // carries incident events, whose place among them depends on when kube-sim reports availability). Read
            // once the statuses match: each transform has its own cursor, so before that the upgrade's transform may
            // have run and the first rollout's not yet (seen on a loaded machine).
            var checkoutTypes = try await raw.cdEventTypes(subject: "shop/checkout")
            let typesDeadline = ContinuousClock.now + .seconds(90)
            while checkoutTypes.filter({ $0.hasPrefix("service.") }).count < 2, ContinuousClock.now < typesDeadline {
                try await Task.sleep(for: .milliseconds(200))
                checkoutTypes = try await raw.cdEventTypes(subject: "shop/checkout")
            }
            #expect(checkoutTypes.filter { $0.hasPrefix("service.") }.prefix(2) == ["service.deployed", "service.upgraded"], "\(checkoutTypes)")

            // `kubectl get metricdefinitions` (the printer columns) shows the values and levels.
            let table = try await kubectl("get", "metricdefinitions")
            #expect(table.status == 0)
            for name in ["deployment-frequency", "lead-time-for-changes", "change-failure-rate", "time-to-restore"] {
                let line = table.stdout.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                let value = statuses[name]?["value"]?.stringValue ?? "?"
                #expect(line?.contains(" \(value) ") == true, "\(name): \(line ?? "missing") lacks \(value)\n\(table.stdout)")
            }

            // REST agrees with the status.
            let list = try await http.getJSON("/api/v1/metrics")
            for item in list["items"]?.arrayValue ?? [] {
                guard let name = item["name"]?.stringValue, let status = statuses[name] else { continue }
                #expect(item["numericValue"]?.doubleValue == status["numericValue"]?.doubleValue, "\(name): REST \(item) vs status \(status)")
                #expect(item["level"]?.stringValue == status["level"]?.stringValue)
            }
            #expect(list["items"]?.arrayValue?.count == Self.definitions.count)

            // Series: today's day bucket counts each app's two deployments.
            let series = try await http.getJSON("/api/v1/metrics/default/deployment-frequency?bucket=day&app=checkout")
            let points = series["series"]?.arrayValue?.first?["points"]?.arrayValue ?? []
            #expect(points.last?["value"]?.doubleValue == 2, "\(series)")

            // The seed's endpoint counts distinct artifacts per Deployment and day.
            let seed = try await http.getJSON("/deploy-frequency/day")
            let checkoutToday = seed.arrayValue?.first { $0["DeployName"]?.stringValue == "checkout" }
            #expect(checkoutToday?["Deployments"]?.doubleValue == 2, "\(seed)")

            // Prometheus carries the same numbers.
            let exposition = try await http.getText("/metrics")
            let cfrLine = exposition.split(separator: "\n").first {
                $0.hasPrefix("pacer_dora_change_failure_rate{") && $0.contains("app=\"search\"")
            }
            let cfrValue = cfrLine.flatMap { $0.split(separator: " ").last.flatMap { Double(String($0)) } }
            #expect(cfrValue.map { abs($0 - 1.0 / 3.0) < 1e-9 } == true, "\(cfrLine ?? "no CFR line for search")")
            #expect(exposition.contains("pacer_events_stored_total"))

            // The transforms' status counts what they produced.
            let produced = try await raw.producedBy("default/deployment-service-upgraded")
            #expect(produced >= 1)
            var shown = ""
            let statusDeadline = ContinuousClock.now + .seconds(15)
            while ContinuousClock.now < statusDeadline {
                shown = try await kubectl("get", "cdeventtransform", "deployment-service-upgraded", "-o", "jsonpath={.status.produced}").stdout
                if shown == String(produced) { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(shown == String(produced), "CDEventTransform status.produced \(shown), \(produced) stored")

            // Every CDEvent Pacer stored (produced by the default transforms, or posted and normalised) validates
            // against the official CDEvents v0.5.1 schemas.
            let stored = try await raw.cdEventContents()
            #expect(stored.count >= 10)
            let validation = try await Subprocess.run(
                ["/usr/bin/env", "python3", RepoPaths.root + "/hack/validate-cdevents.py"],
                environment: ["PACER_SHARED_DIR": RepoPaths.shared], stdin: Data("[\(stored.joined(separator: ","))]".utf8),
                timeout: .seconds(180))
            #expect(validation.status == 0, "schema validation failed: \(validation.stdout) \(validation.stderr)")
        }
    }

    // MARK: - Expectations

    struct Expected {
        var leadTime: [String: Double] = [:]
        var failureRate: [String: Double] = [:]
        var restore: [String: Double] = [:]

        /// Keys are app names, "" for all apps together.
        init(model: IndependentDORA, environment: String) {
            for app in [nil, "checkout", "search"] as [String?] {
                let key = app ?? ""
                leadTime[key] = IndependentDORA.median(model.leadTimes(app: app, environment: environment))
                let failures = model.changeFailures(app: app, environment: environment)
                if failures.all > 0 { failureRate[key] = Double(failures.failed) / Double(failures.all) }
                restore[key] = IndependentDORA.median(model.restoreTimes(app: app, environment: environment))
            }
        }

        func value(for name: String, app: String) -> Double? {
            switch name {
            case "lead-time-for-changes": leadTime[app]
            case "change-failure-rate": failureRate[app]
            case "time-to-restore": restore[app]
            default: nil
            }
        }
    }

    private func waitForStatuses(kubectl: Kubectl, matching expected: Expected) async throws -> [String: JSONValue] {
        try await MetricStatuses.wait(kubectl: kubectl, timeout: .seconds(120)) { statuses in
            // Settled when the headline and every app's group match: a stale headline can equal the final one (two
            // incidents of the same length), the groups then still differ.
            let settled = ["lead-time-for-changes", "change-failure-rate", "time-to-restore"].allSatisfy { name in
                guard let want = expected.value(for: name, app: "") else { return false }
                guard let got = statuses[name]?["numericValue"]?.doubleValue, abs(got - want) < 1e-3 else { return false }
                return ["checkout", "search"].allSatisfy { app in
                    let value = MetricStatuses.value(statuses, name, app: app)
                    guard let want = expected.value(for: name, app: app) else { return value == nil }
                    return value.map { abs($0 - want) < 1e-3 } ?? false
                }
            }
            return settled && statuses["deployment-frequency"]?["numericValue"] != nil
        }
    }

    private func checkStatuses(_ statuses: [String: JSONValue], expected: Expected) throws {
        for name in ["lead-time-for-changes", "change-failure-rate", "time-to-restore"] {
            let status = statuses[name]
            let headline = status?["numericValue"]?.doubleValue
            let want = expected.value(for: name, app: "")
            #expect(headline != nil && want != nil && abs((headline ?? -1) - (want ?? -2)) < 1e-3, "\(name): status \(String(describing: status)), expected \(String(describing: want))")
            #expect(status?["level"]?.stringValue != nil, "\(name) has no level")
            for app in ["checkout", "search"] {
                let group = status?["groups"]?.arrayValue?.first { $0["labels"]?["app"]?.stringValue == app }
                let got = group?["numericValue"]?.doubleValue
                let want = expected.value(for: name, app: app)
                if let want {
                    #expect(got != nil && abs((got ?? -1) - want) < 1e-3, "\(name)/\(app): got \(String(describing: group)), expected \(want)")
                } else {
                    #expect(got == nil, "\(name)/\(app): expected no value, got \(String(describing: group))")
                }
            }
        }
        let frequency = statuses["deployment-frequency"]
        #expect(frequency?["level"]?.stringValue != nil, "deployment-frequency: \(String(describing: frequency))")
        #expect(frequency?["groups"]?.arrayValue?.count == 2)
    }

    private func expectOK(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }

    /// Kubernetes condition times (and so the Deployment source's event times) have one-second resolution: steps
    /// whose order the metrics depend on are a second apart, as they would be on a real cluster. Not synchronisation
    /// (each step waits for its event first): the clock has to move on, and kube-sim has no clock to inject.
    static func nextSecond() async throws {
        try await Task.sleep(for: .milliseconds(1100))
    }

    // MARK: - Inputs

    static func deployment(_ name: String, image: String, commit: String, commitTime: Date) -> Data {
        Data("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: shop
          annotations:
            pacer.dev/app: \(name)
            pacer.dev/commit: \(commit)
            pacer.dev/commit-time: "\(RFC3339.format(commitTime))"
        spec:
          replicas: 2
          selector:
            matchLabels: {app: \(name)}
          template:
            metadata:
              labels: {app: \(name)}
            spec:
              containers:
              - name: app
                image: \(image)
        """.utf8)
    }

    static func changeMerged(sha: String, app: String, at time: Date) -> String {
        """
        {"context": {"specversion": "0.5.1", "id": "change-\(sha)", "source": "/github/acme/\(app)",
          "type": "dev.cdevents.change.merged.0.3.0", "timestamp": "\(RFC3339.format(time))"},
         "subject": {"id": "\(sha)", "source": "/github/acme/\(app)", "content": {"repository": {"id": "acme/\(app)"}}},
         "customData": {"app": "\(app)"}}
        """
    }

    static func incident(_ predicate: String, id: String, app: String, at time: Date) -> String {
        """
        {"context": {"specversion": "0.5.1", "id": "\(id)-\(predicate)", "source": "/pagerduty",
          "type": "dev.cdevents.incident.\(predicate).0.3.0", "timestamp": "\(RFC3339.format(time))"},
         "subject": {"id": "\(id)", "source": "/pagerduty",
           "content": {"description": "search is slow", "environment": {"id": "production"}, "service": {"id": "shop/\(app)"}}},
         "customData": {"app": "\(app)", "environment": "production"}}
        """
    }
}

extension Kubectl {
    func callAsFunction(_ arguments: [String], stdin: Data) async throws -> Subprocess.Result {
        try await Subprocess.run(
            ["/usr/bin/kubectl", "--kubeconfig", kubeconfig, "--cache-dir", cacheDirectory] + arguments,
            stdin: stdin, workingDirectory: workingDirectory, timeout: .seconds(30))
    }
}

extension RFC3339 {
    /// The time as posted (formatted to milliseconds) and read back.
    static func truncated(_ date: Date) -> Date {
        parse(format(date)) ?? date
    }
}
