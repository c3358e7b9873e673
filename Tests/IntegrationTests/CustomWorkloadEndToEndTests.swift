import Foundation
import PacerApp
import PacerCore
import TestSupport
import Testing

/// Issue 13's "done when" for Argo Rollouts and Knative Services: kube-sim, PostgreSQL, Pacer's CRDs, the two CRDs of
/// hack/workload-crds and the default pipeline applied with the real kubectl, `pacer run` in process. There is no
/// simulated controller for these kinds: the test plays Argo Rollouts and Knative Serving, writing the status
/// subresource as they document it. A Rollout `cart` and a Knative Service `hello` are each created, upgraded, failed
/// (an aborted canary; a revision that never becomes ready), rolled back, and made unavailable then restored; the four
/// keys per app then equal values computed by hand from docs/metrics.md, written below.
@Suite("Argo Rollouts and Knative Services: the four keys end to end", .enabled(if: TestDatabase.enabled))
struct CustomWorkloadEndToEndTests {
    @Test(.timeLimit(.minutes(10)))
    func fourKeysFromRolloutsAndKnativeServices() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                try await run(kubectl: kubectl, databaseURL: url, kubeconfig: kubeconfig)
            }
        }
    }

    private func run(kubectl: Kubectl, databaseURL url: String, kubeconfig: String) async throws {
        try ok(await kubectl("apply", "-f", "crds/"))
        try ok(await kubectl("apply", "-f", "hack/workload-crds/argo-rollout.yaml", "-f", "hack/workload-crds/knative-service.yaml"))
        try ok(await kubectl("apply", "-f", "examples/"))
        let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "e2e-custom-kinds")
        try await withPacer("pacer run", { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
            let http = HTTP(port: port)
            let raw = RawEvents(url: url)
            try await raw.waitForReadyConfig(metricDefinitions: 4)
            try ok(await kubectl("create", "namespace", "shop"))
            try ok(await kubectl("annotate", "namespace", "shop", "pacer.dev/environment=production"))
            let start = Date()
            try await rolloutStory(start: start, kubectl: kubectl, raw: raw)
            try await knativeStory(start: start, kubectl: kubectl, raw: raw)

            // Hand-computed, per app (the same for cart and hello), from docs/metrics.md:
            // - Deployments: D1 (X1), D2 (X2), D3 (failed: aborted / revision never ready, outcome failed), D4 (back to
            //   X2's template, service.rolledback): 4 today, so today's deployment-frequency point is 4.
            // - Change failure rate: D3 fails itself; D4 rolls back to D2's version key X2, failing what lies between
            //   (D3 again); rollbacks are left out of the rate; the availability incident falls after D4 (a rollback,
            //   out of the rate). Counted D1, D2, D3, failed D3: 1/3. Headline over both apps: 2/6 = 1/3.
            // - Lead time: X1 merged 26 h before `start`, X2 2 h before; D1 and D2 came seconds after `start`:
            //   26 h + a and 2 h + b, median 14 h + (a + b) / 2, with a, b under the test's 4 minutes: in
            //   [14 h, 14 h + 4 min). The headline (median of 2 h + ·, 2 h + ·, 26 h + ·, 26 h + ·) has the same bounds.
            // - Time to restore: two incidents each (the failed rollout until D4 completed; the availability loss until
            //   its restore), both opened and resolved within the test's 4 minutes: in (0, 4 min].
            let fourMinutes = 4.0 / 60
            try await expectStoryKeys(
                StoryKeys(changeFailureRate: 1.0 / 3.0, leadTime: 14..<(14 + fourMinutes), restoreAtMost: fourMinutes, restores: 2, deploymentsToday: 4),
                apps: ["cart", "hello"], http: http, kubectl: kubectl)

            // The default routes tell a first rollout, an upgrade, a failed one and a rollback apart.
            #expect(try await raw.cdEventTypes(subject: "shop/Rollout/cart").filter { $0.hasPrefix("service.") }
                == ["service.deployed", "service.upgraded", "service.deployed", "service.rolledback"])
            #expect(try await raw.cdEventTypes(subject: "shop/Service/hello").filter { $0.hasPrefix("service.") }
                == ["service.deployed", "service.upgraded", "service.deployed", "service.rolledback"])
        }
    }

    /// Argo Rollouts played by the test: X1 Healthy; X2 paused at its canary step, then promoted; X3 aborted;
    /// `kubectl argo rollouts undo` (X2's template again, its hash again) Healthy; then fewer pods available than the
    /// canary allows, and back.
    private func rolloutStory(start: Date, kubectl: Kubectl, raw: RawEvents) async throws {
        let type = "dev.pacer.rollout"
        let subject = "shop/cart"
        try ok(await kubectl(["apply", "-f", "-"], stdin: Self.rollout(commitTime: start - 26 * 3600)))
        try await raw.wait(for: "\(type).created", subject: subject, count: 1)
        try await status("rollout/cart", #"{"observedGeneration":"1","currentPodHash":"h1","stableRS":"h1","phase":"Healthy","replicas":2,"availableReplicas":2}"#, kubectl)
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 1)

        try await spec("rollout/cart", image: "cart:2", commit: "cart-x2", commitTime: start - 2 * 3600, kubectl)
        try await status("rollout/cart", #"{"observedGeneration":"2","currentPodHash":"h2","stableRS":"h1","phase":"Paused"}"#, kubectl)
        try await raw.wait(for: "\(type).revision", subject: subject, count: 2)
        try await status("rollout/cart", #"{"observedGeneration":"2","currentPodHash":"h2","stableRS":"h2","phase":"Healthy"}"#, kubectl)
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 2)

        try await spec("rollout/cart", image: "cart:3", commit: "cart-x3", commitTime: nil, kubectl)
        try await status("rollout/cart", #"{"observedGeneration":"3","currentPodHash":"h3","stableRS":"h2","phase":"Progressing"}"#, kubectl)
        try await raw.wait(for: "\(type).revision", subject: subject, count: 3)
        try await status(
            "rollout/cart", #"{"observedGeneration":"3","currentPodHash":"h3","stableRS":"h2","phase":"Degraded","abort":true,"message":"RolloutAborted"}"#,
            kubectl)
        try await raw.wait(for: "\(type).rollout.failed", subject: subject, count: 1)

        try await spec("rollout/cart", image: "cart:2", commit: "cart-x2", commitTime: start - 2 * 3600, kubectl)
        try await status("rollout/cart", #"{"observedGeneration":"4","currentPodHash":"h2","stableRS":"h2","phase":"Healthy","abort":null,"message":null}"#, kubectl)
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 3)

        try await status("rollout/cart", #"{"availableReplicas":0,"phase":"Degraded"}"#, kubectl)
        try await raw.wait(for: "\(type).availability.lost", subject: subject, count: 1)
        try await status("rollout/cart", #"{"availableReplicas":2,"phase":"Healthy"}"#, kubectl)
        try await raw.wait(for: "\(type).availability.restored", subject: subject, count: 1)
    }

    /// Knative Serving played by the test: hello-00001 (X1) ready; hello-00002 (X2) ready; hello-00003 (X3) never ready
    /// (`RevisionFailed`) while hello-00002 keeps serving; X2's template again as hello-00004, ready; then the routes
    /// lose their ready revision, and get it back.
    private func knativeStory(start: Date, kubectl: Kubectl, raw: RawEvents) async throws {
        let type = "dev.pacer.knativeservice"
        let subject = "shop/hello"
        func conditions(_ configurations: String, _ routes: String) -> String {
            let reason = configurations == "False" ? #","reason":"RevisionFailed","message":"Revision failed""# : ""
            return #"[{"type":"ConfigurationsReady","status":"\#(configurations)"\#(reason)},{"type":"RoutesReady","status":"\#(routes)"}]"#
        }
        func ready(_ generation: Int, _ revision: String) -> String {
            #"{"observedGeneration":\#(generation),"latestCreatedRevisionName":"\#(revision)","latestReadyRevisionName":"\#(revision)","conditions":\#(conditions("True", "True"))}"#
        }
        try ok(await kubectl(["apply", "-f", "-"], stdin: Self.service(commitTime: start - 26 * 3600)))
        try await raw.wait(for: "\(type).created", subject: subject, count: 1)
        try await status("services.serving.knative.dev/hello", ready(1, "hello-00001"), kubectl)
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 1)

        try await spec("services.serving.knative.dev/hello", image: "hello:2", commit: "hello-x2", commitTime: start - 2 * 3600, kubectl)
        try await status("services.serving.knative.dev/hello", ready(2, "hello-00002"), kubectl)
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 2)

        try await spec("services.serving.knative.dev/hello", image: "hello:3", commit: "hello-x3", commitTime: nil, kubectl)
        try await status(
            "services.serving.knative.dev/hello",
            #"{"observedGeneration":3,"latestCreatedRevisionName":"hello-00003","conditions":\#(conditions("False", "True"))}"#, kubectl)
        try await raw.wait(for: "\(type).rollout.failed", subject: subject, count: 1)

        try await spec("services.serving.knative.dev/hello", image: "hello:2", commit: "hello-x2", commitTime: start - 2 * 3600, kubectl)
        try await status("services.serving.knative.dev/hello", ready(4, "hello-00004"), kubectl)
        try await raw.wait(for: "\(type).rollout.completed", subject: subject, count: 3)

        try await status("services.serving.knative.dev/hello", #"{"conditions":\#(conditions("True", "False"))}"#, kubectl)
        try await raw.wait(for: "\(type).availability.lost", subject: subject, count: 1)
        try await status("services.serving.knative.dev/hello", #"{"conditions":\#(conditions("True", "True"))}"#, kubectl)
        try await raw.wait(for: "\(type).availability.restored", subject: subject, count: 1)
    }

    /// A new pod template and its commit annotations (one write, as `kubectl apply` of a new release would).
    private func spec(_ resource: String, image: String, commit: String, commitTime: Date?, _ kubectl: Kubectl) async throws {
        let time = commitTime.map { #""\#(RFC3339.format($0))""# } ?? "null"
        let name = resource.split(separator: "/").last.map(String.init) ?? resource
        let patch = #"{"metadata":{"annotations":{"pacer.dev/commit":"\#(commit)","pacer.dev/commit-time":\#(time)}},"#
            + #""spec":{"template":{"spec":{"containers":[{"name":"\#(name)","image":"\#(image)"}]}}}}"#
        try ok(await kubectl("patch", "-n", "shop", resource, "--type=merge", "-p", patch))
    }

    /// The controller's status write (merge patch of the status subresource).
    private func status(_ resource: String, _ status: String, _ kubectl: Kubectl) async throws {
        try ok(await kubectl("patch", "-n", "shop", resource, "--subresource=status", "--type=merge", "-p", #"{"status":\#(status)}"#))
    }

    static func rollout(commitTime: Date) -> Data {
        Data("""
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata:
          name: cart
          namespace: shop
          annotations:
            pacer.dev/commit: cart-x1
            pacer.dev/commit-time: "\(RFC3339.format(commitTime))"
        spec:
          replicas: 2
          selector:
            matchLabels: {app: cart}
          strategy:
            canary:
              steps:
              - setWeight: 50
              - pause: {}
          template:
            metadata:
              labels: {app: cart}
            spec:
              containers:
              - name: cart
                image: cart:1
        """.utf8)
    }

    static func service(commitTime: Date) -> Data {
        Data("""
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata:
          name: hello
          namespace: shop
          annotations:
            pacer.dev/commit: hello-x1
            pacer.dev/commit-time: "\(RFC3339.format(commitTime))"
        spec:
          template:
            metadata:
              labels: {app: hello}
            spec:
              containers:
              - name: hello
                image: hello:1
        """.utf8)
    }

    private func ok(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
}
