import Foundation
import PacerApp
import PacerCore
import TestSupport
import Testing

/// Issue 13's "done when" for StatefulSets and DaemonSets: kube-sim, PostgreSQL, the CRDs and the default pipeline
/// applied with the real kubectl, `pacer run` in process. A StatefulSet `ledger` and a DaemonSet `collector` are each
/// created, upgraded, failed (progress deadline), rolled back and made unavailable then restored; the four keys per
/// app then equal values computed by hand from the documented rules (docs/metrics.md), written below.
@Suite("StatefulSets and DaemonSets: the four keys end to end", .enabled(if: TestDatabase.enabled))
struct WorkloadKindsEndToEndTests {
    @Test(.timeLimit(.minutes(10)))
    func fourKeysFromStatefulSetsAndDaemonSets() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                try await run(kubectl: kubectl, databaseURL: url, kubeconfig: kubeconfig)
            }
        }
    }

    private func run(kubectl: Kubectl, databaseURL url: String, kubeconfig: String) async throws {
        try ok(await kubectl("apply", "-f", "crds/"))
        try ok(await kubectl("apply", "-f", "examples/"))
        let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "e2e-kinds")
        try await withPacer("pacer run", { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
            let http = HTTP(port: port)
            let raw = RawEvents(url: url)
            try await raw.waitForReadyConfig(metricDefinitions: 4)
            try ok(await kubectl("create", "namespace", "shop"))
            try ok(await kubectl("annotate", "namespace", "shop", "pacer.dev/environment=production"))
            let start = Date()
            for (kind, name) in [("StatefulSet", "ledger"), ("DaemonSet", "collector")] {
                try await story(kind: kind, name: name, start: start, kubectl: kubectl, raw: raw)
            }

            // Hand-computed, per app (the same for ledger and collector), from docs/metrics.md:
            // - Deployments: D1 (X1), D2 (X2), D3 (failed rollout, outcome failed), D4 (rollback to X2, service.rolledback):
            //   4 today, so today's deployment-frequency point is 4.
            // - Change failure rate: D3 fails itself; D4 rolls back to D2's version key X2, failing what lies between
            //   (D3 again); rollbacks are left out of the rate; the availability incident falls after D4 (a rollback,
            //   out of the rate). Counted D1, D2, D3, failed D3: 1/3. Headline over both apps: 2/6 = 1/3.
            // - Lead time: X1 merged 26 h before `start`, X2 2 h before; D1 and D2 came seconds after `start`:
            //   26 h + a and 2 h + b, median (2 h + b + 26 h + a) / 2 = 14 h + (a + b) / 2, with a, b under the
            //   test's 4 minutes: in [14 h, 14 h + 4 min). The headline is the median of 2 h + ·, 2 h + ·, 26 h + ·,
            //   26 h + ·: the same bounds.
            // - Time to restore: two incidents each (the failed rollout until D4 completed; the availability loss until
            //   its restore), both opened and resolved within the test's 4 minutes: in (0, 4 min].
            let fourMinutes = 4.0 / 60
            try await expectStoryKeys(
                StoryKeys(changeFailureRate: 1.0 / 3.0, leadTime: 14..<(14 + fourMinutes), restoreAtMost: fourMinutes, restores: 2, deploymentsToday: 4),
                apps: ["ledger", "collector"], http: http, kubectl: kubectl)

            // The default routes tell a first rollout, an upgrade, a failed one and a rollback apart; subjects carry the kind.
            #expect(try await raw.cdEventTypes(subject: "shop/StatefulSet/ledger").filter { $0.hasPrefix("service.") }
                == ["service.deployed", "service.upgraded", "service.deployed", "service.rolledback"])
            #expect(try await raw.cdEventTypes(subject: "shop/DaemonSet/collector").filter { $0.hasPrefix("service.") }
                == ["service.deployed", "service.upgraded", "service.deployed", "service.rolledback"])
        }
    }

    /// Create (X1, merged 26 h ago), upgrade (X2, 2 h ago), a failed upgrade (X3, stalled by kube-sim, failed after the
    /// 3 s progress deadline), a rollback to X2's image, then an availability loss and its restore.
    private func story(kind: String, name: String, start: Date, kubectl: Kubectl, raw: RawEvents) async throws {
        let type = "dev.pacer.\(kind.lowercased())"
        let subject = "shop/\(name)"
        let resource = "\(kind.lowercased())/\(name)"
        try ok(await kubectl(["apply", "-f", "-"], stdin: Self.workload(kind: kind, name: name, commit: "\(name)-x1", commitTime: start - 26 * 3600)))
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 1)
        let x2 = #"{"metadata":{"annotations":{"pacer.dev/commit":"\#(name)-x2","pacer.dev/commit-time":"\#(RFC3339.format(start - 2 * 3600))"}},"#
            + #""spec":{"template":{"spec":{"containers":[{"name":"app","image":"\#(name):2"}]}}}}"#
        try ok(await kubectl("patch", "-n", "shop", resource, "--type=merge", "-p", x2))
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 2)
        // One write: the fault with the change (alone, it would stall the settled revision too).
        let x3 = #"{"metadata":{"annotations":{"kube-sim.pacer.dev/fail-rollout":"true","pacer.dev/commit":"\#(name)-x3","pacer.dev/commit-time":null}},"#
            + #""spec":{"template":{"spec":{"containers":[{"name":"app","image":"\#(name):3"}]}}}}"#
        try ok(await kubectl("patch", "-n", "shop", resource, "--type=merge", "-p", x3))
        try await raw.wait(for: "\(type).rollout.failed", subject: subject, count: 1, timeout: .seconds(120))
        let back = #"{"metadata":{"annotations":{"kube-sim.pacer.dev/fail-rollout":null,"pacer.dev/commit":"\#(name)-x2"}},"#
            + #""spec":{"template":{"spec":{"containers":[{"name":"app","image":"\#(name):2"}]}}}}"#
        try ok(await kubectl("patch", "-n", "shop", resource, "--type=merge", "-p", back))
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 3)
        let status = try await kubectl("rollout", "status", "-n", "shop", resource, "--timeout=60s")
        #expect(status.status == 0, "\(status.stderr)")
        try ok(await kubectl("annotate", "-n", "shop", resource, "kube-sim.pacer.dev/unavailable=true"))
        try await raw.wait(for: "\(type).availability.lost", subject: subject, count: 1)
        try ok(await kubectl("annotate", "-n", "shop", resource, "kube-sim.pacer.dev/unavailable-"))
        try await raw.wait(for: "\(type).availability.restored", subject: subject, count: 1)
    }

    static func workload(kind: String, name: String, commit: String, commitTime: Date) -> Data {
        Data("""
        apiVersion: apps/v1
        kind: \(kind)
        metadata:
          name: \(name)
          namespace: shop
          annotations:
            pacer.dev/commit: \(commit)
            pacer.dev/commit-time: "\(RFC3339.format(commitTime))"
            pacer.dev/progress-deadline-seconds: "3"
        spec:
          \(kind == "StatefulSet" ? "replicas: 3\n  serviceName: \(name)" : "updateStrategy: {type: RollingUpdate}")
          selector:
            matchLabels: {app: \(name)}
          template:
            metadata:
              labels: {app: \(name)}
            spec:
              containers:
              - name: app
                image: \(name):1
        """.utf8)
    }

    private func ok(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
}
