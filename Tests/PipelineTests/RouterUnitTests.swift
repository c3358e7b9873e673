import EventModel
import EventStore
import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import Pipeline
import Testing

/// `EventRouter` over in-memory rows: namespaces, duplicates, ordering of failures.
@Suite("EventRouter without a database")
struct RouterUnitTests {
    static func record(_ event: CloudEvent, id: Int64) -> RawCloudEventRecord {
        RawCloudEventRecord(eventId: id, xid: 1, storedAt: Date(timeIntervalSince1970: 1_800_000_000), content: CloudEventRow(event).content)
    }

    static let transform = CDEventTransformSpec(
        output: .init(type: "dev.cdevents.service.deployed.0.3.0"),
        subject: .init(id: "data.name", content: ["environment": ["id": "data.environment"], "artifactId": "\"pkg:generic/\" + data.name"]))

    static func rules(routes: [(String, String, EventRouteSpec)], transforms: [(String, String)]) throws -> RouteTable {
        RouteTable(
            routeRows: try routes.map { APipeline.row($0.1, try JSONValue(encoding: $0.2), namespace: $0.0) },
            transformRows: try transforms.map { APipeline.row($0.1, try JSONValue(encoding: Self.transform), namespace: $0.0) })
    }

    @Test func aTransformNamedTwiceForOneEventRunsOnceAndRoutesStayInTheirNamespace() throws {
        let rules = try Self.rules(
            routes: [
                ("team-a", "one", EventRouteSpec(transforms: ["deploy"])),
                ("team-a", "two", EventRouteSpec(when: "has(data.name)", transforms: ["deploy"])),
                ("team-b", "other", EventRouteSpec(transforms: ["deploy"])),
            ],
            transforms: [("team-a", "deploy")])
        let event = APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed")
        let output = EventRouter(rules: rules).process([Self.record(event, id: 7)])
        #expect(output.produced.map(\.originTransform) == ["team-a/deploy"])
        #expect(output.produced.first?.originEventId == 7)
        #expect(output.routed == 1 && output.unrouted == 0)
        // team-b has no transform "deploy": not borrowed from team-a; the event waits for it (not an error).
        #expect(output.failures.isEmpty)
        #expect(output.waiting == ["team-b/other": EventRouter.Waiting(events: 1, reason: "CDEventTransform team-b/deploy does not exist")])
    }

    @Test func unmatchedEventsAreCountedAndProduceNothing() throws {
        let rules = try Self.rules(
            routes: [("ns", "r", EventRouteSpec(when: "type == 'dev.pacer.deployment.rollout.failed'", transforms: ["deploy"]))],
            transforms: [("ns", "deploy")])
        let output = EventRouter(rules: rules).process([Self.record(APipeline.deploymentEvent("dev.pacer.deployment.revision"), id: 1)])
        #expect(output.produced.isEmpty && output.failures.isEmpty)
        #expect(output.unrouted == 1)
    }

    @Test func slicedProcessingGivesTheSameResultAsOnePass() async throws {
        let rules = try Self.rules(routes: [("ns", "r", EventRouteSpec(transforms: ["deploy"]))], transforms: [("ns", "deploy")])
        let records = (0..<23).map { Self.record(APipeline.deploymentEvent("x", name: "app\($0)"), id: Int64($0)) }
        let router = EventRouter(rules: rules)
        let whole = router.process(records, now: Date(timeIntervalSince1970: 0))
        let sliced = await router.process(records, slice: 5, now: Date(timeIntervalSince1970: 0))
        #expect(sliced.produced.map(\.row.id) == whole.produced.map(\.row.id))
        #expect(sliced.produced.count == 23 && sliced.routed == 23)
    }
}
