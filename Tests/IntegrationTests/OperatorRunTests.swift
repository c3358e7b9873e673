import Foundation
import Logging
import PacerApp
import PostgresNIO
import TestSupport
import Testing

/// `pacer run` end to end: kube-sim as the API server, a real PostgreSQL, the real kubectl.
@Suite("pacer run against kube-sim", .enabled(if: TestDatabase.enabled))
struct OperatorRunTests {

    func eventTypes(_ url: String) async throws -> [String] {
        try await TestDatabase.withClient(url: url) { client in
            var types: [String] = []
            let query: PostgresQuery = "SELECT ce_type FROM cloudevents_raw WHERE ce_subject = 'default/web' ORDER BY event_id"
            for try await type in try await client.query(query, logger: TestDatabase.logger).decode(String.self) {
                types.append(String(type.dropFirst("dev.pacer.deployment.".count)))
            }
            return types
        }
    }

    func waitFor(_ url: String, count: Int) async throws -> [String] {
        let deadline = ContinuousClock.now + .seconds(20)
        var types: [String] = []
        while ContinuousClock.now < deadline {
            types = try await eventTypes(url)
            if types.count >= count { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        return types
    }

    @Test(.timeLimit(.minutes(10)))
    func deploymentChangesBecomeCloudEventsOnceEachAcrossARestart() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "test-operator")

                // First run: create, annotate and roll out a new image.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run() }
                    #expect(try await kubectl("create", "deployment", "web", "--image=nginx:1.25").status == 0)
                    let first = try await waitFor(url, count: 3)
                    #expect(first == ["created", "revision", "rollout.completed"])
                    #expect(try await kubectl("set", "image", "deployment/web", "nginx=nginx:1.26").status == 0)
                    let second = try await waitFor(url, count: 5)
                    #expect(second == ["created", "revision", "rollout.completed", "revision", "rollout.completed"])
                    group.cancelAll()
                }
                // While Pacer is down the rollout fails; a restarted Pacer catches up and duplicates nothing.
                #expect(try await kubectl("annotate", "deployment/web", "kube-sim.pacer.dev/fail-rollout=true").status == 0)
                #expect(try await kubectl("set", "image", "deployment/web", "nginx=nginx:1.27").status == 0)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run() }
                    let third = try await waitFor(url, count: 7)
                    #expect(third == ["created", "revision", "rollout.completed", "revision", "rollout.completed", "revision", "rollout.failed"])
                    // A marker Deployment created after the catch-up: the source handles its watch in order, so once
                    // the marker's event is stored any duplicate about web would have been stored before it.
                    #expect(try await kubectl("create", "deployment", "marker", "--image=nginx:1.25").status == 0)
                    try await RawEvents(url: url).wait(for: "dev.pacer.deployment.created", subject: "default/marker", count: 1)
                    let settled = try await eventTypes(url)
                    #expect(settled.count == 7, "duplicates or extra events: \(settled)")
                    group.cancelAll()
                }
            }
        }
    }
}

@Suite("pacer run reconciles the custom resources", .enabled(if: TestDatabase.enabled))
struct OperatorReconcileTests {
    @Test(.timeLimit(.minutes(10)))
    func everyExampleBecomesReadyAndABrokenExpressionIsReported() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            for folder in ["crds", "examples", "examples/samples"] {
                let applied = try await kubectl("apply", "-f", folder)
                #expect(applied.status == 0, "\(applied.stderr)")
            }
            try await TestDatabase.withFreshDatabase { _, url in
                let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "test-reconcile")
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run() }
                    let jsonPath = #"{range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}"#
                    var readiness: [String: String] = [:]
                    // ~70 objects reconciled while the rest of the suite shares the 2 cores: a generous bound.
                    let deadline = ContinuousClock.now + .seconds(120)
                    while ContinuousClock.now < deadline {
                        readiness = [:]
                        for kind in ["eventroutes", "cdeventtransforms", "metricdefinitions"] {
                            let listed = try await kubectl("get", kind, "-o", "jsonpath=\(jsonPath)")
                            for line in listed.stdout.split(separator: "\n") {
                                let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
                                readiness["\(kind)/\(parts[0])"] = parts.count > 1 ? parts[1] : ""
                            }
                        }
                        if !readiness.isEmpty, readiness.values.allSatisfy({ !$0.isEmpty }) { break }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    #expect(readiness.count >= 30, "\(readiness)")
                    #expect(readiness["eventroutes/broken-when"] == "False")
                    let notReady = readiness.filter { $0.value != "True" }.map(\.key)
                    #expect(notReady == ["eventroutes/broken-when"], "\(readiness)")
                    let described = try await kubectl("describe", "eventroute", "broken-when")
                    #expect(described.stdout.contains("spec.when: 1:26: unexpected ')'"), "\(described.stdout)")
                    group.cancelAll()
                }
            }
        }
    }
}
