import Foundation
import PacerApp
import PacerCore
import TestSupport
import Testing

/// Issue 13's agent mode: two clusters (kube-sims `east` and `west`), each with a `pacer run --forward-to` agent, and
/// one central `pacer run` (its own kube-sim for the custom resources, PostgreSQL, an ingest token). A Deployment
/// rolls out in each cluster; the central Pacer is then stopped while both Deployments are upgraded, for at least
/// 20 s and until each agent has seen its forwards fail, and started again on the same port: the agents' retries
/// deliver what they buffered, nothing is lost and nothing counts twice.
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
                    try await raw.waitForReadyConfig(metricDefinitions: 4)
                    for cluster in clusters {
                        try ok(await cluster.kubectl(["apply", "-f", "-"], stdin: Self.deployment("web-\(cluster.name)", image: "web:1", commit: "\(cluster.name)-1")))
                    }
                    for cluster in clusters {
                        try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/web-\(cluster.name)", count: 1, timeout: .seconds(180))
                    }
                }

                // 2. The central Pacer down: both Deployments upgraded; the agents' forwards fail and are retried.
                let down = ContinuousClock.now
                for cluster in clusters {
                    try ok(await cluster.kubectl(["apply", "-f", "-"], stdin: Self.deployment("web-\(cluster.name)", image: "web:2", commit: "\(cluster.name)-2")))
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
                #expect(try await raw.count(type: "dev.pacer.deployment.rollout.completed", subject: "shop/web-east") == 1, "stored while down?")

                // 3. The central Pacer again, on the same port: what the agents kept arrives, once.
                try await withPacer("central Pacer, restarted", { try await PacerOperator(configuration: centralConfiguration, logger: TestDatabase.logger).run(onServerRunning: $0) }) { port in
                    let http = HTTP(port: port)
                    for cluster in clusters {
                        try await raw.wait(for: "dev.pacer.deployment.rollout.completed", subject: "shop/web-\(cluster.name)", count: 2, timeout: .seconds(180))
                    }
                    for cluster in clusters {
                        let subject = "shop/web-\(cluster.name)"
                        // Each fact once: created, two revisions, two completed rollouts.
                        #expect(try await raw.count(type: "dev.pacer.deployment.created", subject: subject) == 1)
                        #expect(try await raw.count(type: "dev.pacer.deployment.revision", subject: subject) == 2)
                        #expect(try await raw.count(type: "dev.pacer.deployment.rollout.completed", subject: subject) == 2)
                        // Today's deployment-frequency point of each app: 2 (web:1 and web:2, both today).
                        let deadline = ContinuousClock.now + .seconds(180)
                        var value: Double?
                        while ContinuousClock.now < deadline {
                            let series = try await http.getJSON("/api/v1/metrics/default/deployment-frequency?bucket=day&app=web-\(cluster.name)")
                            value = series["series"]?.arrayValue?.first?["points"]?.arrayValue?.last?["value"]?.doubleValue
                            if value == 2 { break }
                            try await Task.sleep(for: .milliseconds(200))
                        }
                        #expect(value == 2, "web-\(cluster.name): \(String(describing: value))")
                        // Hand-counted: one first deployment and one upgrade per cluster, nothing twice (read once the
                        // calculator counted both, so the transforms have run).
                        let types = try await raw.cdEventTypes(subject: "shop/web-\(cluster.name)").filter { $0.hasPrefix("service.") }
                        #expect(types == ["service.deployed", "service.upgraded"], "\(types)")
                    }
                    // The events name their cluster in their source.
                    let sources = try await raw.sources(type: "dev.pacer.deployment.rollout.completed")
                    #expect(sources.contains("/k8s/east/apis/apps/v1/namespaces/shop/deployments/web-east"), "\(sources)")
                    #expect(sources.contains("/k8s/west/apis/apps/v1/namespaces/shop/deployments/web-west"), "\(sources)")
                }
            }
        }
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
