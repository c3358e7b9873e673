import Foundation
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// The `cluster` dimension (docs/metrics.md, "Clusters"): app `web` in `production` deployed to two clusters at their
/// own pace. Histories are per cluster; the numbers are computed by hand from the documented rules.
@Suite("Calculator: clusters", .enabled(if: TestDatabase.enabled))
struct ClusterDimensionTests {
    typealias Fixture = MetricFixture
    typealias Event = MetricFixture.Event

    static func deploy(_ id: String, _ hour: Double, commit: String, cluster: String) -> Event {
        DeploymentFailureTests.deploy(id, Fixture.at(0, hour), commit: commit, extra: ["cluster": cluster])
    }

    static func incident(_ id: String, _ kind: Fixture.Kind, _ hour: Double, cluster: String) -> Event {
        DeploymentFailureTests.incident(id, kind, Fixture.at(0, hour), subject: "default/web", extra: ["cluster": cluster])
    }

    static let metrics: [(String, MetricDefinitionSpec.Metric)] = [
        ("df", .deploymentFrequency), ("lt", .leadTimeForChanges), ("cfr", .changeFailureRate), ("ttr", .timeToRestore),
        ("fdrt", .failedDeploymentRecoveryTime), ("rework", .deploymentReworkRate),
    ]

    @Test("two clusters at their own pace: no false rollback, attribution and incidents within a cluster, per-cluster and overall values")
    func twoClusters() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            for (name, metric) in Self.metrics {
                try await Fixture.define(name, metric, groupBy: [.cluster], selector: [:], client: client)
            }
            let events = [
                // Changes name no cluster: each cluster's deployments carry them.
                Event(id: "change-a", kind: .change, time: Fixture.at(0, 10), app: "web", commit: "a"),
                Event(id: "change-b", kind: .change, time: Fixture.at(0, 11), app: "web", commit: "b"),
                Self.deploy("e1", 12, commit: "a", cluster: "east"),
                Self.deploy("e2", 14, commit: "b", cluster: "east"),
                // west deploys a after east has moved on to b: west's first deployment, not a return to an earlier
                // version (in one history of both clusters it would be a rollback failing e2).
                Self.deploy("w1", 15, commit: "a", cluster: "west"),
                Self.deploy("w2", 16, commit: "b", cluster: "west"),
                // An incident in east at 16:30 naming nothing: the latest east deployment within 24 h is e2 (2.5 h
                // before); w2 (16:00) is later but in the other cluster. Resolved at 17:30.
                Self.incident("i1", .open, 16.5, cluster: "east"),
                Self.incident("i1r", .resolved, 17.5, cluster: "east"),
                // The same subject opens in west at 20:00 (w2 is the latest west deployment, 4 h before: it fails)
                // and a resolution of that subject arrives from east at 20:10, where nothing is open: ignored. The
                // west incident stays open.
                Self.incident("i2", .open, 20, cluster: "west"),
                Self.incident("i2r", .resolved, 20 + 10.0 / 60, cluster: "east"),
            ]
            let overall = try await DeploymentFailureTests.compute(events, names: Self.metrics.map(\.0), client: client)
            // Deployment frequency: e1, e2, w1, w2: 4 (east 2, west 2).
            #expect(overall["df"]?.1 == 4)
            // Lead time, each change once per cluster: east a 12-10 = 2 h, b 14-11 = 3 h; west a 15-10 = 5 h,
            // b 16-11 = 5 h. Median of [2, 3, 5, 5] = 4 h over 4 changes.
            #expect(overall["lt"]?.0 == 4 && overall["lt"]?.1 == 4)
            // Change failure rate: e2 (incident i1) and w2 (incident i2) failed, no rollback: 2 of 4.
            #expect(overall["cfr"]?.0 == 0.5 && overall["cfr"]?.1 == 4)
            // Time to restore: i1 only, 16:30 → 17:30 = 1 h (i2 is still open).
            #expect(overall["ttr"]?.0 == 1 && overall["ttr"]?.1 == 1)
            // Recovery: e2 recovered when i1 was resolved (no later east deployment): 17:30 - 14:00 = 3.5 h; w2 has
            // not recovered.
            #expect(overall["fdrt"]?.0 == 3.5 && overall["fdrt"]?.1 == 1)
            // Rework: no rollback, and no deployment was made in a cluster while a failure of that cluster was open
            // (e2's failure is east's; w1 and w2 are west's): 0 of 4.
            #expect(overall["rework"]?.0 == 0 && overall["rework"]?.1 == 4)

            let df = try await Fixture.headlines("df", client: client)
            #expect(df["cluster=east"]?.samples == 2 && df["cluster=west"]?.samples == 2)
            let lt = try await Fixture.headlines("lt", client: client)
            // east median of [2, 3] = 2.5 h; west [5, 5] = 5 h.
            #expect(lt["cluster=east"]?.value == 2.5 && lt["cluster=west"]?.value == 5)
            let cfr = try await Fixture.headlines("cfr", client: client)
            #expect(cfr["cluster=east"]?.value == 0.5 && cfr["cluster=west"]?.value == 0.5)
            let ttr = try await Fixture.headlines("ttr", client: client)
            #expect(ttr["cluster=east"]?.samples == 1 && ttr["cluster=west"] == nil)
            let facts = try await DeploymentFailureTests.facts(client)
            #expect(facts.rollbacks.isEmpty && facts.rolledBack.isEmpty)
            #expect(facts.incident.isEmpty)  // attributed by the window, not named
        }
    }

    @Test("a selector on the cluster keeps one cluster")
    func selector() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("df", .deploymentFrequency, groupBy: [], selector: ["cluster": "west"], client: client)
            let events = [
                Self.deploy("e1", 12, commit: "a", cluster: "east"), Self.deploy("w1", 15, commit: "a", cluster: "west"),
                Self.deploy("w2", 16, commit: "b", cluster: "west"),
            ]
            let overall = try await DeploymentFailureTests.compute(events, names: ["df"], client: client)
            // w1 and w2.
            #expect(overall["df"]?.1 == 2)
        }
    }
}
