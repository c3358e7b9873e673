import EventModel
import EventStore
import Foundation
import PacerRules
import PacerCore
import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// A route that appears, changes or becomes usable after its events were stored still routes them (the stage's
/// catch-up, docs/pipeline.md "Routes that arrive after their events"), exactly once.
@Suite("Routes catch up with the events stored before them", .enabled(if: TestDatabase.enabled), .timeLimit(.minutes(5)))
struct RouteCatchUpTests {
    static let transformSpec: JSONValue = [
        "output": ["type": "dev.cdevents.service.deployed.0.3.0"],
        "subject": [
            "id": "data.app",
            "content": ["environment": ["id": "'production'"], "artifactId": "'pkg:generic/' + data.app"],
        ],
    ]

    static func route(when: String = "true", transform: String = "deployed") -> JSONValue {
        ["filters": [["exact": ["type": "dev.acme.deploy"]]], "when": .string(when), "transforms": [.string(transform)]]
    }

    static func event(_ id: String, app: String) -> CloudEvent {
        CloudEvent(id: id, source: "/ci", type: "dev.acme.deploy", time: "2026-11-21T10:00:00Z", data: .json(["app": .string(app)]))
    }

    static func row(_ name: String, _ spec: JSONValue, generation: Int64 = 1, ready: Bool = true) -> ConfigRecord {
        ConfigRecord(namespace: "team-a", name: name, uid: "uid-\(name)", generation: generation, spec: spec, ready: ready, message: ready ? nil : "invalid")
    }

    static func subjects(_ client: PostgresClient) async throws -> [String] {
        try await APipeline.cdEvents(client).compactMap { $0["subject"]?["id"]?.stringValue }.sorted()
    }

    @Test func aRouteCreatedAfterItsEventsRoutesThemOnce() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            let stage = TransformStage(client: client, logger: APipeline.logger)
            // Two events with no route at all: consumed, nothing produced.
            try await APipeline.insert([Self.event("e1", app: "cart"), Self.event("e2", app: "web")], client)
            #expect(try await stage.drain() == 2)
            #expect(try await Self.subjects(client) == [])

            // The route and its transform arrive: both stored events are routed through it (2 CDEvents), and an
            // event stored afterwards by the live pass (1 more): 3, each once.
            try await config.upsert(.cdEventTransforms, Self.row("deployed", Self.transformSpec))
            try await config.upsert(.eventRoutes, Self.row("deploys", Self.route()))
            try await APipeline.insert([Self.event("e3", app: "api")], client)
            #expect(try await stage.drain() == 1)
            #expect(try await Self.subjects(client) == ["api", "cart", "web"])
            #expect(try await APipeline.count("SELECT matched FROM pipeline_route_stats WHERE name = 'deploys'", client) == 3)
            #expect(try await APipeline.count("SELECT produced FROM pipeline_transform_stats WHERE name = 'deployed'", client) == 3)
            #expect(try await APipeline.count("SELECT count(*) FROM pipeline_route_catchups WHERE finished_at IS NULL", client) == 0)

            // A second stage instance (a restart) with the same configuration has nothing to catch up.
            #expect(try await TransformStage(client: client, logger: APipeline.logger).drain() == 0)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == 3)
            #expect(try await APipeline.count("SELECT matched FROM pipeline_route_stats WHERE name = 'deploys'", client) == 3)
        }
    }

    @Test func aChangedRouteAppliesToEarlierEventsWithoutDuplicates() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            let stage = TransformStage(client: client, logger: APipeline.logger)
            try await config.upsert(.cdEventTransforms, Self.row("deployed", Self.transformSpec))
            try await config.upsert(.eventRoutes, Self.row("deploys", Self.route(when: "data.app == 'cart'")))
            try await APipeline.insert([Self.event("e1", app: "cart"), Self.event("e2", app: "web")], client)
            #expect(try await stage.drain() == 2)
            #expect(try await Self.subjects(client) == ["cart"])

            // Generation 2 also takes web: e2 is routed now; e1's CDEvent has the same id and is not written again.
            try await config.upsert(.eventRoutes, Self.row("deploys", Self.route(when: "data.app in ['cart', 'web']"), generation: 2))
            _ = try await stage.drain()
            #expect(try await Self.subjects(client) == ["cart", "web"])
            #expect(try await APipeline.count("SELECT produced FROM pipeline_transform_stats WHERE name = 'deployed'", client) == 2)

            // Deleted, then created again: a new catch-up, still no duplicate.
            _ = try await config.delete(.eventRoutes, namespace: "team-a", name: "deploys")
            _ = try await stage.drain()
            try await config.upsert(.eventRoutes, Self.row("deploys", Self.route(when: "data.app in ['cart', 'web']"), generation: 1))
            _ = try await stage.drain()
            #expect(try await Self.subjects(client) == ["cart", "web"])
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == 2)
        }
    }

    @Test func aTransformThatBecomesReadyTransformsTheEventsItMissed() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            let stage = TransformStage(client: client, logger: APipeline.logger)
            // The route is there but its transform is not Ready: the event waits (no error, nothing produced).
            try await config.upsert(.cdEventTransforms, Self.row("deployed", Self.transformSpec, ready: false))
            try await config.upsert(.eventRoutes, Self.row("deploys", Self.route()))
            try await APipeline.insert([Self.event("e1", app: "cart")], client)
            #expect(try await stage.drain() == 1)
            #expect(try await Self.subjects(client) == [])
            #expect(try await APipeline.count("SELECT count(*) FROM pipeline_errors", client) == 0)

            // The transform is fixed (generation 2, Ready): the route's version changed, so e1 is transformed now.
            try await config.upsert(.cdEventTransforms, Self.row("deployed", Self.transformSpec, generation: 2))
            _ = try await stage.drain()
            #expect(try await Self.subjects(client) == ["cart"])
        }
    }

    @Test func aCatchUpLongerThanOneBatchIsCompleteAndInOrder() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            let stage = TransformStage(client: client, configuration: .init(batchSize: 7), logger: APipeline.logger)
            // 50 events in 5 transactions before any route: the catch-up takes ceil(50 / 7) = 8 batches.
            for group in 0..<5 {
                try await APipeline.insert((0..<10).map { Self.event("e\(group)-\($0)", app: "app\(group * 10 + $0)") }, client)
            }
            #expect(try await stage.drain() == 50)
            try await config.upsert(.cdEventTransforms, Self.row("deployed", Self.transformSpec))
            try await config.upsert(.eventRoutes, Self.row("deploys", Self.route()))
            _ = try await stage.drain()
            #expect(try await APipeline.count("SELECT count(DISTINCT cd_subject_id) FROM cdevents_raw", client) == 50)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw", client) == 50)
            #expect(try await APipeline.count("SELECT matched FROM pipeline_route_stats WHERE name = 'deploys'", client) == 50)
            // The CDEvents were written in the CloudEvents' commit order (one transaction per catch-up batch).
            let order = try await APipeline.count(
                """
                SELECT count(*) FROM (SELECT origin_event_id, lag(origin_event_id) OVER (ORDER BY seq) AS previous FROM cdevents_raw) o
                WHERE previous > origin_event_id
                """, client)
            #expect(order == 0)
        }
    }
}
