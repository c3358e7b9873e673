import Foundation
import KubeCore
import PacerCore
import Testing

@Suite("KubeCore wire types")
struct CoreTypesTests {
    @Test func resourcePaths() {
        #expect(ResourceDescriptor.deployments.path(namespace: "web") == "/apis/apps/v1/namespaces/web/deployments")
        #expect(ResourceDescriptor.deployments.path() == "/apis/apps/v1/deployments")
        #expect(ResourceDescriptor.deployments.path(namespace: "web", name: "api", subresource: "status") == "/apis/apps/v1/namespaces/web/deployments/api/status")
        #expect(ResourceDescriptor.namespaces.path(namespace: "ignored", name: "kube-system") == "/api/v1/namespaces/kube-system")
        #expect(ResourceDescriptor.events.path(namespace: "a") == "/api/v1/namespaces/a/events")
        #expect(ResourceDescriptor.leases.apiVersion == "coordination.k8s.io/v1")
    }

    @Test func deploymentDecodesIgnoringUnknownFields() throws {
        let json = """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"web","resourceVersion":"42","generation":3,
             "creationTimestamp":"2024-05-01T10:00:00Z","labels":{"app":"api"},"managedFields":[{"manager":"kubectl"}]},
             "spec":{"replicas":3,"selector":{"matchLabels":{"app":"api"}},"strategy":{"type":"RollingUpdate"},
              "template":{"metadata":{"labels":{"app":"api"},"annotations":{"pacer.dev/commit":"abc"}},
               "spec":{"containers":[{"name":"api","image":"api:1.2","ports":[{"containerPort":80}]}]}}},
             "status":{"observedGeneration":3,"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2,"unavailableReplicas":1,
              "conditions":[{"type":"Available","status":"False","reason":"MinimumReplicasUnavailable","lastUpdateTime":"2024-05-01T10:01:00Z"}],
              "collisionCount":0}}
            """
        let deployment = try JSONDecoder().decode(Deployment.self, from: Data(json.utf8))
        #expect(deployment.key == ObjectKey(namespace: "web", name: "api"))
        #expect(deployment.metadata.generation == 3)
        #expect(deployment.spec?.template?.spec?.containers?.first?.image == "api:1.2")
        #expect(deployment.spec?.template?.metadata?.annotations?["pacer.dev/commit"] == "abc")
        #expect(deployment.status?.unavailableReplicas == 1)
        #expect(deployment.status?.conditions?.first?.reason == "MinimumReplicasUnavailable")
        #expect(deployment.metadata.creationTimestamp?.description == "2024-05-01T10:00:00Z")
    }

    @Test func leaseTimesHaveSixFractionalDigits() throws {
        let date = try #require(RFC3339.parse("2024-05-01T10:00:00.5Z"))
        let lease = Lease(metadata: ObjectMeta(name: "l"), spec: .init(holderIdentity: "me", leaseDurationSeconds: 15, renewTime: MicroTime(date)))
        let json = String(decoding: try JSONEncoder().encode(lease), as: UTF8.self)
        #expect(json.contains("\"renewTime\":\"2024-05-01T10:00:00.500000Z\""))
        let back = try JSONDecoder().decode(Lease.self, from: Data(json.utf8))
        #expect(back.spec?.renewTime == MicroTime(date))
    }

    @Test func statusHelpers() throws {
        let status = try JSONDecoder().decode(Status.self, from: Data(#"{"kind":"Status","status":"Failure","reason":"Conflict","code":409,"message":"the object has been modified"}"#.utf8))
        #expect(status.isConflict)
        #expect(!status.isNotFound)
        #expect(Status(reason: "AlreadyExists", code: 409).isAlreadyExists)
        #expect(!Status(reason: "AlreadyExists", code: 409).isConflict)
        #expect(Status(reason: "Gone", code: 410).isGone)
    }

    @Test func labelSelectorString() {
        let selector = LabelSelector(.equals("app", "web"), .in("tier", ["a", "b"]), .doesNotExist("legacy"), .notEquals("env", "dev"))
        #expect(selector.description == "app=web,tier in (a,b),!legacy,env!=dev")
        #expect(selector.matches(["app": "web", "tier": "a", "env": "prod"]))
        #expect(!selector.matches(["app": "web", "tier": "a", "legacy": "1"]))
        #expect(!selector.matches(["app": "web", "tier": "c"]))
    }

    @Test func dynamicObjectKeepsUnknownMetadataWhenMetadataChanges() throws {
        var object = try DynamicObject(JSONValue.parse(#"{"apiVersion":"pacer.dev/v1alpha1","kind":"EventRoute","metadata":{"name":"r","namespace":"n","managedFields":[1]},"spec":{"x":1}}"#))
        #expect(object.key == ObjectKey(namespace: "n", name: "r"))
        object.metadata.labels = ["a": "b"]
        #expect(object.raw[path: ["metadata", "managedFields"]] == [1])
        #expect(object.raw[path: ["metadata", "labels", "a"]] == "b")
        object["status"] = ["ready": true]
        let decoded = try JSONDecoder().decode(DynamicObject.self, from: JSONEncoder().encode(object))
        #expect(decoded == object)
    }

    @Test func conditionsKeepTransitionTimeWhenStatusUnchanged() {
        let t1 = KubeTime(Date(timeIntervalSince1970: 1000))
        let t2 = KubeTime(Date(timeIntervalSince1970: 2000))
        var conditions: [KubeCore.Condition] = [.init(type: "Ready", status: "True", lastTransitionTime: t1)]
        conditions.set(.init(type: "Ready", status: "True", lastTransitionTime: t2, reason: "Still"))
        #expect(conditions[type: "Ready"]?.lastTransitionTime == t1)
        conditions.set(.init(type: "Ready", status: "False", lastTransitionTime: t2))
        #expect(conditions[type: "Ready"]?.lastTransitionTime == t2)
    }
}
