import Foundation
import KubeSim
import NIOHTTP1
import PacerCore
import Testing

/// API semantics over HTTP: optimistic concurrency, generation, status subresource, selectors,
/// paging, field validation, finalizers, patches, auth.
@Suite("kube-sim API semantics")
struct APISemanticsTests {
    private func withWidgets(_ body: (SimFixture) async throws -> Void) async throws {
        try await SimFixture.with { sim in
            try await sim.sim.apply(yaml: Fixtures.widgetCRD)
            try await body(sim)
        }
    }

    @Test("PUT with a stale resourceVersion is 409 Conflict")
    func staleUpdate() async throws {
        try await withWidgets { sim in
            let created = try await sim.request(.POST, Fixtures.widgetsPath, body: Fixtures.widget("a"))
            #expect(created.status == 201)
            var object = created.body
            object["spec"]?["color"] = "blue"
            let first = try await sim.request(.PUT, Fixtures.widgetsPath + "/a", body: object)
            #expect(first.status == 200)
            #expect(first.body["metadata"]?["generation"]?.intValue == 2)
            object["spec"]?["color"] = "green"
            let stale = try await sim.request(.PUT, Fixtures.widgetsPath + "/a", body: object)
            #expect(stale.status == 409)
            #expect(stale.body["kind"]?.stringValue == "Status")
            #expect(stale.body["reason"]?.stringValue == "Conflict")
            #expect(stale.body["details"]?["kind"]?.stringValue == "widgets")
            let missing = try await sim.request(.GET, Fixtures.widgetsPath + "/nope")
            #expect(missing.status == 404 && missing.body["reason"]?.stringValue == "NotFound")
            #expect(missing.body["message"]?.stringValue == "widgets.test.pacer.dev \"nope\" not found")
            let duplicate = try await sim.request(.POST, Fixtures.widgetsPath, body: Fixtures.widget("a"))
            #expect(duplicate.status == 409 && duplicate.body["reason"]?.stringValue == "AlreadyExists")
        }
    }

    @Test("status updates do not bump generation; main-resource writes ignore status")
    func statusSubresource() async throws {
        try await withWidgets { sim in
            var object = try await sim.request(.POST, Fixtures.widgetsPath, body: Fixtures.widget("s")).body
            object["status"] = ["conditions": [["type": "Ready", "status": "True"]]]
            let status = try await sim.request(.PUT, Fixtures.widgetsPath + "/s/status", body: object)
            #expect(status.status == 200)
            #expect(status.body["metadata"]?["generation"]?.intValue == 1)
            #expect(status.body["status"]?["conditions"]?[0]?["status"]?.stringValue == "True")

            let patch: JSONValue = ["status": ["conditions": [["type": "Ready", "status": "False"]]], "spec": ["size": 9]]
            let main = try await sim.request(.PATCH, Fixtures.widgetsPath + "/s", body: patch, contentType: "application/merge-patch+json")
            #expect(main.status == 200)
            #expect(main.body["metadata"]?["generation"]?.intValue == 2)
            #expect(main.body["spec"]?["size"]?.intValue == 9)
            #expect(main.body["status"]?["conditions"]?[0]?["status"]?.stringValue == "True")  // status unchanged

            let rv = main.body["metadata"]?["resourceVersion"]?.stringValue
            let statusPatch = try await sim.request(
                .PATCH, Fixtures.widgetsPath + "/s/status", body: ["status": ["conditions": [["type": "Ready", "status": "False"]]]],
                contentType: "application/merge-patch+json")
            #expect(statusPatch.body["metadata"]?["generation"]?.intValue == 2)
            #expect(statusPatch.body["metadata"]?["resourceVersion"]?.stringValue != rv)
            #expect(statusPatch.body["status"]?["conditions"]?[0]?["status"]?.stringValue == "False")
        }
    }

    @Test("fieldValidation Strict refuses, Warn warns, Ignore prunes unknown fields")
    func fieldValidation() async throws {
        try await withWidgets { sim in
            let body = Fixtures.widget("v", extra: ["foo": "bar"])
            let strict = try await sim.request(.POST, Fixtures.widgetsPath + "?fieldValidation=Strict", body: body)
            #expect(strict.status == 400)
            #expect(strict.body["reason"]?.stringValue == "BadRequest")
            #expect(strict.body["message"]?.stringValue?.contains("unknown field \"spec.foo\"") == true)

            let warn = try await sim.request(.POST, Fixtures.widgetsPath + "?fieldValidation=Warn", body: body)
            #expect(warn.status == 201)
            #expect(warn.headers["Warning"].first == "299 - \"unknown field \\\"spec.foo\\\"\"")
            #expect(warn.body["spec"]?["foo"] == nil)

            let dry = try await sim.request(.POST, Fixtures.widgetsPath + "?dryRun=All", body: Fixtures.widget("dry"))
            #expect(dry.status == 201)
            let absent = try await sim.request(.GET, Fixtures.widgetsPath + "/dry")
            #expect(absent.status == 404)

            let invalid = try await sim.request(.POST, Fixtures.widgetsPath, body: Fixtures.widget("bad", color: "purple", extra: ["size": 11]))
            #expect(invalid.status == 422)
            #expect(invalid.body["reason"]?.stringValue == "Invalid")
            let causes = invalid.body["details"]?["causes"]?.arrayValue ?? []
            #expect(Set(causes.compactMap { $0["field"]?.stringValue }) == ["spec.color", "spec.size"])
            #expect(invalid.body["message"]?.stringValue?.hasPrefix("Widget.test.pacer.dev \"bad\" is invalid: [") == true)
        }
    }

    @Test("label selectors, field selectors and limit/continue paging")
    func listing() async throws {
        try await withWidgets { sim in
            for index in 0..<7 {
                var widget = Fixtures.widget("w\(index)")
                widget["metadata"]?["labels"] = ["tier": index % 2 == 0 ? "even" : "odd", "n": .string(String(index))]
                #expect(try await sim.request(.POST, Fixtures.widgetsPath, body: widget).status == 201)
            }
            func names(_ reply: SimFixture.Reply) -> [String] {
                reply.body["items"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
            }
            #expect(names(try await sim.request(.GET, Fixtures.widgetsPath + "?labelSelector=tier%3Dodd")) == ["w1", "w3", "w5"])
            #expect(names(try await sim.request(.GET, Fixtures.widgetsPath + "?labelSelector=tier!%3Dodd,n+in+(0,2,9)")) == ["w0", "w2"])
            #expect(names(try await sim.request(.GET, Fixtures.widgetsPath + "?labelSelector=n+notin+(0,1,2,3,4),!missing")) == ["w5", "w6"])
            #expect(names(try await sim.request(.GET, Fixtures.widgetsPath + "?fieldSelector=metadata.name%3Dw4")) == ["w4"])
            let badField = try await sim.request(.GET, Fixtures.widgetsPath + "?fieldSelector=spec.color%3Dred")
            #expect(badField.status == 400)

            var collected: [String] = []
            var token = ""
            var pages = 0
            var listRV: String?
            repeat {
                let page = try await sim.request(.GET, Fixtures.widgetsPath + "?limit=3" + (token.isEmpty ? "" : "&continue=\(token)"))
                #expect(page.status == 200)
                if listRV == nil {
                    listRV = page.body["metadata"]?["resourceVersion"]?.stringValue
                    // A change between pages must not duplicate or skip unchanged objects.
                    _ = try await sim.request(.PATCH, Fixtures.widgetsPath + "/w0", body: ["spec": ["size": 4]], contentType: "application/merge-patch+json")
                }
                #expect(page.body["metadata"]?["resourceVersion"]?.stringValue == listRV)
                collected += names(page)
                token = page.body["metadata"]?["continue"]?.stringValue?.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                pages += 1
            } while !token.isEmpty && pages < 10
            #expect(pages == 3)
            #expect(collected == (0..<7).map { "w\($0)" })
        }
    }

    @Test("finalizers delay deletion until they are removed")
    func finalizers() async throws {
        try await withWidgets { sim in
            var widget = Fixtures.widget("f")
            widget["metadata"]?["finalizers"] = ["test.pacer.dev/cleanup"]
            #expect(try await sim.request(.POST, Fixtures.widgetsPath, body: widget).status == 201)
            let deleting = try await sim.request(.DELETE, Fixtures.widgetsPath + "/f")
            #expect(deleting.status == 202)
            let still = try await sim.request(.GET, Fixtures.widgetsPath + "/f")
            #expect(still.status == 200)
            #expect(still.body["metadata"]?["deletionTimestamp"]?.stringValue != nil)
            let removed = try await sim.request(
                .PATCH, Fixtures.widgetsPath + "/f", body: [["op": "remove", "path": "/metadata/finalizers"]], contentType: "application/json-patch+json")
            #expect(removed.status == 200)
            #expect(try await sim.request(.GET, Fixtures.widgetsPath + "/f").status == 404)
        }
    }

    @Test("server-side apply creates then merges; strategic merge patch merges containers by name")
    func applyAndStrategicMerge() async throws {
        try await withWidgets { sim in
            let yaml = "apiVersion: test.pacer.dev/v1\nkind: Widget\nmetadata:\n  name: ssa\nspec:\n  color: green\n"
            var request = try await sim.request(.PATCH, Fixtures.widgetsPath + "/ssa?fieldManager=test", body: nil)
            #expect(request.status == 415)
            request = try await sim.request(
                .PATCH, Fixtures.widgetsPath + "/ssa?fieldManager=test", body: .string(yaml), contentType: "application/apply-patch+yaml")
            // A JSON string body is not an object: refused.
            #expect(request.status == 400 || request.status == 422)
            let created = try await sim.rawApply(Fixtures.widgetsPath + "/ssa?fieldManager=test", yaml: yaml)
            #expect(created.status == 201)
            // A second manager's apply merges (spec.color stays: manager "test" owns it). The same manager leaving
            // color out would remove it (server-side apply; APIConceptsTests).
            let merged = try await sim.rawApply(Fixtures.widgetsPath + "/ssa?fieldManager=other", yaml: "apiVersion: test.pacer.dev/v1\nkind: Widget\nmetadata: {name: ssa}\nspec: {size: 8}\n")
            #expect(merged.status == 200)
            #expect(merged.body["spec"]?["color"]?.stringValue == "green" && merged.body["spec"]?["size"]?.intValue == 8)
            let noManager = try await sim.rawApply(Fixtures.widgetsPath + "/ssa", yaml: yaml)
            #expect(noManager.status == 422)

            let deployment: JSONValue = [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
                "spec": [
                    "selector": ["matchLabels": ["app": "d"]],
                    "template": [
                        "metadata": ["labels": ["app": "d"]],
                        "spec": ["containers": [["name": "a", "image": "a:1"], ["name": "b", "image": "b:1"]]],
                    ],
                ],
            ]
            let path = "/apis/apps/v1/namespaces/default/deployments"
            #expect(try await sim.request(.POST, path, body: deployment).status == 201)
            let smp: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "b", "image": "b:2"]]]]]]
            let patched = try await sim.request(.PATCH, path + "/d", body: smp, contentType: "application/strategic-merge-patch+json")
            let containers = patched.body["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
            #expect(containers.compactMap { $0["image"]?.stringValue } == ["a:1", "b:2"])
            #expect(patched.body["metadata"]?["generation"]?.intValue == 2)
            let crSMP = try await sim.request(.PATCH, Fixtures.widgetsPath + "/ssa", body: ["spec": ["size": 2]], contentType: "application/strategic-merge-patch+json")
            #expect(crSMP.status == 415)
        }
    }

    @Test("namespaces must exist; wrong tokens are 401; unknown resources 404; bad Accept 406")
    func errors() async throws {
        try await withWidgets { sim in
            let noNamespace = try await sim.request(.POST, "/apis/test.pacer.dev/v1/namespaces/ghost/widgets", body: Fixtures.widget("x"))
            #expect(noNamespace.status == 404)
            #expect(noNamespace.body["message"]?.stringValue == "namespaces \"ghost\" not found")
            let wrong = try await sim.request(.GET, "/api/v1/namespaces", headers: [("Authorization", "Bearer nope")], authorized: false)
            #expect(wrong.status == 401 && wrong.body["reason"]?.stringValue == "Unauthorized")
            let unknown = try await sim.request(.GET, "/apis/test.pacer.dev/v1/gadgets")
            #expect(unknown.status == 404)
            let notAcceptable = try await sim.request(.GET, "/api/v1/namespaces", headers: [("Accept", "application/vnd.kubernetes.protobuf")])
            #expect(notAcceptable.status == 406 && notAcceptable.body["reason"]?.stringValue == "NotAcceptable")
            let method = try await sim.request(.POST, Fixtures.widgetsPath + "/x", body: Fixtures.widget("x"))
            #expect(method.status == 405)
        }
        try await SimFixture.with({ $0.anonymousAuth = false }) { sim in
            let missing = try await sim.request(.GET, "/api/v1/namespaces", authorized: false)
            #expect(missing.status == 401)
            #expect(try await sim.request(.GET, "/api/v1/namespaces").status == 200)
        }
    }

    @Test("Table output uses printer columns and PartialObjectMetadata rows")
    func tables() async throws {
        try await withWidgets { sim in
            var widget = Fixtures.widget("t", color: "blue")
            widget["status"] = ["conditions": [["type": "Ready", "status": "True"]]]
            try await sim.sim.apply(yaml: widget.jsonString())
            let table = try await sim.request(
                .GET, Fixtures.widgetsPath,
                headers: [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json")])
            #expect(table.body["kind"]?.stringValue == "Table")
            #expect(table.body["columnDefinitions"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["Name", "Color", "Size", "Ready", "Age"])
            let cells = table.body["rows"]?[0]?["cells"]?.arrayValue ?? []
            #expect(cells.prefix(4) == ["t", "blue", 3, "True"])
            #expect(cells.last?.stringValue?.hasSuffix("s") == true)
            #expect(table.body["rows"]?[0]?["object"]?["kind"]?.stringValue == "PartialObjectMetadata")
        }
    }
}

extension SimFixture {
    /// A server-side apply PATCH with a raw YAML body.
    func rawApply(_ path: String, yaml: String) async throws -> Reply {
        try await request(.PATCH, path, body: nil, headers: [("Content-Type", "application/apply-patch+yaml")], rawBody: yaml)
    }
}
