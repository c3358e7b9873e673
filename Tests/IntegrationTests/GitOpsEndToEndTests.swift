import Foundation
import PacerApp
import PacerCore
import TestSupport
import Testing

/// Issue 13's "lead time with no annotation" for Argo CD: kube-sim, PostgreSQL, Pacer's CRDs, the Argo CD
/// Application CRD (hack/workload-crds) and the default pipeline applied with the real kubectl, `pacer run` in process.
/// Two changes of `guestbook` arrive as `change.merged` CDEvents (as the GitHub transforms write them); the test then
/// plays Argo CD, writing an Application's status as its controller does: a sync to the later change that succeeds.
/// The Application carries no Pacer annotation: the commit and repository come from the sync.
@Suite("Argo CD Applications: lead time end to end", .enabled(if: TestDatabase.enabled))
struct GitOpsEndToEndTests {
    static let c0 = "0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c0c"
    static let c1 = "1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c1c"

    @Test(.timeLimit(.minutes(10)))
    func leadTimeFromAnArgoCDSync() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                try await run(kubectl: kubectl, databaseURL: url, kubeconfig: kubeconfig)
            }
        }
    }

    private func run(kubectl: Kubectl, databaseURL url: String, kubeconfig: String) async throws {
        try ok(await kubectl("apply", "-f", "crds/"))
        try ok(await kubectl("apply", "-f", "hack/workload-crds/argocd-application.yaml"))
        try ok(await kubectl("apply", "-f", "examples/"))
        let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "e2e-gitops")
        try await withPacer("pacer run", { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
            let http = HTTP(port: port)
            let raw = RawEvents(url: url)
            try await raw.waitForReadyConfig(metricDefinitions: 4)
            try ok(await kubectl("create", "namespace", "guestbook"))
            try ok(await kubectl("annotate", "namespace", "guestbook", "pacer.dev/environment=production"))
            try ok(await kubectl("create", "namespace", "argocd"))

            // Whole seconds, so that every time below is exact in RFC 3339.
            let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded(.down))
            let merged0 = start - 9 * 3600
            let merged1 = start - 5 * 3600
            let started = start - 2 * 3600 - 40
            let finished = start - 2 * 3600
            #expect(try await http.postCDEvent(Self.changeMerged(sha: Self.c0, at: merged0)) == 202)
            #expect(try await http.postCDEvent(Self.changeMerged(sha: Self.c1, at: merged1)) == 202)

            try ok(await kubectl(["apply", "-f", "-"], stdin: Self.application))
            try await raw.wait(for: "dev.pacer.application.created", subject: "argocd/guestbook", count: 1)
            let running = #"{"status":{"health":{"status":"Progressing"},"operationState":{"phase":"Running","startedAt":"\#(RFC3339.format(started))","#
                + #""operation":{"sync":{"revision":"\#(Self.c1)"}}}}}"#
            try ok(await kubectl("patch", "-n", "argocd", "application/guestbook", "--subresource=status", "--type=merge", "-p", running))
            let succeeded = #"{"status":{"health":{"status":"Healthy"},"sync":{"status":"Synced","revision":"\#(Self.c1)"},"#
                + #""history":[{"id":0,"revision":"\#(Self.c1)","deployStartedAt":"\#(RFC3339.format(started))","deployedAt":"\#(RFC3339.format(finished))"}],"#
                + #""operationState":{"phase":"Succeeded","startedAt":"\#(RFC3339.format(started))","finishedAt":"\#(RFC3339.format(finished))","#
                + #""operation":{"sync":{"revision":"\#(Self.c1)"}},"#
                + #""syncResult":{"revision":"\#(Self.c1)","source":{"repoURL":"https://github.com/acme/guestbook.git"}}}}}"#
            try ok(await kubectl("patch", "-n", "argocd", "application/guestbook", "--subresource=status", "--type=merge", "-p", succeeded))
            try await raw.wait(for: "dev.pacer.application.rollout.completed", subject: "argocd/guestbook", count: 1)

            // Hand-computed from docs/metrics.md ("Lead time for changes": every change counts): the sync of c1 finished
            // at start − 2 h (the deployment's time is the sync's finishedAt). It carries c1 (merged start − 5 h) and c0
            // (merged start − 9 h, before c1, same app, same repository once the sync's repoURL
            // https://github.com/acme/guestbook.git is read as https://github.com/acme/guestbook):
            // lead times (start − 2 h) − (start − 5 h) = 3 h and (start − 2 h) − (start − 9 h) = 7 h; median (3 + 7) / 2 = 5 h.
            let expected = 5.0
            let statuses = try await MetricStatuses.wait(kubectl: kubectl) { statuses in
                MetricStatuses.value(statuses, "lead-time-for-changes", app: "guestbook").map { abs($0 - expected) < 1e-9 } ?? false
            }
            let lead = MetricStatuses.value(statuses, "lead-time-for-changes", app: "guestbook")
            #expect(lead.map { abs($0 - expected) < 1e-9 } == true, "lead time \(String(describing: lead)) h")
            let headline = statuses["lead-time-for-changes"]?["numericValue"]?.doubleValue
            #expect(headline.map { abs($0 - expected) < 1e-9 } == true, "headline \(String(describing: headline)) h")
            // The default routes made a first deployment of it, with the Application as the service.
            #expect(try await raw.cdEventTypes(subject: "argocd/Application/guestbook").filter { $0.hasPrefix("service.") } == ["service.deployed"])
        }
    }

    /// The same for Flux: a Kustomization with no Pacer annotation applies `main@sha1:<c1>` to the namespace
    /// `guestbook`, as kustomize-controller writes it (observedGeneration, lastAppliedRevision, Ready=True).
    @Test(.timeLimit(.minutes(10)))
    func leadTimeFromAFluxKustomization() async throws {
        try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { kubectl, kubeconfig in
            try await TestDatabase.withFreshDatabase { _, url in
                try ok(await kubectl("apply", "-f", "crds/"))
                try ok(await kubectl("apply", "-f", "hack/workload-crds/flux-kustomization.yaml"))
                try ok(await kubectl("apply", "-f", "examples/"))
                let operatorConfiguration = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: kubeconfig, identity: "e2e-flux")
                try await withPacer("pacer run", { try await PacerOperator(configuration: operatorConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
                    let http = HTTP(port: port)
                    let raw = RawEvents(url: url)
                    try await raw.waitForReadyConfig(metricDefinitions: 4)
                    try ok(await kubectl("create", "namespace", "guestbook"))
                    try ok(await kubectl("annotate", "namespace", "guestbook", "pacer.dev/environment=production"))
                    try ok(await kubectl("create", "namespace", "flux-system"))
                    let start = Date(timeIntervalSince1970: (Date().timeIntervalSince1970).rounded(.down))
                    #expect(try await http.postCDEvent(Self.changeMerged(sha: Self.c0, at: start - 9 * 3600)) == 202)
                    #expect(try await http.postCDEvent(Self.changeMerged(sha: Self.c1, at: start - 5 * 3600)) == 202)
                    try ok(await kubectl(["apply", "-f", "-"], stdin: Self.kustomization))
                    try await raw.wait(for: "dev.pacer.kustomization.created", subject: "flux-system/guestbook", count: 1)
                    let applied = #"{"status":{"observedGeneration":1,"lastAppliedRevision":"main@sha1:\#(Self.c1)","#
                        + #""lastAttemptedRevision":"main@sha1:\#(Self.c1)","conditions":[{"type":"Ready","status":"True","#
                        + #""reason":"ReconciliationSucceeded","message":"Applied revision: main@sha1:\#(Self.c1)","#
                        + #""lastTransitionTime":"\#(RFC3339.format(Date()))"}]}}"#
                    try ok(await kubectl("patch", "-n", "flux-system", "kustomization/guestbook", "--subresource=status", "--type=merge", "-p", applied))
                    try await raw.wait(for: "dev.pacer.kustomization.rollout.completed", subject: "flux-system/guestbook", count: 1)

                    // Hand-computed from docs/metrics.md ("Lead time for changes"): the apply is seen while watching, so the
                    // deployment's time is when Pacer saw it, `start` + a with a under the test's 4 minutes. It carries
                    // c1 (merged start − 5 h) and c0 (merged before it, same app; Flux names no repository, which matches
                    // any): 5 h + a and 9 h + a, median 7 h + a, in [7 h, 7 h + 4 min).
                    let fourMinutes = 4.0 / 60
                    let statuses = try await MetricStatuses.wait(kubectl: kubectl) { statuses in
                        MetricStatuses.value(statuses, "lead-time-for-changes", app: "guestbook").map { $0 >= 7 && $0 < 7 + fourMinutes } ?? false
                    }
                    let lead = MetricStatuses.value(statuses, "lead-time-for-changes", app: "guestbook")
                    #expect(lead.map { $0 >= 7 && $0 < 7 + fourMinutes } == true, "lead time \(String(describing: lead)) h")
                    #expect(try await raw.cdEventTypes(subject: "flux-system/Kustomization/guestbook").filter { $0.hasPrefix("service.") } == ["service.deployed"])
                }
            }
        }
    }

    static let kustomization = Data("""
        apiVersion: kustomize.toolkit.fluxcd.io/v1
        kind: Kustomization
        metadata:
          name: guestbook
          namespace: flux-system
        spec:
          interval: 5m
          path: ./deploy
          prune: true
          targetNamespace: guestbook
          sourceRef:
            kind: GitRepository
            name: guestbook
        """.utf8)

    /// An Argo CD Application with no Pacer annotation, deploying to the namespace `guestbook`.
    static let application = Data("""
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata:
          name: guestbook
          namespace: argocd
        spec:
          project: default
          source:
            repoURL: https://github.com/acme/guestbook.git
            path: k8s
            targetRevision: main
          destination:
            server: https://kubernetes.default.svc
            namespace: guestbook
        """.utf8)

    /// A `change.merged` as the default GitHub push transform writes it (repository = the web URL).
    static func changeMerged(sha: String, at time: Date) -> String {
        """
        {"context": {"specversion": "0.5.1", "id": "change-\(sha)", "source": "/github/acme/guestbook",
          "type": "dev.cdevents.change.merged.0.3.0", "timestamp": "\(RFC3339.format(time))"},
         "subject": {"id": "\(sha)", "source": "/github/acme/guestbook", "content": {"repository": {"id": "acme/guestbook"}}},
         "customData": {"app": "guestbook", "repository": "https://github.com/acme/guestbook"}}
        """
    }

    private func ok(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
}
