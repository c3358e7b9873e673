import EventModel
import EventStore
import Foundation
import OperatorAPI
import PacerCore
import PacerRules
import Pipeline
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// The routes and events of these tests, and by hand which route matches which event.
///
/// Routes (namespace `pacer-system`, all naming the example transform `deployment-service-deployed`):
/// - `completed`: filter `exact type = dev.pacer.deployment.rollout.completed`, no `when`
/// - `cart`: no filter, `when: data.app == 'cart'`
/// - `when-fails`: no filter, `when: data.nope == 1` (fails on every event: an error, never a match)
/// - `never`: filter `exact type = dev.pacer.nothing`
///
/// | # | transaction | type              | app  | completed | cart | when-fails | never |
/// |---|-------------|-------------------|------|-----------|------|------------|-------|
/// | 1 | first       | rollout.completed | cart | ✓         | ✓    |            |       |
/// | 2 | first       | rollout.completed | web  | ✓         |      |            |       |
/// | 3 | first       | rollout.completed | api  | ✓         |      |            |       |
/// | 4 | second      | rollout.failed    | cart |           | ✓    |            |       |
/// | 5 | second      | revision          | cart |           | ✓    |            |       |
/// | 6 | second      | revision          | web  |           |      |            |       |
/// | 7 | second      | availability.lost | db   |           |      |            |       |
/// | total |         |                   |      | **3**     | **3**| **0**      | **0** |
///
/// Last match (the matching CloudEvent's `event_timestamp`): `completed` → the first transaction's time (event 3),
/// `cart` → the second's (events 4 and 5). Routes without a match have no `pipeline_route_stats` row.
enum RouteStatsFixture {
    static let expected: [String: Int64] = ["completed": 3, "cart": 3]

    static func install(_ client: PostgresClient) async throws {
        try await APipeline.installExamples(client, files: ["deployment-transforms.yaml"])
        let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
        let routes: [(String, EventRouteSpec)] = [
            ("completed", EventRouteSpec(filters: [["exact": ["type": "dev.pacer.deployment.rollout.completed"]]], transforms: ["deployment-service-deployed"])),
            ("cart", EventRouteSpec(when: "data.app == 'cart'", transforms: ["deployment-service-deployed"])),
            ("when-fails", EventRouteSpec(when: "data.nope == 1", transforms: ["deployment-service-deployed"])),
            ("never", EventRouteSpec(filters: [["exact": ["type": "dev.pacer.nothing"]]], transforms: ["deployment-service-deployed"])),
        ]
        for (name, spec) in routes { try await config.upsert(.eventRoutes, APipeline.row(name, try JSONValue(encoding: spec))) }
    }

    /// Events 1-3 in one transaction, 4-7 in a second one (so the two routes' last matches differ).
    static func insertEvents(_ client: PostgresClient) async throws {
        let completed = ["cart", "web", "api"].map { APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: $0, revision: 1) }
        try await APipeline.insert(completed, client)
        try await APipeline.insert(
            [
                APipeline.deploymentEvent("dev.pacer.deployment.rollout.failed", name: "cart"),
                APipeline.deploymentEvent("dev.pacer.deployment.revision", name: "cart", revision: 3),
                APipeline.deploymentEvent("dev.pacer.deployment.revision", name: "web", revision: 3),
                APipeline.deploymentEvent("dev.pacer.deployment.availability.lost", name: "db", id: "uid-db/availability.lost/x"),
            ], client)
    }

    /// `matched` per route name, as stored.
    static func matched(_ client: PostgresClient) async throws -> [String: Int64] {
        var counts: [String: Int64] = [:]
        let rows = try await client.query(
            "SELECT name, matched FROM pipeline_route_stats WHERE namespace = 'pacer-system'", logger: TestDatabase.logger
        ).decode((String, Int64).self)
        for try await (name, matched) in rows { counts[name] = matched }
        return counts
    }

    /// Each route's `last_match_at` equals the latest `event_timestamp` of the events of the table above it matched.
    static func expectLastMatchTimes(_ client: PostgresClient) async throws {
        #expect(try await APipeline.count(
            """
            SELECT count(*) FROM pipeline_route_stats WHERE name = 'completed'
            AND last_match_at = (SELECT max(event_timestamp) FROM cloudevents_raw WHERE ce_type = 'dev.pacer.deployment.rollout.completed')
            """, client) == 1)
        #expect(try await APipeline.count(
            """
            SELECT count(*) FROM pipeline_route_stats WHERE name = 'cart'
            AND last_match_at = (SELECT max(event_timestamp) FROM cloudevents_raw WHERE content->'data'->>'app' = 'cart')
            """, client) == 1)
        #expect(try await APipeline.count(
            """
            SELECT count(*) FROM pipeline_route_stats a, pipeline_route_stats b
            WHERE a.name = 'completed' AND b.name = 'cart' AND a.last_match_at < b.last_match_at
            """, client) == 1, "the two transactions' times differ")
    }
}

@Suite("Route counters (pipeline_route_stats) against PostgreSQL", .enabled(if: TestDatabase.enabled), .timeLimit(.minutes(5)))
struct RouteStatsTests {
    @Test func eachRouteCountsTheEventsItMatchedAndARestartCountsNothingAgain() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await RouteStatsFixture.install(client)
            try await RouteStatsFixture.insertEvents(client)
            var configuration = TransformStage.Configuration()
            configuration.batchSize = 2  // four commits, so the counters are added to across batches
            #expect(try await TransformStage(client: client, configuration: configuration, logger: APipeline.logger).drain() == 7)
            #expect(try await RouteStatsFixture.matched(client) == RouteStatsFixture.expected)
            try await RouteStatsFixture.expectLastMatchTimes(client)
            // `when-fails` recorded an error per event and matched none.
            #expect(try await APipeline.count(
                "SELECT count(*) FROM pipeline_errors WHERE component = 'pacer-system/when-fails'", client) == 7)

            // Restart: a new service over the same rows and the same cursor (nothing reset) counts nothing again.
            #expect(try await TransformStage(client: client, configuration: configuration, logger: APipeline.logger).drain() == 0)
            #expect(try await RouteStatsFixture.matched(client) == RouteStatsFixture.expected)
            try await RouteStatsFixture.expectLastMatchTimes(client)
        }
    }

    @Test func concurrentReplicasCountEachBatchOnce() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await RouteStatsFixture.install(client)
            try await RouteStatsFixture.insertEvents(client)
            var small = TransformStage.Configuration()
            small.batchSize = 1
            let configuration = small
            let processed = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await TransformStage(client: client, configuration: configuration, logger: APipeline.logger).drain() }
                }
                return try await group.reduce(0, +)
            }
            #expect(processed == 7, "the replicas together consume every event once")
            #expect(try await RouteStatsFixture.matched(client) == RouteStatsFixture.expected)
        }
    }

    /// The example routes over `total` first rollouts (revision 1, no `previousRevision`, with `commit` and
    /// `commitTime`): `deployment-first-rollout` and `deployment-change-merged` match every one of them, the other
    /// four routes none. The service is stopped part-way (a batch in flight rolls back) and a new one continues.
    @Test func stoppingMidStreamAndRestartingCountsEveryEventOnce() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            var configuration = TransformStage.Configuration()
            configuration.batchSize = 10
            configuration.pollInterval = .milliseconds(200)
            let total = 200
            let events = RouterExactlyOnceTests.rollouts(total)
            let settings = configuration
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await TransformStage(client: client, configuration: settings, logger: APipeline.logger).run() }
                for (index, start) in stride(from: 0, to: total, by: 20).enumerated() {
                    try await APipeline.insert(Array(events[start..<min(start + 20, total)]), client)
                    if index == 5 {
                        _ = try await APipeline.eventually { try await APipeline.count("SELECT count(*) FROM pipeline_route_stats", client) > 0 }
                        group.cancelAll()
                    }
                }
                try await group.waitForAll()
            }
            let midway = try await APipeline.count("SELECT coalesce(sum(matched), 0)::bigint FROM pipeline_route_stats", client)
            #expect(midway > 0 && midway < Int64(total * 3), "stopped part-way (\(midway) matches)")
            _ = try await TransformStage(client: client, configuration: configuration, logger: APipeline.logger).drain()
            #expect(try await RouteStatsFixture.matched(client) == [
                "deployment-first-rollout": Int64(total), "deployment-change-merged": Int64(total), "deployment-rollout-resolved": Int64(total),
            ])
        }
    }

    @Test func routeCountersArePublishedWhenTheyChange() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await RouteStatsFixture.install(client)
            let publisher = RouteStatusRecorder()
            var configuration = TransformStage.Configuration()
            configuration.statusInterval = .milliseconds(100)
            let settings = configuration
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await TransformStage(client: client, configuration: settings, routeStatusPublisher: publisher, logger: APipeline.logger).run()
                }
                defer { group.cancelAll() }
                try await RouteStatsFixture.insertEvents(client)
                #expect(try await APipeline.eventually {
                    publisher.latest.mapValues(\.matchedEvents) == ["pacer-system/completed": 3, "pacer-system/cart": 3]
                })
                #expect(publisher.latest.values.allSatisfy { $0.lastMatchTime != nil })
                // Routes that never matched have no counters and are never published.
                #expect(Set(publisher.calls.keys) == ["pacer-system/completed", "pacer-system/cart"])
                let calls = publisher.calls
                try await Task.sleep(for: .milliseconds(400))
                #expect(publisher.calls == calls, "unchanged counters are not published again")
                // One more rollout of cart: both routes change.
                try await APipeline.insert([APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: "cart", revision: 4)], client)
                #expect(try await APipeline.eventually {
                    publisher.latest.mapValues(\.matchedEvents) == ["pacer-system/completed": 4, "pacer-system/cart": 4]
                })
            }
        }
    }
}

@Suite("EventRouter route matches without a database")
struct RouteMatchUnitTests {
    @Test func matchesAreCountedPerRouteWithTheLatestStoredTime() async throws {
        let rules = try RouterUnitTests.rules(
            routes: [
                ("team-a", "all", EventRouteSpec(transforms: ["deploy"])),
                ("team-a", "cart", EventRouteSpec(when: "data.app == 'cart'", transforms: ["deploy"])),
                ("team-a", "broken", EventRouteSpec(when: "data.nope == 1", transforms: ["deploy"])),
            ],
            transforms: [("team-a", "deploy")])
        let base = Date(timeIntervalSince1970: 1_800_000_000)
        // Stored out of order on purpose: the latest time wins, not the last record.
        let records = [("cart", 30.0), ("web", 10.0), ("cart", 20.0)].enumerated().map { index, item in
            RawCloudEventRecord(
                eventId: Int64(index + 1), xid: 1, storedAt: base + item.1,
                content: CloudEventRow(APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: item.0, revision: Int64(index + 1))).content)
        }
        let whole = EventRouter(rules: rules).process(records)
        #expect(whole.routeMatches == [
            "team-a/all": .init(count: 3, lastStoredAt: base + 30), "team-a/cart": .init(count: 2, lastStoredAt: base + 30),
        ])
        // Sliced processing merges to the same.
        let sliced = await EventRouter(rules: rules).process(records, slice: 1)
        #expect(sliced.routeMatches == whole.routeMatches)
    }
}

/// Records what the pipeline publishes for routes.
final class RouteStatusRecorder: RouteStatusPublishing {
    private let state = Mutex<(latest: [String: RouteStatusUpdate], calls: [String: Int])>(([:], [:]))
    var latest: [String: RouteStatusUpdate] { state.withLock { $0.latest } }
    var calls: [String: Int] { state.withLock { $0.calls } }

    func publish(namespace: String, name: String, status: RouteStatusUpdate) async throws {
        state.withLock {
            $0.latest["\(namespace)/\(name)"] = status
            $0.calls["\(namespace)/\(name)", default: 0] += 1
        }
    }
}
