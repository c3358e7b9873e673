import EventStore
import Foundation
import PacerCore
import Pipeline
import TestSupport
import Testing

/// Knative ApiServerSource CloudEvents through the default pipeline (examples/apiserversource.yaml): core `Event`s
/// about a Deployment, as the seed tutorial watched, and Deployments themselves in Resource mode, where every status
/// change is an `update` and `spec.id` keeps one CDEvent per revision.
@Suite("ApiServerSource events")
struct ApiServerSourceTests {
    static func router() throws -> EventRouter {
        let rows = try APipeline.exampleRows(["apiserversource.yaml"])
        #expect(rows.routes.count == 2 && rows.transforms.count == 2 && (rows.routes + rows.transforms).allSatisfy(\.ready))
        return EventRouter(rules: RouteTable(routeRows: rows.routes, transformRows: rows.transforms))
    }

    static func record(_ id: Int64, type: String, data: JSONValue) -> RawCloudEventRecord {
        let event: JSONValue = [
            "specversion": "1.0", "id": .string("ce-\(id)"), "source": "https://10.96.0.1:443",
            "type": .string("dev.knative.apiserver.resource.\(type)"), "time": "2026-11-21T10:00:00Z",
            "datacontenttype": "application/json", "data": data,
        ]
        return RawCloudEventRecord(eventId: id, xid: 1, storedAt: Date(), content: event.jsonString())
    }

    static func deployment(revision: Int, completed: Bool) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "shop", "uid": "u-1",
                         "annotations": ["deployment.kubernetes.io/revision": .string(String(revision))]],
            "spec": ["replicas": 2],
            "status": ["conditions": [
                ["type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"],
                ["type": "Progressing", "status": "True", "reason": completed ? "NewReplicaSetAvailable" : "ReplicaSetUpdated"],
            ]],
        ]
    }

    @Test func coreEventsAboutDeploymentsBecomeServiceDeployed() throws {
        let involved: JSONValue = ["kind": "Deployment", "name": "web", "namespace": "shop", "uid": "u-1"]
        let output = try Self.router().process([
            Self.record(1, type: "add", data: ["kind": "Event", "reason": "ScalingReplicaSet", "involvedObject": involved]),
            Self.record(2, type: "add", data: ["kind": "Event", "reason": "Pulled", "involvedObject": ["kind": "Pod", "name": "web-1"]]),
        ])
        #expect(output.produced.count == 1)
        let event = try JSONValue.parse(output.produced.first?.row.content ?? "")
        #expect(event["context"]?["type"]?.stringValue == "dev.cdevents.service.deployed.0.3.0")
        #expect(event["subject"]?["id"]?.stringValue == "web")
        #expect(event["subject"]?["content"]?["artifactId"]?.stringValue == "pkg:pkg/shop/web@u-1")
        #expect(output.failures.isEmpty)
    }

    @Test func deploymentUpdatesGiveOneCDEventPerCompletedRevision() async throws {
        let output = try Self.router().process([
            Self.record(10, type: "add", data: Self.deployment(revision: 1, completed: true)),
            Self.record(11, type: "update", data: Self.deployment(revision: 1, completed: true)),  // a status resync
            Self.record(12, type: "update", data: Self.deployment(revision: 2, completed: false)),  // rolling out
            Self.record(13, type: "update", data: Self.deployment(revision: 2, completed: true)),
            Self.record(14, type: "update", data: Self.deployment(revision: 2, completed: true)),
        ])
        #expect(output.failures.isEmpty, "\(output.failures)")
        // Five CloudEvents, four matching; the ids collapse them to one CDEvent per revision.
        let ids = output.produced.map(\.row.id)
        #expect(ids.count == 4)
        #expect(Set(ids).count == 2)
        let events = try output.produced.map { try JSONValue.parse($0.row.content) }
        #expect(Set(events.compactMap { $0["customData"]?["revision"]?.stringValue }) == ["1", "2"])
        try await APipeline.validateWithSchemas(events)
    }
}
