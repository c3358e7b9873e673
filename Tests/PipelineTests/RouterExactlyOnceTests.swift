import EventModel
import EventStore
import Foundation
import Logging
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@Suite("Router + transformer: exactly once, wake-ups, outages", .enabled(if: TestDatabase.enabled), .timeLimit(.minutes(10)))
struct RouterExactlyOnceTests {
    /// `count` completed first rollouts: each becomes service.deployed + change.merged (2 CDEvents).
    static func rollouts(_ count: Int, prefix: String = "app") -> [CloudEvent] {
        (0..<count).map { APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: "\(prefix)\($0)", revision: 1) }
    }

    /// Every CloudEvent has exactly `perEvent` CDEvents and there are no others (a completed rollout: service.deployed,
    /// change.merged and the incident.resolved of a failed rollout).
    static func expectExactlyOnce(_ client: PostgresClient, events: Int, perEvent: Int = 3) async throws {
        #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == Int64(events * perEvent))
        #expect(try await APipeline.count(
            "SELECT count(*) FROM (SELECT origin_event_id FROM cdevents_raw GROUP BY origin_event_id HAVING count(*) <> \(perEvent)) x", client) == 0)
        #expect(try await APipeline.count(
            "SELECT count(*) FROM cloudevents_raw c WHERE NOT EXISTS (SELECT 1 FROM cdevents_raw d WHERE d.origin_event_id = c.event_id)", client) == 0)
        #expect(try await APipeline.count("SELECT sum(produced)::bigint FROM pipeline_transform_stats", client) == Int64(events * perEvent))
    }

    @Test func replaysAndConcurrentReplicasProduceEachCDEventOnce() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            try await APipeline.insert(Self.rollouts(300), client)
            var small = TransformStage.Configuration()
            small.batchSize = 25
            let configuration = small
            let processed = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<2 {
                    group.addTask { try await TransformStage(client: client, configuration: configuration, logger: APipeline.logger).drain() }
                }
                return try await group.reduce(0, +)
            }
            #expect(processed == 300, "the two replicas together consume every event once")
            try await Self.expectExactlyOnce(client, events: 300)
            // Running again changes nothing.
            #expect(try await TransformStage(client: client, logger: APipeline.logger).drain() == 0)
            try await Self.expectExactlyOnce(client, events: 300)
        }
    }

    @Test func stoppingMidStreamAndRestartingLosesAndDuplicatesNothing() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            var configuration = TransformStage.Configuration()
            configuration.batchSize = 20
            configuration.pollInterval = .milliseconds(200)
            let total = 600
            let events = Self.rollouts(total)
            let settings = configuration
            try await withThrowingTaskGroup(of: Void.self) { group in
                let pipeline = TransformStage(client: client, configuration: settings, logger: APipeline.logger)
                group.addTask { try await pipeline.run() }
                // Insert concurrently in 30 transactions; stop the service half-way through.
                for (index, chunk) in stride(from: 0, to: total, by: 20).map({ Array(events[$0..<min($0 + 20, total)]) }).enumerated() {
                    try await APipeline.insert(chunk, client)
                    if index == 15 {
                        _ = try await APipeline.eventually { try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) > 0 }
                        group.cancelAll()
                    }
                }
                try await group.waitForAll()
            }
            let midway = try await APipeline.count("SELECT count(*) FROM cdevents_raw", client)
            #expect(midway > 0 && midway < Int64(total * 3), "stopped part-way (\(midway) CDEvents)")
            // A new instance continues from the cursor.
            _ = try await TransformStage(client: client, configuration: configuration, logger: APipeline.logger).drain()
            try await Self.expectExactlyOnce(client, events: total)
        }
    }

    /// Wake-ups come from NOTIFY: the poll interval is 10 minutes, longer than the test may run, so a row that is
    /// transformed at all was found through `pacer_cloudevents` (and a configuration change through `pacer_config`).
    /// How fast that happens is measured in hack/bench/pipeline, not here.
    @Test func notifyWakesThePipelineDespiteAPollLongerThanTheTest() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            var configuration = TransformStage.Configuration()
            configuration.pollInterval = .seconds(600)
            configuration.listenRenewInterval = .seconds(600)  // a renewed LISTEN wakes the stage too
            let settings = configuration
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await TransformStage(client: client, configuration: settings, logger: APipeline.logger).run() }
                defer { group.cancelAll() }
                let listening = try await APipeline.eventually(timeout: .seconds(120)) {
                    try await APipeline.count(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%pacer_config%'", client) > 0
                }
                #expect(listening)
                // Each round's row is inserted after the previous one was transformed, when the stage is idle: only a
                // NOTIFY (or the 10-minute poll) can wake it.
                for round in 0..<3 {
                    try await APipeline.insert(Self.rollouts(1, prefix: "wake\(round)-"), client)
                    let arrived = try await APipeline.eventually(timeout: .seconds(120)) {
                        try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == Int64((round + 1) * 3)
                    }
                    #expect(arrived, "round \(round): not transformed, so NOTIFY did not wake the stage")
                }
                #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == 9)

                // A configuration change is picked up through NOTIFY pacer_config too. The stage reloads its rules
                // when that notification is handled, which is not ordered with the next row's notification: rows
                // are inserted one at a time until one is transformed without the deleted route (a row's CDEvents
                // commit together with the cursor, so once its service.deployed is visible its count is final).
                let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
                try await config.delete(.eventRoutes, namespace: APipeline.namespace, name: "deployment-change-merged")
                var perRow: [Int64] = []
                for attempt in 0..<20 {
                    try await APipeline.insert(Self.rollouts(1, prefix: "after-config-\(attempt)-"), client)
                    let seen = try await APipeline.eventually(timeout: .seconds(120)) {
                        try await APipeline.count("SELECT count(*) FROM cloudevents_raw c WHERE NOT EXISTS (SELECT 1 FROM cdevents_raw d WHERE d.origin_event_id = c.event_id)", client) == 0
                    }
                    #expect(seen, "row \(attempt) after the configuration change was not transformed")
                    perRow.append(try await APipeline.count(
                        "SELECT count(*) FROM cdevents_raw d JOIN cloudevents_raw c ON d.origin_event_id = c.event_id WHERE c.ce_subject LIKE '%after-config-\(attempt)-%'", client))
                    if perRow.last == 2 { break }
                }
                // Once the new rules are in use they stay in use: rows before may have had all three CDEvents, from
                // then on only service.deployed and incident.resolved (deployment-rollout-resolved).
                #expect(perRow.last == 2, "the configuration change was never picked up: \(perRow)")
                #expect(perRow.dropLast().allSatisfy { $0 == 3 }, "\(perRow)")
                try await APipeline.insert(Self.rollouts(1, prefix: "after-reload-"), client)
                #expect(try await APipeline.eventually(timeout: .seconds(120)) {
                    try await APipeline.count("SELECT count(*) FROM cloudevents_raw c WHERE NOT EXISTS (SELECT 1 FROM cdevents_raw d WHERE d.origin_event_id = c.event_id)", client) == 0
                })
                #expect(try await APipeline.count(
                    "SELECT count(*) FROM cdevents_raw d JOIN cloudevents_raw c ON d.origin_event_id = c.event_id WHERE c.ce_subject LIKE '%after-reload-%'", client) == 2)
            }
        }
    }

    @Test func aDeadDatabaseIsSurvivedAndNothingIsLost() async throws {
        try await TestDatabase.withFreshDatabase { client, url in
            try await APipeline.installExamples(client)
            var components = try #require(URLComponents(string: url))
            let proxy = try await OutageProxy(targetHost: components.host ?? "127.0.0.1", targetPort: components.port ?? 5432)
            components.port = proxy.port
            let proxied = try #require(components.string)
            var configuration = TransformStage.Configuration()
            configuration.pollInterval = .milliseconds(200)
            configuration.retryBackoff.maximum = .milliseconds(500)
            configuration.stallTimeout = .seconds(10)
            let settings = configuration
            try await TestDatabase.withClient(url: proxied) { pipelineClient in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await TransformStage(client: pipelineClient, configuration: settings, logger: APipeline.logger).run() }
                    defer { group.cancelAll() }
                    try await APipeline.insert(Self.rollouts(10, prefix: "before"), client)
                    #expect(try await APipeline.eventually { try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == 30 })
                    proxy.cut()
                    try await APipeline.insert(Self.rollouts(10, prefix: "during"), client)
                    // The stage has met the outage (a connection attempt was refused) before the database returns.
                    #expect(try await APipeline.eventually(timeout: .seconds(120)) { proxy.refusedConnections > 0 })
                    #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == 30)
                    proxy.restore()
                    #expect(try await APipeline.eventually(timeout: .seconds(120)) {
                        try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == 60
                    })
                }
            }
            await proxy.shutdown()
            try await Self.expectExactlyOnce(client, events: 20)
        }
    }

    @Test func transformCountersArePublishedWhenTheyChange() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            let publisher = TransformStatusRecorder()
            var configuration = TransformStage.Configuration()
            configuration.statusInterval = .milliseconds(100)
            let settings = configuration
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await TransformStage(client: client, configuration: settings, statusPublisher: publisher, logger: APipeline.logger).run()
                }
                defer { group.cancelAll() }
                try await APipeline.insert(Self.rollouts(3), client)
                #expect(try await APipeline.eventually { publisher.latest["pacer-system/deployment-service-deployed"]?.produced == 3 })
                let calls = publisher.calls
                // A negative assertion needs an observation window: four status intervals (100 ms each) pass with
                // nothing changed. Not synchronisation: nothing is waited for, and a slow machine only makes the
                // window cover fewer ticks (the check can then miss a bug, never fail a correct stage).
                try await Task.sleep(for: .milliseconds(400))
                #expect(publisher.calls == calls, "unchanged counters are not published again")
                try await APipeline.insert(Self.rollouts(1, prefix: "more"), client)
                #expect(try await APipeline.eventually { publisher.latest["pacer-system/deployment-service-deployed"]?.produced == 4 })
            }
        }
    }
}

/// Records what the pipeline publishes.
final class TransformStatusRecorder: TransformStatusPublishing {
    private let state = Mutex<(latest: [String: TransformStatusUpdate], calls: Int)>(([:], 0))
    var latest: [String: TransformStatusUpdate] { state.withLock { $0.latest } }
    var calls: Int { state.withLock { $0.calls } }

    func publish(namespace: String, name: String, status: TransformStatusUpdate) async throws {
        state.withLock {
            $0.latest["\(namespace)/\(name)"] = status
            $0.calls += 1
        }
    }
}
