import EventModel
import EventStore
import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import Testing

@testable import Pipeline

@Suite("CDEventTransform.apply and derived CDEvent ids")
struct TransformTests {
    static func compiled(_ spec: CDEventTransformSpec) throws -> CompiledTransform {
        try spec.compile().get()
    }

    static func examples() throws -> [String: CompiledTransform] {
        var transforms: [String: CompiledTransform] = [:]
        for row in try APipeline.exampleRows(["deployment-transforms.yaml", "cdevents-passthrough.yaml"]).transforms {
            transforms[row.name] = try row.spec.decode(as: CDEventTransformSpec.self).compile().get()
        }
        return transforms
    }

    static let deployedSpec = CDEventTransformSpec(
        output: .init(type: "dev.cdevents.service.deployed.0.3.0"),
        subject: .init(id: "data.name", content: ["environment": ["id": "data.environment"], "artifactId": "\"pkg:generic/\" + data.name"]),
        customData: "{\"app\": data.name}")

    @Test func derivedIdsAreStableUUIDsThatDependOnAllThreeParts() {
        let id = CDEventIdentity.id(cloudEventSource: "/k8s/a", cloudEventId: "e1", transform: "ns/t")
        #expect(id == CDEventIdentity.id(cloudEventSource: "/k8s/a", cloudEventId: "e1", transform: "ns/t"))
        #expect(UUID(uuidString: id) != nil)
        #expect(id == id.lowercased() && id.count == 36)
        let others = [
            CDEventIdentity.id(cloudEventSource: "/k8s/b", cloudEventId: "e1", transform: "ns/t"),
            CDEventIdentity.id(cloudEventSource: "/k8s/a", cloudEventId: "e2", transform: "ns/t"),
            CDEventIdentity.id(cloudEventSource: "/k8s/a", cloudEventId: "e1", transform: "ns/u"),
            // Concatenation-ambiguous triples differ too.
            CDEventIdentity.id(cloudEventSource: "/k8s/ae", cloudEventId: "1", transform: "ns/t"),
        ]
        #expect(Set(others + [id]).count == 5)
    }

    @Test func defaultTransformsBuildStrictV051Events() throws {
        let transforms = try Self.examples()
        let event = APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", extra: ["previousRevision": 1])
        let upgraded = try #require(transforms["deployment-service-upgraded"]).apply(to: event, transform: "pacer-system/deployment-service-upgraded")
        #expect(upgraded.context.specversion == "0.5.1")
        #expect(upgraded.context.type.description == "dev.cdevents.service.upgraded.0.3.0")
        #expect(upgraded.context.source == event.source)
        #expect(upgraded.context.timestamp.text == "2026-11-21T10:00:00.123Z")
        #expect(upgraded.context.id == CDEventIdentity.id(cloudEventSource: event.source, cloudEventId: event.id, transform: "pacer-system/deployment-service-upgraded"))
        #expect(upgraded.subject.id == "shop/cart")
        #expect(upgraded.subject.content["environment"] == ["id": "production", "source": "/k8s/prod-eu"])
        #expect(upgraded.subject.content["artifactId"] == "pkg:generic/shop/cart@1.4.0")
        #expect(upgraded.customData?["app"] == "cart")
        #expect(upgraded.customData?["environment"] == "production")
        #expect(upgraded.customData?["team"] == "shop")
        #expect(upgraded.validationErrors(.strict) == [])

        let merged = try #require(transforms["deployment-change-merged"]).apply(to: event, transform: "pacer-system/deployment-change-merged")
        #expect(merged.subject.id == "4f2c9e1")
        #expect(merged.context.timestamp.text == "2026-11-20T09:00:00Z")
        #expect(merged.subject.content["repository"] == ["id": "https://github.com/acme/cart"])
    }

    @Test func olderOutputVersionsAreEmittedAtTheirV051Version() throws {
        var spec = Self.deployedSpec
        spec.output.type = "dev.cdevents.service.deployed.0.1.1"
        let event = APipeline.deploymentEvent("x")
        let produced = try Self.compiled(spec).apply(to: event, transform: "ns/t")
        #expect(produced.context.type.description == "dev.cdevents.service.deployed.0.3.0")
    }

    @Test func passThroughLeavesOutOptionalContentTheEventDoesNotHave() throws {
        let transform = try #require(try Self.examples()["cdevents-incident-detected"])
        let cdevent: JSONValue = [
            "context": ["specversion": "0.5.1", "id": "i1", "source": "/pagerduty", "type": "dev.cdevents.incident.detected.0.3.0",
                        "timestamp": "2026-11-21T08:00:00+02:00"],
            "subject": ["id": "incident-7", "content": ["environment": ["id": "production"]]],
        ]
        let event = CloudEvent(id: "i1", source: "/pagerduty", type: "dev.cdevents.incident.detected.0.3.0", data: .json(cdevent))
        let produced = try transform.apply(to: event, transform: "pacer-system/cdevents-incident-detected")
        #expect(produced.subject.content.keys.sorted() == ["environment"])
        #expect(produced.context.timestamp.text == "2026-11-21T06:00:00Z")
        #expect(produced.customData == [:])
    }

    @Test func errorsNameTheField() throws {
        let event = APipeline.deploymentEvent("x")
        func failure(_ spec: CDEventTransformSpec, receivedAt: Date? = nil, on event: CloudEvent = event) throws -> TransformError? {
            let transform = try Self.compiled(spec)
            do {
                _ = try transform.apply(to: event, transform: "ns/t", receivedAt: receivedAt)
                return nil
            } catch {
                return error
            }
        }
        var spec = Self.deployedSpec
        spec.subject.id = "data.nope"
        let missingKey = try #require(try failure(spec))
        #expect(missingKey.kind == .evaluation && missingKey.field == "spec.subject.id")
        #expect(missingKey.description.contains("nope"), "\(missingKey)")

        spec = Self.deployedSpec
        spec.subject.id = "data.revision"
        let wrongType = try #require(try failure(spec))
        #expect(wrongType.kind == .wrongType && wrongType.field == "spec.subject.id")
        #expect(wrongType.description == "spec.subject.id: expected a string, got int (use string(...) to convert)")

        spec = Self.deployedSpec
        spec.customData = "data.revision"
        #expect(try failure(spec)?.field == "spec.customData")

        spec = Self.deployedSpec
        spec.timestamp = "data.name"
        let badTime = try #require(try failure(spec))
        #expect(badTime.kind == .badTimestamp && badTime.field == "spec.timestamp")

        spec = Self.deployedSpec
        spec.subject.content = ["environment": ["id": "data.environment"], "artifactId": "\"pkg:generic/x\"", "bogus": "'x'"]
        let invalid = try #require(try failure(spec))
        #expect(invalid.kind == .invalidCDEvent && invalid.field == "subject.content.bogus", "\(invalid)")

        spec = Self.deployedSpec
        spec.subject.content = ["environment": ["id": "data.nope"], "artifactId": "\"pkg:generic/x\""]
        #expect(try failure(spec)?.field == "spec.subject.content.environment.id")

        spec = Self.deployedSpec
        spec.subject.content = ["environment": ["id": "''"], "artifactId": "\"pkg:generic/x\""]
        #expect(try failure(spec)?.field == "subject.content.environment.id")

        var timeless = event
        timeless.time = nil
        let noTime = try #require(try failure(Self.deployedSpec, on: timeless))
        #expect(noTime.kind == .missing && noTime.field == "spec.timestamp")
        #expect(try failure(Self.deployedSpec, receivedAt: Date(timeIntervalSince1970: 1_700_000_000), on: timeless) == nil)
    }
}
