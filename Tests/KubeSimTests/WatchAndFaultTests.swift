import Foundation
@testable import KubeSim
import NIOHTTP1
import PacerCore
import Testing

/// Watch semantics (replay, 410 after compaction, bookmarks, timeouts, selectors), fault injection and scale.
@Suite("kube-sim watches and faults")
struct WatchAndFaultTests {
    private static let cmPath = "/api/v1/namespaces/default/configmaps"

    private func configMap(_ name: String, _ value: String, labels: JSONValue = [:]) -> JSONValue {
        ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "labels": labels], "data": ["v": .string(value)]]
    }

    private func types(_ events: [JSONValue]) -> [String] { events.compactMap { $0["type"]?.stringValue } }

    @Test("watch from a resourceVersion replays later changes only; unset starts with synthetic ADDED")
    func replay() async throws {
        try await SimFixture.with { sim in
            let first = try await sim.request(.POST, Self.cmPath, body: configMap("a", "1"))
            let rv = first.body["metadata"]?["resourceVersion"]?.stringValue ?? ""
            _ = try await sim.request(.PATCH, Self.cmPath + "/a", body: ["data": ["v": "2"]], contentType: "application/merge-patch+json")
            _ = try await sim.request(.POST, Self.cmPath, body: configMap("b", "1"))
            _ = try await sim.request(.DELETE, Self.cmPath + "/a")

            let replayed = try await sim.watch(Self.cmPath + "?watch=1&resourceVersion=\(rv)") { $0.count >= 3 }
            #expect(types(replayed) == ["MODIFIED", "ADDED", "DELETED"])
            #expect(replayed.map { $0["object"]?["metadata"]?["name"]?.stringValue ?? "" } == ["a", "b", "a"])

            let fresh = try await sim.watch(Self.cmPath + "?watch=true") { $0.count >= 1 }
            #expect(types(fresh) == ["ADDED"])
            #expect(fresh.first?["object"]?["metadata"]?["name"]?.stringValue == "b")

            // Live events after the initial state, filtered by a label selector (leaving it shows as DELETED).
            // The watch is open (the response has started) before the changes are made.
            let path = Self.cmPath + "?watch=1&labelSelector=app%3Dx&timeoutSeconds=30"
            let opened = try await sim.openWatch(path, timeout: .seconds(30))
            _ = try await sim.request(.POST, Self.cmPath, body: configMap("c", "1", labels: ["app": "x"]))
            _ = try await sim.request(.POST, Self.cmPath, body: configMap("d", "1", labels: ["app": "y"]))
            _ = try await sim.request(.PATCH, Self.cmPath + "/c", body: ["metadata": ["labels": ["app": "z"]]], contentType: "application/merge-patch+json")
            let events = try await sim.collect(opened, path: path, timeout: .seconds(30)) { $0.count >= 2 }
            #expect(types(events) == ["ADDED", "DELETED"])
            #expect(events.allSatisfy { $0["object"]?["metadata"]?["name"]?.stringValue == "c" })
        }
    }

    @Test("after compaction a watch from an old resourceVersion gets one ERROR 410 Expired event")
    func expired() async throws {
        try await SimFixture.with { sim in
            let rv = try await sim.request(.POST, Self.cmPath, body: configMap("a", "1")).body["metadata"]?["resourceVersion"]?.stringValue ?? ""
            _ = try await sim.request(.POST, Self.cmPath, body: configMap("b", "1"))
            let compacted = try await sim.request(.POST, "/_sim/compact")
            #expect(compacted.status == 200)
            let events = try await sim.watch(Self.cmPath + "?watch=1&resourceVersion=\(rv)") { _ in false }
            #expect(events.count == 1)
            #expect(events.first?["type"]?.stringValue == "ERROR")
            let status = events.first?["object"]
            #expect(status?["code"]?.intValue == 410)
            #expect(status?["reason"]?.stringValue == "Expired")
            #expect(status?["message"]?.stringValue?.hasPrefix("too old resource version: \(rv) (") == true)
        }
    }

    @Test("history window: only the last N events can be replayed")
    func historyWindow() async throws {
        try await SimFixture.with({ $0.historyWindow = 3 }) { sim in
            let rv = try await sim.request(.POST, Self.cmPath, body: configMap("a", "0")).body["metadata"]?["resourceVersion"]?.stringValue ?? ""
            for index in 1...5 {
                _ = try await sim.request(.PATCH, Self.cmPath + "/a", body: ["data": ["v": .string(String(index))]], contentType: "application/merge-patch+json")
            }
            let events = try await sim.watch(Self.cmPath + "?watch=1&resourceVersion=\(rv)") { _ in false }
            #expect(events.first?["object"]?["code"]?.intValue == 410)
        }
    }

    @Test("bookmarks arrive periodically and just before timeoutSeconds ends the stream")
    func bookmarks() async throws {
        try await SimFixture.with({ $0.bookmarkInterval = .milliseconds(200) }) { sim in
            _ = try await sim.request(.POST, Self.cmPath, body: configMap("a", "1"))
            let current = sim.sim.resourceVersion
            // timeoutSeconds=1 ends the stream: `watch` returns what the ended stream delivered (had the watch run on,
            // it would throw after its generous 30 s).
            let events = try await sim.watch(Self.cmPath + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=2", timeout: .seconds(30)) { _ in false }
            #expect(types(events).first == "ADDED")
            let bookmarks = events.filter { $0["type"]?.stringValue == "BOOKMARK" }
            // At least one periodic bookmark (every 200 ms over 2 s) and the one before the end; how many periodic
            // ones fit depends on the machine's load, so only "more than the final one" is asserted.
            #expect(bookmarks.count >= 2)
            #expect(bookmarks.allSatisfy { $0["object"]?["metadata"]?["resourceVersion"]?.stringValue == current })
            #expect(bookmarks.first?["object"]?["kind"]?.stringValue == "ConfigMap")
            #expect(types(events).last == "BOOKMARK")
        }
    }

    @Test("dropping watches closes open streams")
    func dropWatches() async throws {
        try await SimFixture.with { sim in
            // Dropped once open (the response has started); the watch would otherwise run for 30 s, longer than the
            // 20 s `collect` waits, which then throws (and `result` is nil, failing the check below).
            let path = Self.cmPath + "?watch=1&timeoutSeconds=30"
            let opened = try await sim.openWatch(path, timeout: .seconds(20))
            sim.sim.faults.dropWatches()
            let result: [JSONValue]?
            do {
                result = try await sim.collect(opened, path: path, timeout: .seconds(20)) { _ in false }
            } catch let error as FixtureError {
                Issue.record("the dropped watch ran on: \(error)")
                result = nil
            } catch {
                result = []  // an abrupt close may surface as an error or as an end of stream
            }
            #expect(result?.isEmpty ?? true)
        }
    }

    @Test("injected 500 and 429 failures, then normal service")
    func failures() async throws {
        try await SimFixture.with { sim in
            #expect(try await sim.request(.POST, "/_sim/fail?count=2&code=500").status == 200)
            let first = try await sim.request(.GET, "/api/v1/namespaces")
            #expect(first.status == 500 && first.body["reason"]?.stringValue == "InternalError")
            #expect(try await sim.request(.GET, "/api/v1/namespaces").status == 500)
            #expect(try await sim.request(.GET, "/api/v1/namespaces").status == 200)

            sim.sim.faults.failNext(1, status: 429)
            let limited = try await sim.request(.GET, "/api/v1/namespaces")
            #expect(limited.status == 429)
            #expect(limited.headers["Retry-After"].first == "1")
            #expect(limited.body["reason"]?.stringValue == "TooManyRequests")

            sim.sim.faults.stallNext(1, for: .milliseconds(300))
            let started = ContinuousClock.now
            #expect(try await sim.request(.GET, "/version").status == 200)
            // A lower bound only (the stall happened): a slow machine makes it longer, never shorter.
            #expect(ContinuousClock.now - started >= .milliseconds(300))
        }
    }

    @Test("rollout annotations: unavailable and fail-rollout")
    func rolloutAnnotations() async throws {
        try await SimFixture.with { sim in
            try await sim.sim.apply(
                yaml: """
                    apiVersion: apps/v1
                    kind: Deployment
                    metadata:
                      name: api
                      annotations: {kube-sim.pacer.dev/unavailable: "true"}
                    spec:
                      replicas: 3
                      selector: {matchLabels: {app: api}}
                      template:
                        metadata: {labels: {app: api}}
                        spec: {containers: [{name: api, image: "api:1"}]}
                    """)
            // Generous limits: the rollout takes simulated steps, and a loaded 2-core machine can stretch them.
            let events = try await sim.watch("/apis/apps/v1/namespaces/default/deployments?watch=1&timeoutSeconds=30", timeout: .seconds(30)) { events in
                events.last?["object"]?["status"]?["conditions"]?.arrayValue?.contains {
                    $0["type"] == "Progressing" && $0["reason"] == "NewReplicaSetAvailable"
                } == true
            }
            let status = events.last?["object"]?["status"]
            #expect(status?["availableReplicas"] == nil)
            #expect(status?["updatedReplicas"]?.intValue == 3)
            #expect(status?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }?["reason"]?.stringValue == "MinimumReplicasUnavailable")
            // (How many MODIFIED events the watch saw depends on how far the simulated rollout got before the watch
            // opened: not asserted.)

            let patch: JSONValue = [
                "metadata": ["annotations": ["kube-sim.pacer.dev/unavailable": nil, "kube-sim.pacer.dev/fail-rollout": "true"]],
                "spec": ["template": ["spec": ["containers": [["name": "api", "image": "api:2"]]]]],
            ]
            _ = try await sim.request(.PATCH, "/apis/apps/v1/namespaces/default/deployments/api", body: patch, contentType: "application/strategic-merge-patch+json")
            let failed = try await sim.watch("/apis/apps/v1/namespaces/default/deployments?watch=1&timeoutSeconds=30", timeout: .seconds(30)) { events in
                events.last?["object"]?["status"]?["conditions"]?.arrayValue?.contains { $0["reason"] == "ProgressDeadlineExceeded" } == true
            }
            let object = failed.last?["object"]
            #expect(object?["metadata"]?["annotations"]?["deployment.kubernetes.io/revision"]?.stringValue == "2")
            #expect(object?["status"]?["observedGeneration"]?.intValue == 2)
            #expect(object?["status"]?["availableReplicas"]?.intValue == 3)
        }
    }

    /// How fast is hack/bench's business; this checks that the full list is served, complete.
    @Test("10,000 deployments: a full list is served, complete")
    func scale() async throws {
        try await SimFixture.with({ $0.rolloutsEnabled = false }) { sim in
            // Insert directly through the store (YAML parsing of 10k documents is slow in debug builds).
            guard let type = sim.sim.store.type(group: "apps", version: "v1", resource: "deployments") else {
                Issue.record("no deployments type")
                return
            }
            for index in 0..<10_000 {
                let deployment: JSONValue = [
                    "metadata": ["name": .string("d\(index)"), "labels": ["app": "a"]],
                    "spec": [
                        "selector": ["matchLabels": ["app": "a"]],
                        "template": ["metadata": ["labels": ["app": "a"]], "spec": ["containers": [["name": "c", "image": .string("img:\(index)")]]]],
                    ],
                ]
                _ = try sim.sim.store.transact { try $0.create(type, version: "v1", namespace: "default", body: deployment, options: WriteOptions()) }
            }
            let list = try await sim.rawGet("/apis/apps/v1/deployments")
            #expect(list.status == 200)
            let items = try JSONValue.parse(list.body)["items"]?.arrayValue ?? []
            #expect(items.count == 10_000)
            #expect(Set(items.compactMap { $0["metadata"]?["name"]?.stringValue }).count == 10_000)
        }
    }
}
