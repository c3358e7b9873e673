import EventModel
import EventStore
import Foundation
import PacerCore
import PacerRules
import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Namespace isolation (docs/security.md, "Namespace isolation"): the default Deployment pipeline of examples/ is
/// installed three times, in the operator's namespace `pacer-system` (cluster-wide) and in the team namespaces
/// `team-a` and `team-b` (not cluster-wide, as the reconciler writes them with `--namespace-isolation`); each
/// namespace has the same four MetricDefinitions. Every CloudEvent of a team's workload is therefore transformed
/// twice: by the operator's transforms and by its own team's. Numbers computed by hand.
@Suite("Namespace isolation: routes, transforms and metric definitions of team namespaces", .enabled(if: TestDatabase.enabled))
struct NamespaceIsolationTests {
    static let namespaces = [("pacer-system", true), ("team-a", false), ("team-b", false)]

    static func setUp(_ client: PostgresClient) async throws {
        let store = PostgresConfigStore(client: client, logger: TestDatabase.logger)
        for (namespace, clusterWide) in Self.namespaces {
            try await ExamplePipeline.install(
                client, files: ["deployment-routes.yaml", "deployment-transforms.yaml"], namespace: namespace, clusterWide: clusterWide)
            for (name, metric) in [("df", MetricDefinitionSpec.Metric.deploymentFrequency), ("lt", .leadTimeForChanges),
                                   ("cfr", .changeFailureRate), ("ttr", .timeToRestore)] {
                let spec = MetricDefinitionSpec(metric: metric, window: "30d")
                try await store.upsert(
                    .metricDefinitions,
                    ConfigRecord(
                        namespace: namespace, name: name, uid: "uid-\(namespace)-\(name)", generation: 1, spec: try JSONValue(encoding: spec),
                        ready: true, clusterWide: clusterWide))
            }
        }
    }

    /// A Deployment-source CloudEvent of `namespace/name` (docs/deployment-source.md), in production.
    static func event(
        _ type: String, _ namespace: String, _ name: String, revision: Int64, time: String, commit: String, commitTime: String?,
        previousRevision: Int64?, id: String? = nil
    ) -> CloudEvent {
        APipeline.deploymentEvent(
            "dev.pacer.deployment.\(type)", name: name, namespace: namespace, revision: revision, id: id, time: time,
            extra: [
                "commit": .string(commit), "commitTime": commitTime.map(JSONValue.string) ?? .null, "version": .string(commit),
                "previousRevision": previousRevision.map(JSONValue.int) ?? .null, "app": .string(name),
            ])
    }

    /// team-a's `cart`: revision 2 (commit a1, committed the day before at 09:00) completes at 10:00; it becomes
    /// unavailable 11:00–12:00; revision 3 (commit a2, committed 11:30) completes at 13:00. team-b's `web`:
    /// revision 2 (commit b1, committed 08:00) completes at 10:00. All on 2026-02-27, within the 30 days before the
    /// calculator's "now" (2026-03-01 12:00).
    static let history: [CloudEvent] = [
        event("rollout.completed", "team-a", "cart", revision: 2, time: "2026-02-27T10:00:00Z", commit: "a1", commitTime: "2026-02-26T09:00:00Z", previousRevision: nil),
        event("availability.lost", "team-a", "cart", revision: 2, time: "2026-02-27T11:00:00Z", commit: "a1", commitTime: nil, previousRevision: nil, id: "uid-cart/lost/1"),
        event("availability.restored", "team-a", "cart", revision: 2, time: "2026-02-27T12:00:00Z", commit: "a1", commitTime: nil, previousRevision: nil, id: "uid-cart/restored/1"),
        event("rollout.completed", "team-a", "cart", revision: 3, time: "2026-02-27T13:00:00Z", commit: "a2", commitTime: "2026-02-27T11:30:00Z", previousRevision: 2),
        event("rollout.completed", "team-b", "web", revision: 2, time: "2026-02-27T10:00:00Z", commit: "b1", commitTime: "2026-02-27T08:00:00Z", previousRevision: nil),
    ]

    /// Stores `events` in two parts (the second part first, so facts arrive late), routes, transforms and calculates
    /// after each, and checks that `pacer recompute` writes the same rows.
    static func run(_ events: [CloudEvent], client: PostgresClient) async throws {
        let calculator = MetricFixture.calculator(client: client, batchSize: 3)
        let half = events.count / 2
        for part in [Array(events[half...]), Array(events[..<half])] {
            try await APipeline.insert(part, client)
            _ = try await TransformStage(client: client, logger: APipeline.logger).drain()
            try await calculator.catchUp()
        }
        let incremental = try await MetricFixture.dump(client: client)
        for (way, recomputed) in try await MetricFixture.recomputedDumps(client: client) {
            #expect(incremental == recomputed, "incremental != recompute (\(way)): \(MetricFixture.firstDifference(incremental, recomputed))")
        }
    }

    static func headline(_ namespace: String, _ name: String, _ client: PostgresClient) async throws -> (value: Double?, samples: Int64)? {
        let rows = try await client.query(
            "SELECT value, samples FROM metric_headlines WHERE namespace = \(namespace) AND name = \(name) AND group_key = ''",
            logger: TestDatabase.logger)
        for try await (value, samples) in rows.decode((Double?, Int64).self) { return (value, samples) }
        return nil
    }

    @Test("team-a's definitions see team-a's workloads, team-b's see team-b's, the operator's see both; a CloudEvent transformed in two namespaces counts once")
    func teamsAndOperator() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.setUp(client)
            try await Self.run(Self.history, client: client)

            // Routing: team-b's routes never saw team-a's workload (nor team-a's team-b's); the operator's saw both.
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE origin_transform LIKE 'team-b/%' AND content #>> '{customData,name}' <> 'web'", client) == 0)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE origin_transform LIKE 'team-a/%' AND content #>> '{customData,name}' <> 'cart'", client) == 0)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE origin_transform LIKE 'team-b/%'", client) > 0)
            // Every CDEvent of a team's transform carries its namespace.
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE origin_transform LIKE 'team-a/%' AND content #>> '{customData,namespace}' <> 'team-a'", client) == 0)
            // Three rollouts, each reported twice (the operator's transform and the team's): six deployment facts, three
            // of them duplicates of the other report (docs/metrics.md, "One deployment, one count").
            #expect(try await APipeline.count("SELECT count(*) FROM deployments", client) == 6)
            #expect(try await APipeline.count("SELECT count(*) FROM deployments WHERE NOT duplicate", client) == 3)

            // Deployment frequency, deployments in the window: cart r2 and r3 in team-a, web r2 in team-b, all three in
            // pacer-system (not six).
            #expect(try await Self.headline("pacer-system", "df", client)?.samples == 3)
            #expect(try await Self.headline("team-a", "df", client)?.samples == 2)
            #expect(try await Self.headline("team-b", "df", client)?.samples == 1)

            // Lead time: a1 committed 02-26 09:00, deployed 02-27 10:00: 25 h; a2 11:30 → 13:00: 1.5 h; b1 08:00 → 10:00:
            // 2 h. Each change merged twice (two transforms) counts once.
            let ltAll = try await Self.headline("pacer-system", "lt", client)
            #expect(ltAll?.samples == 3 && ltAll?.value == 2)  // median of 1.5, 2, 25
            let ltA = try await Self.headline("team-a", "lt", client)
            #expect(ltA?.samples == 2 && ltA?.value == 13.25)  // median of 1.5 and 25
            let ltB = try await Self.headline("team-b", "lt", client)
            #expect(ltB?.samples == 1 && ltB?.value == 2)

            // Change failure rate: the outage at 11:00 names nothing and fails the latest deployment of cart within
            // 24 h, r2. team-a: 1 of 2; team-b: 0 of 1; pacer-system: 1 of 3.
            let cfrAll = try await Self.headline("pacer-system", "cfr", client)
            #expect(cfrAll?.samples == 3 && cfrAll?.value == 1.0 / 3.0)
            let cfrA = try await Self.headline("team-a", "cfr", client)
            #expect(cfrA?.samples == 2 && cfrA?.value == 0.5)
            let cfrB = try await Self.headline("team-b", "cfr", client)
            #expect(cfrB?.samples == 1 && cfrB?.value == 0)

            // Time to restore: the outage 11:00 → 12:00, detected and resolved by two transforms each: one incident
            // of 1 h (the second detection while it is open is not a new one). team-b had no incident.
            let ttrAll = try await Self.headline("pacer-system", "ttr", client)
            #expect(ttrAll?.samples == 1 && ttrAll?.value == 1)
            let ttrA = try await Self.headline("team-a", "ttr", client)
            #expect(ttrA?.samples == 1 && ttrA?.value == 1)
            let ttrB = try await Self.headline("team-b", "ttr", client)
            #expect(ttrB?.samples == 0)
        }
    }

    @Test("a definition that becomes namespaced (or cluster-wide again) is computed again in full")
    func scopeChangeRecomputes() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.setUp(client)
            let store = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            // team-a's df starts cluster-wide (isolation off): it sees all three deployments.
            var row = try await store.rows(.metricDefinitions).first { $0.key == "team-a/df" }!
            row.clusterWide = true
            try await store.upsert(.metricDefinitions, row)
            try await Self.run(Self.history, client: client)
            #expect(try await Self.headline("team-a", "df", client)?.samples == 3)
            // Isolation on: the same spec, now namespaced; the next step computes it again from the facts: 2.
            row.clusterWide = false
            try await store.upsert(.metricDefinitions, row)
            try await MetricFixture.calculator(client: client).catchUp()
            #expect(try await Self.headline("team-a", "df", client)?.samples == 2)
        }
    }
}
