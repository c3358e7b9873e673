import EventModel
import EventStore
import Foundation
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// A failed rollout through the default pipeline (examples/deployment-*.yaml) and the calculator: it fails itself,
/// and its incident ends at the Deployment's next completed rollout (docs/metrics.md, change failure rate and time to
/// restore).
@Suite("Default pipeline: a failed rollout, then the fix", .enabled(if: TestDatabase.enabled))
struct FailedRolloutRestoreTests {
    @Test("the failed revision is the failed deployment; its incident is restored by the next completed rollout")
    func failedRolloutThenFix() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            try await MetricFixture.define("cfr", .changeFailureRate, groupBy: [], selector: [:], client: client)
            try await MetricFixture.define("ttr", .timeToRestore, groupBy: [], selector: [:], client: client)
            func event(_ type: String, revision: Int64, time: String, id: String? = nil, _ extra: [String: JSONValue] = [:]) -> CloudEvent {
                APipeline.deploymentEvent(
                    "dev.pacer.deployment." + type, name: "web", revision: revision, id: id, time: time,
                    extra: ["commitTime": nil, "commit": .string("c\(revision)"), "version": .string("1.\(revision)")].merging(extra) { $1 })
            }
            let events = [
                event("rollout.completed", revision: 1, time: "2026-02-20T08:00:00Z", ["previousRevision": nil]),
                // Revision 2 exceeds its progress deadline at 10:00; the Deployment stays Available (no availability event).
                event("rollout.failed", revision: 2, time: "2026-02-20T10:00:00Z", ["previousRevision": 1]),
                // The fix, revision 3, completes at 12:30.
                event("rollout.completed", revision: 3, time: "2026-02-20T12:30:00Z", ["previousRevision": 2]),
                // An unrelated outage the next day, 25.5 h after revision 3 (outside the 24 h window), lasting 1 h.
                event("availability.lost", revision: 3, time: "2026-02-21T14:00:00Z", id: "uid-web/lost/1"),
                event("availability.restored", revision: 3, time: "2026-02-21T15:00:00Z", id: "uid-web/restored/1"),
            ]
            try await APipeline.insert(events, client)
            _ = try await TransformStage(client: client, logger: APipeline.logger).drain()
            try await MetricFixture.calculator(client: client).catchUp()
            // Change failure: revisions 1, 2, 3 are deployments; only 2 failed (its own rollout); the outage is
            // attributed to nothing. 1/3. (Before: the rollout's incident failed revision 1, and the outage too.)
            let cfr = try await MetricFixture.headlines("cfr", client: client)[""]
            #expect(cfr?.samples == 3)
            #expect(cfr?.value == 1.0 / 3.0)
            // Time to restore: the rollout incident 10:00 → 12:30 (2.5 h), the outage 1 h: median 1.75 h. (Before: the
            // rollout incident ran until the outage ended, 29 h.)
            let ttr = try await MetricFixture.headlines("ttr", client: client)[""]
            #expect(ttr?.samples == 2)
            #expect(ttr?.value == 1.75)
        }
    }
}
