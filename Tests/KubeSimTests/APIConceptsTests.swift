import Foundation
import KubeSim
import NIOHTTP1
import PacerCore
import TestSupport
import Testing

/// The documented API semantics a second client relies on (kubernetes.io "API Concepts", "Server-Side Apply",
/// the apps/v1 Deployment strategy), over HTTP and with the real kubectl. The same behaviours are checked with the
/// official Python client by hack/kube-sim-python-client.py (`pythonClient` below).
@Suite("kube-sim API concepts")
struct APIConceptsTests {
    static let deploymentsPath = "/apis/apps/v1/namespaces/default/deployments"
    static let configMapsPath = "/api/v1/namespaces/default/configmaps"

    static func deployment(_ name: String) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
            "spec": [
                "replicas": 2, "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "web", "image": "nginx:1.27"]]]],
            ],
        ]
    }

    private func settled(_ sim: SimFixture, _ name: String, generation: Int64) async throws {
        try await eventually(120) {
            guard let object = try? await sim.request(.GET, Self.deploymentsPath + "/" + name).body else { return false }
            return object["status"]?["observedGeneration"]?.intValue == generation
                && object["status"]?["conditions"]?.arrayValue?.contains { $0["reason"] == "NewReplicaSetAvailable" } == true
        }
    }

    @Test("an annotation-only change bumps a Deployment's generation; the controller observes it without a new revision")
    func annotationBumpsDeploymentGeneration() async throws {
        try await SimFixture.with { sim in
            #expect(try await sim.request(.POST, Self.deploymentsPath, body: Self.deployment("gen")).status == 201)
            try await settled(sim, "gen", generation: 1)
            let merge = "application/merge-patch+json"
            let annotated = try await sim.request(
                .PATCH, Self.deploymentsPath + "/gen", body: ["metadata": ["annotations": ["team": "payments"]]], contentType: merge)
            // apps/v1 Deployment PrepareForUpdate: spec or annotations changed → generation + 1 (1 → 2).
            #expect(annotated.body["metadata"]?["generation"]?.intValue == 2)
            try await settled(sim, "gen", generation: 2)
            let after = try await sim.request(.GET, Self.deploymentsPath + "/gen").body
            #expect(after["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"] == "1", "no new revision")
            let labelled = try await sim.request(
                .PATCH, Self.deploymentsPath + "/gen", body: ["metadata": ["labels": ["tier": "web"]]], contentType: merge)
            #expect(labelled.body["metadata"]?["generation"]?.intValue == 2, "labels do not bump generation")
        }
    }

    @Test("continue pages are one snapshot as of the first page; an expired token is 410 Expired")
    func consistentPages() async throws {
        try await SimFixture.with { sim in
            for index in 1...5 {
                let body: JSONValue = ["metadata": ["name": .string("page-\(index)"), "labels": ["set": "paging"]], "data": ["i": .string("\(index)")]]
                #expect(try await sim.request(.POST, Self.configMapsPath, body: body).status == 201)
            }
            let first = try await sim.request(.GET, Self.configMapsPath + "?labelSelector=set%3Dpaging&limit=2").body
            let firstRV = first["metadata"]?["resourceVersion"]
            #expect(first["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } == ["page-1", "page-2"])
            // Between the pages: page-3a created, page-4 deleted, page-5 changed.
            _ = try await sim.request(.POST, Self.configMapsPath, body: ["metadata": ["name": "page-3a", "labels": ["set": "paging"]]])
            #expect(try await sim.request(.DELETE, Self.configMapsPath + "/page-4").status == 200)
            _ = try await sim.request(.PATCH, Self.configMapsPath + "/page-5", body: ["data": ["i": "changed"]], contentType: "application/merge-patch+json")
            var names: [String] = []
            var token = first["metadata"]?["continue"]?.stringValue
            var pageData: [String] = []
            while let current = token {
                let encoded = current.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? current
                let page = try await sim.request(.GET, Self.configMapsPath + "?labelSelector=set%3Dpaging&limit=2&continue=\(encoded)").body
                #expect(page["metadata"]?["resourceVersion"] == firstRV, "every page has the first page's resourceVersion")
                names += page["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
                pageData += page["items"]?.arrayValue?.compactMap { $0["data"]?["i"]?.stringValue } ?? []
                token = page["metadata"]?["continue"]?.stringValue
            }
            #expect(names == ["page-3", "page-4", "page-5"])
            #expect(pageData == ["3", "4", "5"])

            let kubectl = try await sim.kubectl("get", "configmaps", "-l", "set=paging", "--chunk-size=2", "-o", "name")
            #expect(kubectl.status == 0, "\(kubectl.stderr)")
            #expect(kubectl.stdout.split(separator: "\n") == [
                "configmap/page-1", "configmap/page-2", "configmap/page-3", "configmap/page-3a", "configmap/page-5",
            ])

            let expiring = try await sim.request(.GET, Self.configMapsPath + "?limit=1").body
            _ = try await sim.request(.POST, Self.configMapsPath, body: ["metadata": ["name": "after-expiring"]])  // history moves past the token
            sim.sim.faults.compactHistory()
            let encoded = expiring["metadata"]?["continue"]?.stringValue?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let expired = try await sim.request(.GET, Self.configMapsPath + "?limit=1&continue=\(encoded)")
            #expect(expired.status == 410)
            #expect(expired.body["reason"] == "Expired")
        }
    }

    @Test("a selector watch: leaving is DELETED with the last matching state, entering is ADDED")
    func selectorWatchLastMatchingState() async throws {
        try await SimFixture.with { sim in
            let created = try await sim.request(.POST, Self.configMapsPath, body: ["metadata": ["name": "w", "labels": ["app": "w"]], "data": ["v": "1"]])
            let rv = created.body["metadata"]?["resourceVersion"]?.stringValue ?? ""
            let response = try await sim.openWatch(Self.configMapsPath + "?watch=true&labelSelector=app%3Dw&resourceVersion=\(rv)")
            let merge = "application/merge-patch+json"
            let left = try await sim.request(
                .PATCH, Self.configMapsPath + "/w", body: ["metadata": ["labels": ["app": "other"]], "data": ["v": "2"]], contentType: merge)
            _ = try await sim.request(.PATCH, Self.configMapsPath + "/w", body: ["metadata": ["labels": ["app": "w"]], "data": ["v": "3"]], contentType: merge)
            let events = try await sim.collect(response, path: "watch", until: { $0.count >= 2 })
            #expect(events.compactMap { $0["type"]?.stringValue } == ["DELETED", "ADDED"])
            #expect(events.first?["object"]?["metadata"]?["labels"] == ["app": "w"], "the last state that matched")
            #expect(events.first?["object"]?["data"] == ["v": "1"])
            #expect(events.first?["object"]?["metadata"]?["resourceVersion"] == left.body["metadata"]?["resourceVersion"], "at the change's resourceVersion")
            #expect(events.last?["object"]?["data"] == ["v": "3"])
        }
    }

    @Test("kubectl get -w -l: DELETED with the last matching state, then ADDED")
    func kubectlSelectorWatch() async throws {
        try await SimFixture.with { sim in
            _ = try await sim.request(.POST, Self.configMapsPath, body: ["metadata": ["name": "w", "labels": ["app": "w"]], "data": ["v": "1"]])
            let before = sim.sim.openWatchCount
            async let watched = sim.kubectl("get", "configmaps", "-l", "app=w", "--watch-only", "--output-watch-events", "-o", "json")
            try await eventually(120) { sim.sim.openWatchCount > before }  // kubectl has listed and is watching
            let merge = "application/merge-patch+json"
            _ = try await sim.request(.PATCH, Self.configMapsPath + "/w", body: ["metadata": ["labels": ["app": "other"]], "data": ["v": "2"]], contentType: merge)
            _ = try await sim.request(.PATCH, Self.configMapsPath + "/w", body: ["metadata": ["labels": ["app": "w"]], "data": ["v": "3"]], contentType: merge)
            sim.sim.faults.dropWatches()  // after the two events in the same ordered stream: kubectl prints them, then exits
            let result = try await watched
            let events = result.stdout.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
            #expect(events.compactMap { $0["type"]?.stringValue } == ["DELETED", "ADDED"], "\(result.stdout)\n\(result.stderr)")
            #expect(events.first?["object"]?["metadata"]?["labels"] == ["app": "w"])
            #expect(events.first?["object"]?["data"] == ["v": "1"])
            #expect(events.last?["object"]?["data"] == ["v": "3"])
        }
    }

    @Test("server-side apply: managedFields, 409 naming the owner unless forced, dropped fields removed (HTTP and kubectl)")
    func serverSideApply() async throws {
        try await SimFixture.with { sim in
            let apply = "application/apply-patch+yaml"
            let path = Self.configMapsPath + "/ssa"
            let first = try await sim.request(
                .PATCH, path + "?fieldManager=alpha", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ssa"], "data": ["a": "1", "b": "2"]],
                contentType: apply)
            #expect(first.status == 201)
            let fields = first.body["metadata"]?["managedFields"]?.arrayValue ?? []
            #expect(fields.compactMap { $0["manager"]?.stringValue } == ["alpha"])
            #expect(fields.first?["operation"] == "Apply")
            #expect(fields.first?["fieldsV1"] == ["f:data": ["f:a": [:], "f:b": [:]]])

            let second: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ssa"], "data": ["a": "other", "c": "3"]]
            let conflict = try await sim.request(.PATCH, path + "?fieldManager=beta", body: second, contentType: apply)
            #expect(conflict.status == 409)
            #expect(conflict.body["reason"] == "Conflict")
            #expect(conflict.body["message"] == "Apply failed with 1 conflict: conflict with \"alpha\": .data.a")
            #expect(conflict.body["details"]?["causes"] == [["reason": "FieldManagerConflict", "message": "conflict with \"alpha\"", "field": ".data.a"]])

            let forced = try await sim.request(.PATCH, path + "?fieldManager=beta&force=true", body: second, contentType: apply)
            #expect(forced.status == 200)
            #expect(forced.body["data"] == ["a": "other", "b": "2", "c": "3"])
            let owners = Dictionary(
                uniqueKeysWithValues: (forced.body["metadata"]?["managedFields"]?.arrayValue ?? []).map { ($0["manager"]?.stringValue ?? "", $0["fieldsV1"]) })
            #expect(owners["alpha"] == ["f:data": ["f:b": [:]]])
            #expect(owners["beta"] == ["f:data": ["f:a": [:], "f:c": [:]]])

            // beta stops applying c (it alone owns it): removed; a is still beta's.
            let fewer = try await sim.request(
                .PATCH, path + "?fieldManager=beta", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ssa"], "data": ["a": "other"]],
                contentType: apply)
            #expect(fewer.body["data"] == ["a": "other", "b": "2"])

            // A non-apply update takes the fields it changes (operation Update, manager from fieldManager).
            let update = try await sim.request(.PATCH, path + "?fieldManager=editor", body: ["data": ["b": "edited"]], contentType: "application/merge-patch+json")
            let editor = (update.body["metadata"]?["managedFields"]?.arrayValue ?? []).first { $0["manager"] == "editor" }
            #expect(editor?["operation"] == "Update")
            #expect(editor?["fieldsV1"] == ["f:data": ["f:b": [:]]])
            let alphaAgain = try await sim.request(
                .PATCH, path + "?fieldManager=alpha", body: ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "ssa"], "data": ["b": "2"]],
                contentType: apply)
            #expect(alphaAgain.status == 409)
            #expect(alphaAgain.body["message"] == "Apply failed with 1 conflict: conflict with \"editor\" using v1: .data.b")

            // kubectl apply --server-side (manager "kubectl"): conflict, --force-conflicts, dropped fields.
            let file = try sim.writeFile("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc\ndata:\n  first: \"1\"\n  second: \"2\"\n")
            let applied = try await sim.kubectl("apply", "--server-side", "-f", file)
            #expect(applied.status == 0, "\(applied.stderr)")
            let other = try sim.writeFile("other.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc\ndata:\n  first: \"9\"\n")
            let refused = try await sim.kubectl("apply", "--server-side", "--field-manager=other", "-f", other)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("conflict with \"kubectl\""), "\(refused.stderr)")
            let taken = try await sim.kubectl("apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other)
            #expect(taken.status == 0, "\(taken.stderr)")
            let onlySecond = try sim.writeFile("second.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kc\ndata:\n  second: \"2\"\n")
            #expect(try await sim.kubectl("apply", "--server-side", "-f", onlySecond).status == 0)
            let result = try await sim.kubectl("get", "configmap", "kc", "-o", "json", "--show-managed-fields")
            let object = try JSONValue.parse(result.stdout)
            #expect(object["data"] == ["first": "9", "second": "2"], "first now belongs to other; kubectl still owns second")
            let managers = Set((object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue })
            #expect(managers == ["kubectl", "other"])
        }
    }

    @Test("DELETE answers a Status for most kinds, the object for namespaces and serviceaccounts")
    func deleteReturnsStatus() async throws {
        try await SimFixture.with { sim in
            let created = try await sim.request(.POST, Self.configMapsPath, body: ["metadata": ["name": "d"]])
            let deleted = try await sim.request(.DELETE, Self.configMapsPath + "/d")
            #expect(deleted.status == 200)
            #expect(deleted.body == [
                "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Success",
                "details": ["name": "d", "kind": "configmaps", "uid": created.body["metadata"]?["uid"] ?? .null],
            ])
            _ = try await sim.request(.POST, Self.deploymentsPath, body: Self.deployment("d"))
            let deployment = try await sim.request(.DELETE, Self.deploymentsPath + "/d")
            #expect(deployment.body["details"]?["group"] == "apps")
            #expect(deployment.body["details"]?["kind"] == "deployments")
            _ = try await sim.request(.POST, "/api/v1/namespaces", body: ["metadata": ["name": "gone"]])
            let namespace = try await sim.request(.DELETE, "/api/v1/namespaces/gone")
            #expect(namespace.body["kind"] == "Namespace")
            // With a finalizer: 202 and the object carrying its deletionTimestamp.
            _ = try await sim.request(.POST, Self.configMapsPath, body: ["metadata": ["name": "f", "finalizers": ["pacer.dev/hold"]]])
            let pending = try await sim.request(.DELETE, Self.configMapsPath + "/f")
            #expect(pending.status == 202)
            #expect(pending.body["kind"] == "ConfigMap")
            #expect(pending.body["metadata"]?["deletionTimestamp"] != nil)
        }
    }

    @Test("events.k8s.io/v1 Events: discovery, create, list, watch, validation, kubectl")
    func eventsV1() async throws {
        try await SimFixture.with { sim in
            let groups = try await sim.request(.GET, "/apis").body["groups"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
            #expect(groups.contains("events.k8s.io"))
            let resources = try await sim.request(.GET, "/apis/events.k8s.io/v1").body["resources"]?.arrayValue ?? []
            #expect(resources.contains { $0["name"] == "events" && $0["kind"] == "Event" && $0["namespaced"] == true })
            let path = "/apis/events.k8s.io/v1/namespaces/default/events"
            let listed = try await sim.request(.GET, path).body
            let response = try await sim.openWatch(path + "?watch=true&resourceVersion=\(listed["metadata"]?["resourceVersion"]?.stringValue ?? "")")
            let event: JSONValue = [
                "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": ["name": "started"], "eventTime": "2026-12-02T15:00:00.000000Z",
                "reportingController": "pacer.dev/test", "reportingInstance": "t-1", "action": "Deploy", "reason": "Started", "type": "Normal",
                "regarding": ["kind": "Deployment", "name": "web", "namespace": "default", "apiVersion": "apps/v1"],
            ]
            #expect(try await sim.request(.POST, path, body: event).status == 201)
            let events = try await sim.collect(response, path: "events", until: { !$0.isEmpty })
            #expect(events.first?["type"] == "ADDED")
            #expect(events.first?["object"]?["reportingController"] == "pacer.dev/test")
            let selected = try await sim.request(.GET, path + "?fieldSelector=reason%3DStarted").body
            #expect(selected["items"]?.arrayValue?.count == 1)
            let invalid = try await sim.request(.POST, path, body: ["metadata": ["name": "bad"], "reason": "X", "type": "Odd"])
            #expect(invalid.status == 422)
            #expect(Set(invalid.body["details"]?["causes"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []) == [
                "eventTime", "reportingController", "reportingInstance", "action", "type",
            ])
            let kubectl = try await sim.kubectl("get", "events.events.k8s.io", "-o", "name")
            #expect(kubectl.status == 0, "\(kubectl.stderr)")
            #expect(kubectl.stdout.contains("event.events.k8s.io/started"), "\(kubectl.stdout)")
        }
    }

    /// The official Python client (PyPI `kubernetes`) against the kube-sim binary: hack/kube-sim-python-client.py.
    @Test("the official Python Kubernetes client agrees (hack/kube-sim-python-client.py)")
    func pythonClient() async throws {
        let binary = RepoPaths.root + "/.build/debug/kube-sim"
        try #require(FileManager.default.isExecutableFile(atPath: binary), "build kube-sim first (swift build --build-tests)")
        let result = try await Subprocess.run(
            ["/usr/bin/env", "python3", RepoPaths.root + "/hack/kube-sim-python-client.py", binary], timeout: .seconds(300))
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("all checks passed"), "\(result.stdout)")
    }
}
