import EventModel
import EventStore
import Foundation
import PacerCore
import PacerRules
import Pipeline
import Testing

/// The cluster of the CDEvents the router produces (docs/metrics.md, "Clusters"), without a database.
@Suite("EventRouter: the cluster of produced CDEvents")
struct ClusterRouterTests {
    static func clusters(_ event: CloudEvent, customData: String?, routerCluster: String) throws -> [String?] {
        let rules = try NamespaceScopeRouterTests.rules([("pacer-system", true, customData)])
        let output = EventRouter(rules: rules, clusterName: routerCluster).process([RouterUnitTests.record(event, id: 1)])
        return try output.produced.map { try JSONValue.parse($0.row.content)[path: ["customData", "cluster"]]?.stringValue }
    }

    @Test("the CloudEvent's cluster attribute, else the receiving Pacer's cluster; a transform that names one keeps it")
    func clusterOfProducedCDEvents() throws {
        var fromAgent = NamespaceScopeRouterTests.external
        fromAgent.extensions["cluster"] = "eu-1"
        // An agent's event: its cluster, whatever the receiving Pacer is called.
        #expect(try Self.clusters(fromAgent, customData: "{\"app\": \"web\"}", routerCluster: "hub") == ["eu-1"])
        // A CI system's event names no cluster: the receiving Pacer's.
        #expect(try Self.clusters(NamespaceScopeRouterTests.external, customData: nil, routerCluster: "hub") == ["hub"])
        // A transform that writes customData.cluster decides.
        #expect(try Self.clusters(fromAgent, customData: "{\"cluster\": \"us-2\"}", routerCluster: "hub") == ["us-2"])
        // customData that is not an object cannot carry one: left as the transform wrote it.
        #expect(try Self.clusters(fromAgent, customData: "\"text\"", routerCluster: "hub") == [nil])
    }

    @Test("CDEvent.inCluster sets customData.cluster only when none is named")
    func inCluster() throws {
        let event = try CDEvent(json: [
            "context": ["specversion": "0.5.1", "id": "1", "source": "/ci", "type": "dev.cdevents.service.deployed.0.3.0", "timestamp": "2026-02-27T10:00:00Z"],
            "subject": ["id": "web", "content": ["environment": ["id": "production"], "artifactId": "pkg:generic/web@1"]],
        ])
        #expect(event.inCluster("hub").cluster == "hub")
        #expect(event.inCluster("hub").inCluster("other").cluster == "hub")
        #expect(event.inCluster("").cluster == nil)
    }
}
