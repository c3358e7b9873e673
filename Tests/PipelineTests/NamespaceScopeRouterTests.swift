import EventModel
import EventStore
import Foundation
import PacerCore
import PacerRules
import Pipeline
import Testing

/// `EventRouter` under namespace isolation (docs/security.md, "Namespace isolation"), without a database: which
/// events a namespaced route sees, and the namespace its CDEvents carry.
@Suite("EventRouter: namespaced routes and transforms")
struct NamespaceScopeRouterTests {
    /// A transform that claims another namespace in its customData (what a team must not be able to do).
    static func transform(customData: String?) -> CDEventTransformSpec {
        CDEventTransformSpec(
            output: .init(type: "dev.cdevents.service.deployed.0.3.0"),
            subject: .init(id: "\"web\"", content: ["environment": ["id": "\"production\""], "artifactId": "\"pkg:generic/web@1\""]),
            customData: customData)
    }

    static func rules(_ entries: [(namespace: String, clusterWide: Bool, customData: String?)]) throws -> RouteTable {
        var routes: [ConfigRecord] = []
        var transforms: [ConfigRecord] = []
        for entry in entries {
            var route = APipeline.row("all", try JSONValue(encoding: EventRouteSpec(transforms: ["deploy"])), namespace: entry.namespace)
            route.clusterWide = entry.clusterWide
            routes.append(route)
            var transform = APipeline.row("deploy", try JSONValue(encoding: Self.transform(customData: entry.customData)), namespace: entry.namespace)
            transform.clusterWide = entry.clusterWide
            transforms.append(transform)
        }
        return RouteTable(routeRows: routes, transformRows: transforms)
    }

    /// An event of no workload, as a CI system posts it.
    static let external = CloudEvent(
        id: "run-1", source: "https://ci.example/acme/web", type: "com.example.ci.deployed", datacontenttype: "application/json",
        time: "2026-02-27T10:00:00Z", data: .json(["app": "web"]))

    @Test("a workload's namespace is read from Pacer's workload sources and from ApiServerSource events; others have none")
    func workloadNamespace() {
        #expect(APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", namespace: "team-a").workloadNamespace == "team-a")
        let core = CloudEvent(id: "1", source: "/k8s/prod/api/v1/namespaces/team-b/pods/p", type: "x")
        #expect(core.workloadNamespace == "team-b")
        // A cluster named "namespaces" is not a namespace.
        #expect(CloudEvent(id: "1", source: "/k8s/namespaces", type: "x").workloadNamespace == nil)
        #expect(Self.external.workloadNamespace == nil)
        let apiServer = CloudEvent(
            id: "2", source: "https://10.96.0.1:443", type: "dev.knative.apiserver.resource.update",
            data: .json(["metadata": ["name": "web", "namespace": "team-c"]]))
        #expect(apiServer.workloadNamespace == "team-c")
        let reference = CloudEvent(
            id: "3", source: "https://10.96.0.1:443", type: "dev.knative.apiserver.ref.add",
            data: .json(["involvedObject": ["name": "web", "namespace": "team-d"]]))
        #expect(reference.workloadNamespace == "team-d")
    }

    @Test("a namespaced route sees its own namespace's workloads and external events, never another namespace's workloads")
    func routesSeeTheirNamespace() throws {
        let rules = try Self.rules([("pacer-system", true, nil), ("team-a", false, nil), ("team-b", false, nil)])
        let router = EventRouter(rules: rules)
        let workload = router.process([RouterUnitTests.record(APipeline.deploymentEvent("dev.pacer.deployment.rollout.completed", namespace: "team-a"), id: 1)])
        #expect(workload.produced.map(\.originTransform).sorted() == ["pacer-system/deploy", "team-a/deploy"])
        #expect(workload.routeMatches.keys.sorted() == ["pacer-system/all", "team-a/all"])
        let external = router.process([RouterUnitTests.record(Self.external, id: 2)])
        #expect(external.produced.map(\.originTransform).sorted() == ["pacer-system/deploy", "team-a/deploy", "team-b/deploy"])
    }

    @Test("a namespaced transform's CDEvents carry its namespace whatever it writes; a customData string fails there only")
    func namespaceIsSetByPacer() throws {
        let claims = "{\"app\": \"web\", \"namespace\": \"team-a\"}"
        let rules = try Self.rules([("pacer-system", true, claims), ("team-b", false, claims), ("team-c", false, nil)])
        let output = EventRouter(rules: rules).process([RouterUnitTests.record(Self.external, id: 1)])
        var namespaces: [String: String] = [:]
        for produced in output.produced {
            let content = try JSONValue.parse(produced.row.content)
            namespaces[produced.originTransform] = content[path: ["customData", "namespace"]]?.stringValue
            if produced.originTransform == "team-b/deploy" { #expect(content[path: ["customData", "app"]]?.stringValue == "web") }
        }
        // The cluster-wide transform keeps what it wrote; team-b's claim of team-a is replaced; team-c wrote nothing.
        #expect(namespaces == ["pacer-system/deploy": "team-a", "team-b/deploy": "team-b", "team-c/deploy": "team-c"])

        let strings = try Self.rules([("pacer-system", true, "\"text\""), ("team-b", false, "\"text\"")])
        let failed = EventRouter(rules: strings).process([RouterUnitTests.record(Self.external, id: 2)])
        #expect(failed.produced.map(\.originTransform) == ["pacer-system/deploy"])
        #expect(failed.transformFailures == ["team-b/deploy": 1])
        #expect(failed.failures.first?.message.contains("Pacer sets customData.namespace to team-b") == true)
    }
}
