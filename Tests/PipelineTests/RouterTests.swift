import EventModel
import EventStore
import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import Pipeline
import PostgresNIO
import TestSupport
import Testing

@Suite("Router + transformer against PostgreSQL", .enabled(if: TestDatabase.enabled), .timeLimit(.minutes(5)))
struct RouterTests {
    @Test func defaultPipelineTurnsDeploymentEventsIntoTheRightCDEvents() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            let events = [
                APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: "cart", revision: 1, extra: ["commitTime": nil]),
                APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: "web", extra: ["previousRevision": 1, "rollback": false]),
                APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: "api", revision: 3, extra: ["previousRevision": 2, "rollback": true, "commit": ""]),
                APipeline.deploymentEvent("dev.pacer.deployment.rollout.failed", name: "db", extra: ["commitTime": nil]),
                APipeline.deploymentEvent("dev.pacer.deployment.availability.restored", name: "db", id: "uid-db/availability.restored/x"),
                APipeline.deploymentEvent("dev.pacer.deployment.revision", name: "cart", revision: 5),
            ]
            try await APipeline.insert(events, client)
            let pipeline = TransformStage(client: client, logger: APipeline.logger)
            #expect(try await pipeline.drain() == events.count)

            var byType: [String: [JSONValue]] = [:]
            for event in try await APipeline.cdEvents(client) {
                byType[event["context"]?["type"]?.stringValue ?? "", default: []].append(event)
            }
            // The failed rollout of db is a deployment (outcome failed) and an incident naming it; each of the three
            // completed rollouts resolves its Deployment's failed-rollout incident (none open: ignored by the
            // calculator), and the restored availability resolves db's availability incident.
            #expect(byType.mapValues(\.count) == [
                "dev.cdevents.service.deployed.0.3.0": 2, "dev.cdevents.service.upgraded.0.3.0": 1, "dev.cdevents.service.rolledback.0.3.0": 1,
                "dev.cdevents.change.merged.0.3.0": 1, "dev.cdevents.incident.detected.0.3.0": 1, "dev.cdevents.incident.resolved.0.3.0": 4,
            ])
            let failedDeployment = try #require(byType["dev.cdevents.service.deployed.0.3.0"]?.first { $0["customData"]?["outcome"] == "failed" })
            #expect(failedDeployment["subject"]?["id"] == "shop/db")
            let deployed = try #require(byType["dev.cdevents.service.deployed.0.3.0"]?.first { $0["customData"]?["outcome"] == nil })
            #expect(deployed["subject"]?["id"] == "shop/cart")
            #expect(deployed["customData"]?["app"] == "cart")
            #expect(deployed["customData"]?["environment"] == "production")
            #expect(deployed["customData"]?["namespace"] == "shop")
            let merged = try #require(byType["dev.cdevents.change.merged.0.3.0"]?.first)
            #expect(merged["subject"]?["id"] == "4f2c9e1")
            #expect(merged["customData"]?["app"] == "web")
            #expect(merged["context"]?["timestamp"] == "2026-11-20T09:00:00Z")
            let detected = try #require(byType["dev.cdevents.incident.detected.0.3.0"]?.first)
            #expect(detected["subject"]?["id"] == "shop/db/rollout")
            let resolved = byType["dev.cdevents.incident.resolved.0.3.0"] ?? []
            #expect(Set(resolved.compactMap { $0["subject"]?["id"]?.stringValue }) == ["shop/cart/rollout", "shop/web/rollout", "shop/api/rollout", "shop/db"])
            #expect(detected["subject"]?["content"]?["description"] == "rollout failed")

            // Lineage and the seed's columns.
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE origin_event_id IS NULL OR origin_transform IS NULL", client) == 0)
            #expect(try await APipeline.count(
                "SELECT count(*) FROM cdevents_raw WHERE origin_transform = 'pacer-system/deployment-change-merged' AND cd_subject_id = '4f2c9e1'", client) == 1)
            #expect(try await APipeline.count("SELECT produced FROM pipeline_transform_stats WHERE name = 'deployment-service-deployed'", client) == 1)
            #expect(try await APipeline.count("SELECT count(*) FROM pipeline_errors", client) == 0)
            try await APipeline.validateWithSchemas(try await APipeline.cdEvents(client))
        }
    }

    @Test func passThroughRoutesEmitValidCDEvents() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client, files: ["cdevents-passthrough.yaml"])
            let legacy: JSONValue = [
                "context": ["version": "0.4.1", "id": "x1", "source": "/ci", "type": "dev.cdevents.service.deployed.0.2.0",
                            "timestamp": "2026-11-21T08:00:00Z"],
                "subject": ["id": "svc/cart", "source": "/ci", "type": "service",
                            "content": ["environment": ["id": "production"], "artifactId": "pkg:oci/cart@sha256:ab"]],
            ]
            try await APipeline.insert(
                [CloudEvent(id: "x1", source: "/ci", type: "dev.cdevents.service.deployed.0.2.0", time: "2026-11-21T08:00:00Z", data: .json(legacy))],
                client)
            #expect(try await TransformStage(client: client, logger: APipeline.logger).drain() == 1)
            let stored = try await APipeline.cdEvents(client)
            #expect(stored.count == 1)
            #expect(stored.first?["context"]?["type"] == "dev.cdevents.service.deployed.0.3.0")
            try await APipeline.validateWithSchemas(stored)
        }
    }

    @Test func brokenTransformsAndRoutesAreRecordedAndTheRestFlows() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            // A second route for completed rollouts whose transform fails on events without `data.owner`.
            let broken = CDEventTransformSpec(
                output: .init(type: "dev.cdevents.service.deployed.0.3.0"),
                subject: .init(id: "data.owner", content: ["environment": ["id": "data.environment"], "artifactId": "\"pkg:generic/x\""]))
            try await config.upsert(.cdEventTransforms, APipeline.row("broken", try JSONValue(encoding: broken)))
            let routes: [(String, EventRouteSpec)] = [
                ("to-broken", EventRouteSpec(filters: nil, when: "type == 'dev.pacer.deployment.rollout.completed'", transforms: ["broken"])),
                ("when-fails", EventRouteSpec(filters: nil, when: "data.nope == 1", transforms: ["deployment-service-deployed"])),
                ("to-missing", EventRouteSpec(filters: nil, when: "type == 'dev.pacer.deployment.rollout.failed'", transforms: ["absent"])),
            ]
            for (name, spec) in routes { try await config.upsert(.eventRoutes, APipeline.row(name, try JSONValue(encoding: spec))) }

            let completed = (1...5).map { APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", name: "app\($0)", revision: 1) }
            let failed = APipeline.deploymentEvent("dev.pacer.deployment.rollout.failed", name: "db")
            let withOwner = APipeline.deploymentEvent(
                "dev.pacer.deployment.rollout.completed", name: "owned", revision: 1, extra: ["owner": "team-x"])
            try await APipeline.insert(completed + [failed, withOwner], client)
            #expect(try await TransformStage(client: client, logger: APipeline.logger).drain() == 7)

            // Every completed rollout still became service.deployed (+ change.merged); the failure an incident.
            #expect(try await APipeline.count(
                "SELECT count(*) FROM cdevents_raw WHERE origin_transform = 'pacer-system/deployment-service-deployed'", client) == 6)
            #expect(try await APipeline.count(
                "SELECT count(*) FROM cdevents_raw WHERE origin_transform = 'pacer-system/deployment-rollout-incident'", client) == 1)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE origin_transform = 'pacer-system/broken'", client) == 1)
            // The transform's failures: counted and recorded, naming the field and the event.
            #expect(try await APipeline.count("SELECT failed FROM pipeline_transform_stats WHERE name = 'broken'", client) == 5)
            #expect(try await APipeline.count("SELECT produced FROM pipeline_transform_stats WHERE name = 'broken'", client) == 1)
            #expect(try await APipeline.count(
                """
                SELECT count(*) FROM pipeline_errors WHERE stage = 'transform' AND component = 'pacer-system/broken'
                AND message LIKE 'spec.subject.id:%owner%' AND event_id IS NOT NULL AND ce_id LIKE 'uid-app%'
                """, client) == 5)
            #expect(try await APipeline.count(
                "SELECT count(*) FROM pipeline_transform_stats WHERE name = 'broken' AND last_error LIKE 'spec.subject.id%' AND last_error_event LIKE 'uid-app%'",
                client) == 1)
            // The failing `when` is recorded per event (component = the route); the missing transform is not an
            // error of the event (it waits for the transform: RouteCatchUpTests).
            #expect(try await APipeline.count(
                "SELECT count(*) FROM pipeline_errors WHERE stage = 'route' AND component = 'pacer-system/when-fails' AND message LIKE 'spec.when:%'",
                client) == 7)
            #expect(try await APipeline.count(
                """
                SELECT count(*) FROM pipeline_errors WHERE component = 'pacer-system/to-missing'
                """, client) == 0)
        }
    }

    @Test func aTransformThatIsNotReadyIsNotUsedUntilItIsFixed() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await APipeline.installExamples(client)
            let config = PostgresConfigStore(client: client, logger: TestDatabase.logger)
            var row = try #require(try APipeline.exampleRows().transforms.first { $0.name == "deployment-service-deployed" })
            row.ready = false
            row.message = "spec.subject.id: 1:1: unexpected token"
            try await config.upsert(.cdEventTransforms, row)
            try await APipeline.insert([APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", revision: 1)], client)
            #expect(try await TransformStage(client: client, logger: APipeline.logger).drain() == 1)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE cd_type LIKE '%service.deployed%'", client) == 0)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE cd_type LIKE '%change.merged%'", client) == 1)
            #expect(try await APipeline.count("SELECT count(*) FROM pipeline_errors", client) == 0)
            // Fixed (generation 2, Ready): the rollout's service.deployed is written now, once.
            row.ready = true
            row.message = nil
            row.generation = 2
            try await config.upsert(.cdEventTransforms, row)
            _ = try await TransformStage(client: client, logger: APipeline.logger).drain()
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE cd_type LIKE '%service.deployed%'", client) == 1)
            #expect(try await APipeline.count("SELECT count(*) FROM cdevents_raw WHERE cd_type LIKE '%change.merged%'", client) == 1)
        }
    }
}
