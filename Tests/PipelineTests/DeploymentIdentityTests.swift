import Foundation
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// One deployment, one count (docs/metrics.md, "One deployment, one count"): a rollout reported by two sources
/// counts once. Small histories written here, numbers computed by hand. App `web` in `production`, day 0.
@Suite("Calculator: one deployment, one count", .enabled(if: TestDatabase.enabled))
struct DeploymentIdentityTests {
    typealias Fixture = MetricFixture
    typealias Event = MetricFixture.Event

    /// A deployment report; `artifact` differs per source (the Deployment source's and a CD tool's names).
    static func report(_ id: String, _ hour: Double, commit: String, artifact: String? = nil, extra: [String: String] = [:]) -> Event {
        var event = DeploymentFailureTests.deploy(id, Fixture.at(0, hour), commit: commit, extra: extra)
        event.artifact = artifact
        return event
    }

    static func change(_ sha: String, _ hour: Double) -> Event {
        Event(id: "change-\(sha)", kind: .change, time: Fixture.at(0, hour), app: "web", commit: sha)
    }

    static func defineAll(client: PostgresClient) async throws {
        try await DeploymentFailureTests.define("df", .deploymentFrequency, client: client)
        try await DeploymentFailureTests.define("lt", .leadTimeForChanges, client: client)
        try await DeploymentFailureTests.define("cfr", .changeFailureRate, client: client)
    }

    @Test("the same rollout reported by two sources: deployment frequency 1, lead time carried once, change failure rate 1 of 1")
    func reportedTwice() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.defineAll(client: client)
            let events = [
                Self.change("a", 10), Self.change("b", 11),
                // The Deployment source reports b at 12:00; a CD tool reports the same rollout 3 minutes later under its
                // own artifact name (same app, environment and commit, same outcome, within 10 minutes).
                Self.report("deployment-source-1", 12, commit: "b"),
                Self.report("cd-tool-1", 12.05, commit: "b", artifact: "pkg:oci/registry.example/web@sha256:0b"),
                // An incident 30 minutes later, naming nothing: the latest deployment within 24 h is the rollout
                // (as reported first); counted twice, the second report alone would have failed (1 of 2).
                DeploymentFailureTests.incident("i1", .open, Fixture.at(0, 12.5), subject: "X"),
            ]
            let headlines = try await DeploymentFailureTests.compute(events, names: ["df", "lt", "cfr"], client: client)
            // Deployment frequency: one deployment in the window.
            #expect(headlines["df"]?.1 == 1)
            // Lead time: a 12:00 - 10:00 = 2 h, b 1 h, each carried once (by the first report): median 1.5 h, 2 changes.
            #expect(headlines["lt"]?.0 == 1.5 && headlines["lt"]?.1 == 2)
            // Change failure rate: the one deployment failed (the incident 30 min after it): 1 of 1.
            #expect(headlines["cfr"]?.0 == 1 && headlines["cfr"]?.1 == 1)
            let day = Fixture.PointKey(bucket: "day", start: Fixture.at(0), group: "")
            #expect(try await Fixture.points("df", client: client)[day] == Fixture.Point(value: 1, samples: 1))
            let carriers = try await client.query("SELECT deploy_id FROM lead_times ORDER BY sha", logger: TestDatabase.logger)
            var ids: [String] = []
            for try await id in carriers.decode(String.self) { ids.append(id) }
            #expect(ids == ["deployment-source-1", "deployment-source-1"])
        }
    }

    @Test("not the same rollout: the same commit 11 minutes later, a rollback within 10 minutes, two revisions of one source")
    func distinctRollouts() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.defineAll(client: client)
            let events = [
                Self.report("d1", 12, commit: "b"),
                Self.report("d2", 12 + 11.0 / 60, commit: "b"),  // 11 minutes after d1: outside the window, counts
                Self.report("d3", 13, commit: "c"),
                Self.report("d4", 13 + 2.0 / 60, commit: "d"),
                // c again, 4 minutes after c's report but right after d's: a rollback, not a second report of d3.
                Self.report("d5", 13 + 4.0 / 60, commit: "c"),
                // One source numbers two rollouts of commit e apart (a configuration change that keeps the version):
                // two deployments; the same revision reported again (a second replica) is a duplicate.
                Self.report("d6", 14, commit: "e", extra: ["revision": "7"]),
                Self.report("d7", 14 + 2.0 / 60, commit: "e", extra: ["revision": "8"]),
                Self.report("d8", 14 + 3.0 / 60, commit: "e", extra: ["revision": "8"]),
            ]
            let headlines = try await DeploymentFailureTests.compute(events, names: ["df", "cfr"], client: client)
            // Seven deployments: d1 … d7 (d8 is d7 again).
            #expect(headlines["df"]?.1 == 7)
            // d4 was rolled back by d5 (failed); d5, the rollback, is left out: 1 failed of d1, d2, d3, d4, d6, d7.
            #expect(headlines["cfr"]?.0 == 1.0 / 6.0 && headlines["cfr"]?.1 == 6)
        }
    }

    @Test("a failed rollout and a success of the same commit are two facts; an incident naming the second report's CDEvent id fails the first")
    func outcomesAndLinks() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.defineAll(client: client)
            let events = [
                Self.report("f1", 9, commit: "a", extra: ["outcome": "failed"]),
                Self.report("f2", 9.1, commit: "a"),  // the same commit 6 minutes later, but this rollout completed
                Self.report("g1", 12, commit: "b"),
                Self.report("g2", 12.05, commit: "b", artifact: "pkg:oci/registry.example/web@sha256:0b"),  // g1 again
                // Two days later (outside the 24 h window), an incident naming the CD tool's report g2 by CDEvent id:
                // g2 is the rollout g1, so g1 failed.
                DeploymentFailureTests.incident("i1", .open, Fixture.at(2, 12), subject: "X", extra: ["deployment": "g2"]),
            ]
            let headlines = try await DeploymentFailureTests.compute(events, names: ["df", "cfr"], client: client)
            // f1, f2, g1: three deployments.
            #expect(headlines["df"]?.1 == 3)
            // f1 failed its rollout, g1 failed by the named incident, f2 did not fail: 2 of 3.
            #expect(headlines["cfr"]?.0 == 2.0 / 3.0 && headlines["cfr"]?.1 == 3)
        }
    }
}
