import Foundation
import PacerApp
import PacerCore
import TestSupport
import Testing

/// Issue 13's agent mode: two clusters (kube-sims `east` and `west`), each with a `pacer run --forward-to` agent, and
/// one central `pacer run` (its own kube-sim for the custom resources, PostgreSQL, an ingest token). The same app
/// (`shop/web`, the same commits) rolls out in each cluster; the central Pacer is then stopped while both are
/// upgraded, for at least 20 s and until each agent has seen its forwards fail, and started again on the same port:
/// the agents' retries deliver what they buffered, nothing is lost and nothing counts twice, and the metrics are
/// computed per cluster and overall (docs/metrics.md, "Clusters").
@Suite("Agent mode: two clusters forward to one central Pacer", .enabled(if: TestDatabase.enabled))
struct AgentModeTests {
    @Test(.timeLimit(.minutes(10)))
    func twoClustersForwardToACentralPacerThatRestarts() async throws {
        try await TestDatabase.withFreshDatabase { _, url in
            try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { hub, hubKubeconfig in
                try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { east, eastKubeconfig in
                    try await SimulatedCluster.withKubectl(logger: TestDatabase.logger) { west, westKubeconfig in
                        try await run(
                            url: url, hub: (hub, hubKubeconfig), clusters: [("east", east, eastKubeconfig), ("west", west, westKubeconfig)])
                    }
                }
            }
        }
    }

    private func run(url: String, hub: (kubectl: Kubectl, kubeconfig: String), clusters: [(name: String, kubectl: Kubectl, kubeconfig: String)]) async throws {
        try ok(await hub.kubectl("apply", "-f", "crds/"))
        try ok(await hub.kubectl("apply", "-f", "examples/"))
        try ok(await hub.kubectl(["apply", "-f", "-"], stdin: Self.byCluster))
        let tokenFile = RepoPaths.root + "/.tmp/agent-token-\(UUID().uuidString)"
        try "agent-secret-1\n".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: tokenFile) }
        let centralPort = try CrashRecoveryTests.freePort()
        var central = OperatorConfiguration.embedded(databaseURL: url, kubeconfig: hub.kubeconfig, identity: "central")
        central.server.httpPort = centralPort
        central.server.ingestTokenFile = tokenFile
        let centralConfiguration = central
        func agent(_ cluster: (name: String, kubectl: Kubectl, kubeconfig: String)) -> OperatorConfiguration {
            var agent = OperatorConfiguration.embedded(databaseURL: "", kubeconfig: cluster.kubeconfig, identity: "agent-\(cluster.name)")
            agent.clusterName = cluster.name
            agent.forwardTo = ForwardTarget(url: "http://127.0.0.1:\(centralPort)/events", tokenFile: tokenFile)
            return agent
        }
        for cluster in clusters {
            try ok(await cluster.kubectl("create", "namespace", "shop"))
            try ok(await cluster.kubectl("annotate", "namespace", "shop", "pacer.dev/environment=production"))
        }
        let raw = RawEvents(url: url)
        let (east, west) = (agent(clusters[0]), agent(clusters[1]))
        try await withPacer("agent east", { try await PacerOperator(configuration: east, logger: TestDatabase.logger).run(onServerRunning: $0) }) { eastPort in
            try await withPacer("agent west", { try await PacerOperator(configuration: west, logger: TestDatabase.logger).run(onServerRunning: $0) }) { westPort in
                // 1. The central Pacer up: a first rollout in each cluster arrives through the agents.
                try await withPacer("central Pacer", { try await PacerOperator(configuration: centralConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
                    #expect(port == centralPort)
                    try await raw.waitForReadyConfig(metricDefinitions: 5)
                    for cluster in clusters {
                        try ok(await cluster.kubectl(["apply", "-f", "-"], stdin: Self.deployment("web", image: "web:1", commit: "c1")))
                    }
                    try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/web", count: 2, timeout: .seconds(180))
                }

                // 2. The central Pacer down: both Deployments upgraded; the agents' forwards fail and are retried.
                let down = ContinuousClock.now
                for cluster in clusters {
                    try ok(await cluster.kubectl(["apply", "-f", "-"], stdin: Self.deployment("web", image: "web:2", commit: "c2")))
                }
                // The metrics registry is one per process (both agents, and other suites, count into it): at least one
                // failed forward per agent, counted from here.
                let failuresBefore = Self.sample(try await HTTP(port: eastPort).getText("/metrics"), "pacer_forward_failures_total") ?? 0
                let deadline = ContinuousClock.now + .seconds(180)
                var failures = failuresBefore
                while ContinuousClock.now < deadline {
                    failures = Self.sample(try await HTTP(port: westPort).getText("/metrics"), "pacer_forward_failures_total") ?? 0
                    if failures >= failuresBefore + 2 { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(failures >= failuresBefore + 2, "the agents never saw the central Pacer down")
                // The outage the scenario asks for (not a synchronisation: the waits below wait for the data).
                let outage = Duration.seconds(20) - (ContinuousClock.now - down)
                if outage > .zero { try await Task.sleep(for: outage) }
                #expect(try await raw.count(type: "dev.pacer.deployment.rollout.completed", subject: "shop/web") == 2, "stored while down?")

                // 3. The central Pacer again, on the same port: what the agents kept arrives, once.
                try await withPacer("central Pacer, restarted", { try await PacerOperator(configuration: centralConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
                    let http = HTTP(port: port)
                    try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/web", count: 4, timeout: .seconds(180))
                    // Each fact once: per cluster created, two revisions, two completed rollouts.
                    #expect(try await raw.count(type: "dev.pacer.deployment.created", subject: "shop/web") == 2)
                    #expect(try await raw.count(type: "dev.pacer.deployment.revision", subject: "shop/web") == 4)
                    // The events name their cluster in their source.
                    let sources = Set(try await raw.sources(type: "dev.pacer.deployment.rollout.completed"))
                    #expect(sources == ["/k8s/east/apis/apps/v1/namespaces/shop/deployments/web", "/k8s/west/apis/apps/v1/namespaces/shop/deployments/web"])

                    // Hand-counted: in each cluster one first deployment (c1) and one upgrade (c2), all today. The two
                    // clusters roll out the same commits minutes apart, yet they are four deployments: the identity
                    // rule merges reports of one rollout within a cluster, never across clusters.
                    // deploys-by-cluster (groupBy cluster): east 2, west 2, overall 4 deployments in the window.
                    let statuses = try await MetricStatuses.wait(kubectl: hub.kubectl) { statuses in
                        Self.samples(statuses, cluster: "east") == 2 && Self.samples(statuses, cluster: "west") == 2
                            && statuses["deploys-by-cluster"]?["samples"]?.intValue == 4
                    }
                    #expect(Self.samples(statuses, cluster: "east") == 2 && Self.samples(statuses, cluster: "west") == 2, "\(String(describing: statuses["deploys-by-cluster"]))")
                    #expect(statuses["deploys-by-cluster"]?["samples"]?.intValue == 4)
                    // The API: today's point of each cluster's series is 2; the default definition (per app and
                    // environment) counts app web 4 times today.
                    for cluster in clusters {
                        let series = try await http.getJSON("/api/v1/metrics/default/deploys-by-cluster?bucket=day&series=groups&cluster=\(cluster.name)")
                        let groups = series["series"]?.arrayValue ?? []
                        #expect(groups.count == 1 && groups.first?["labels"]?["cluster"]?.stringValue == cluster.name, "\(groups)")
                        #expect(groups.first?["points"]?.arrayValue?.last?["value"]?.doubleValue == 2, "\(cluster.name): \(groups)")
                    }
                    let web = try await http.getJSON("/api/v1/metrics/default/deployment-frequency?bucket=day&app=web")
                    #expect(web["series"]?.arrayValue?.first?["points"]?.arrayValue?.last?["value"]?.doubleValue == 4, "\(web)")
                    // Per cluster: deployed (c1) then upgraded (c2) each, nothing twice.
                    let types = try await raw.cdEventTypes(subject: "shop/web").filter { $0.hasPrefix("service.") }
                    #expect(types.sorted() == ["service.deployed", "service.deployed", "service.upgraded", "service.upgraded"], "\(types)")
                }
            }
        }
    }

    /// Deployment frequency per cluster, every environment.
    static let byCluster = Data("""
        apiVersion: pacer.dev/v1alpha1
        kind: MetricDefinition
        metadata:
          name: deploys-by-cluster
          namespace: default
        spec:
          metric: deploymentFrequency
          window: 30d
          groupBy: [cluster]
        """.utf8)

    /// The deployments counted in the window of the `cluster` group of deploys-by-cluster.
    static func samples(_ statuses: [String: JSONValue], cluster: String) -> Int64? {
        statuses["deploys-by-cluster"]?["groups"]?.arrayValue?.first { $0["labels"]?["cluster"]?.stringValue == cluster }?["samples"]?.intValue
    }

    /// The value of an unlabelled sample in a Prometheus text exposition.
    static func sample(_ exposition: String, _ name: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(name + " ") {
            return Double(line.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces))
        }
        return nil
    }

    static func deployment(_ name: String, image: String, commit: String) -> Data {
        Data("""
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: \(name)
          namespace: shop
          annotations:
            pacer.dev/commit: \(commit)
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

    private func ok(_ result: Subprocess.Result, sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == 0, "kubectl failed: \(result.stderr)", sourceLocation: sourceLocation)
    }
}
