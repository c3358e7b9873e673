import Foundation
import KubeCore
import PacerCore
import Testing

/// The fast path `KubeClient` takes for dynamic objects (a parsed JSON tree, no `JSONDecoder`) reads what the
/// `Codable` path reads, and refuses what it refuses.
@Suite("JSON tree decoding of objects, lists and watch events")
struct JSONTreeDecodingTests {
    static let metadata = """
        {"name": "web", "namespace": "shop", "generateName": "web-", "uid": "u-1", "resourceVersion": "42", "generation": 3,
         "creationTimestamp": "2026-09-21T10:00:00Z", "deletionTimestamp": null, "labels": {"app": "web"},
         "annotations": {"pacer.dev/commit": "c1"}, "finalizers": ["pacer.dev/cleanup"],
         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "rs-1", "controller": true}],
         "managedFields": [{"manager": "kubectl", "operation": "Apply"}], "somethingNew": {"x": 1}}
        """

    @Test func metadataReadsTheSameFieldsAsCodable() throws {
        let tree = try ObjectMeta(jsonTree: JSONValue.parse(Self.metadata))
        #expect(tree == (try JSONDecoder().decode(ObjectMeta.self, from: Data(Self.metadata.utf8))))
        #expect(tree.name == "web")
        #expect(tree.generation == 3)
        #expect(tree.creationTimestamp?.description == "2026-09-21T10:00:00Z")
        #expect(tree.deletionTimestamp == nil, "null is absent")
        #expect(tree.ownerReferences?.first?.controller == true)
        #expect(tree.finalizers == ["pacer.dev/cleanup"])
    }

    @Test(arguments: [
        #"{"name": 7}"#, #"{"labels": {"app": 1}}"#, #"{"generation": "3"}"#, #"{"creationTimestamp": "yesterday"}"#,
        #"{"ownerReferences": [{"kind": "ReplicaSet"}]}"#, #"{"finalizers": [1]}"#,
    ])
    func malformedMetadataIsRefusedByBothPaths(_ text: String) throws {
        #expect(throws: (any Error).self) { try ObjectMeta(jsonTree: JSONValue.parse(text)) }
        #expect(throws: (any Error).self) { try JSONDecoder().decode(ObjectMeta.self, from: Data(text.utf8)) }
    }

    @Test func listsAndWatchEventsOfDynamicObjects() throws {
        let list = """
            {"kind": "DeploymentList", "metadata": {"resourceVersion": "9", "continue": "abc", "remainingItemCount": 5},
             "items": [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": \(Self.metadata), "spec": {"replicas": 2}}]}
            """
        let parsed = try ObjectList<DynamicObject>(jsonTree: JSONValue.parse(list))
        #expect(parsed.metadata == ListMeta(resourceVersion: "9", continue: "abc", remainingItemCount: 5))
        #expect(parsed.items.count == 1)
        #expect(parsed.items.first?.metadata.name == "web")
        #expect(parsed.items.first?["spec"]?["replicas"] == 2)
        #expect(try ObjectList<DynamicObject>(jsonTree: JSONValue.parse(#"{"metadata": {}, "items": null}"#)).items.isEmpty, "items: null")

        let added = try WatchEvent<DynamicObject>(jsonTree: JSONValue.parse(#"{"type": "ADDED", "object": {"metadata": {"name": "a"}}}"#))
        guard case .added(let object) = added else { Issue.record("not ADDED: \(added)"); return }
        #expect(object.metadata.name == "a")
        let bookmark = try WatchEvent<DynamicObject>(
            jsonTree: JSONValue.parse(#"{"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "77", "annotations": {"k8s.io/initial-events-end": "true"}}}}"#))
        guard case .bookmark(let mark) = bookmark else { Issue.record("not BOOKMARK: \(bookmark)"); return }
        #expect(mark.resourceVersion == "77" && mark.isInitialEventsEnd)
        #expect(throws: (any Error).self) { try WatchEvent<DynamicObject>(jsonTree: JSONValue.parse(#"{"type": "BOOKMARK", "object": {}}"#)) }
        #expect(throws: (any Error).self) { try WatchEvent<DynamicObject>(jsonTree: JSONValue.parse(#"{"type": "RENAMED", "object": {}}"#)) }
    }
}
