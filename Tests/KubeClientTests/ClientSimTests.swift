import Foundation
import KubeClient
import KubeCore
import KubeSim
import PacerCore
import TestSupport
import Testing

@Suite("KubeClient verbs against kube-sim")
struct ClientSimTests {
    @Test func listPagingAndListAll() async throws {
        try await withSim { _, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            for index in 0..<7 {
                _ = try await maps.create(try configMap("cm-\(index)", labels: ["even": index % 2 == 0 ? "yes" : "no"]))
            }
            let first = try await maps.list(ListOptions(limit: 3))
            #expect(first.items.count == 3)
            let token = try #require(first.metadata.continue)
            let second = try await maps.list(ListOptions(limit: 3, continueToken: token))
            #expect(second.items.map { $0.metadata.name } == ["cm-3", "cm-4", "cm-5"])
            let all = try await maps.listAll(ListOptions(limit: 3))
            #expect(all.items.map { $0.metadata.name ?? "" } == (0..<7).map { "cm-\($0)" })
            #expect(all.metadata.resourceVersion == first.metadata.resourceVersion)
            let even = try await maps.listAll(ListOptions(labelSelector: LabelSelector(.equals("even", "yes")).description, limit: 2))
            #expect(even.items.count == 4)
        }
    }

    @Test func updateWithStaleResourceVersionIsAConflict() async throws {
        try await withSim { _, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            let created = try await maps.create(try configMap("c", data: ["k": "1"]))
            var first = created
            first["data"] = ["k": "2"]
            let updated = try await maps.update(first)
            #expect(updated["data"]?["k"] == "2")
            #expect(updated.metadata.resourceVersion != created.metadata.resourceVersion)
            var stale = created
            stale["data"] = ["k": "3"]
            do {
                _ = try await maps.update(stale)
                Issue.record("expected a conflict")
            } catch let error as KubeClientError {
                #expect(error.isConflict)
                #expect(error.httpStatus == 409)
                #expect(error.status?.reason == "Conflict")
            }
            do {
                _ = try await maps.create(try configMap("c"))
                Issue.record("expected AlreadyExists")
            } catch let error as KubeClientError {
                #expect(error.isAlreadyExists)
                #expect(!error.isConflict)
            }
            await #expect(throws: KubeClientError.self) { _ = try await maps.get("missing") }
            #expect(try await maps.getIfPresent("missing") == nil)
            let patched = try await maps.patch("c", mergePatch: ["data": ["extra": "yes"]])
            #expect(patched["data"] == ["k": "2", "extra": "yes"])
            try await maps.delete("c")
            #expect(try await maps.getIfPresent("c") == nil)
        }
    }

    @Test func statusSubresource() async throws {
        try await withSim { _, client in
            let deployments = client.resource(Deployment.self, namespace: "w")
            let spec = Deployment.Spec(
                replicas: 2, selector: LabelSelector(matchLabels: ["app": "api"]),
                template: .init(metadata: .init(labels: ["app": "api"]), spec: .init(containers: [.init(name: "api", image: "api:1")])))
            var created = try await deployments.create(Deployment(metadata: ObjectMeta(name: "api"), spec: spec, status: DeploymentStatus(replicas: 99)))
            #expect(created.status?.replicas != 99, "create ignores status")
            created.status = DeploymentStatus(observedGeneration: created.metadata.generation, replicas: 2, readyReplicas: 1)
            created.spec?.replicas = 5
            let afterStatus = try await deployments.updateStatus(created)
            #expect(afterStatus.status?.readyReplicas == 1)
            #expect(afterStatus.spec?.replicas == 2, "a status write ignores spec")
            let patched = try await deployments.patchStatus("api", mergePatch: ["status": ["readyReplicas": 2]])
            #expect(patched.status?.readyReplicas == 2)
            var main = patched
            main.status?.readyReplicas = 0
            let afterMain = try await deployments.patch("api", mergePatch: ["status": ["readyReplicas": 0], "spec": ["replicas": 3]])
            #expect(afterMain.status?.readyReplicas == 2, "the main resource ignores status")
            #expect(afterMain.spec?.replicas == 3)
        }
    }

    @Test func serverSideApply() async throws {
        try await withSim { _, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            let applied = try await maps.apply(["metadata": ["name": "a"], "data": ["x": "1"]], fieldManager: "pacer")
            #expect(applied["data"]?["x"] == "1")
            let again = try await maps.apply(["metadata": ["name": "a"], "data": ["x": "2"]], fieldManager: "pacer", force: true)
            #expect(again["data"]?["x"] == "2")
        }
    }

    @Test func apiErrorsCarryStatusAndRetryAfter() async throws {
        try await withSim { sim, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            sim.faults.failNext(1, status: 429)
            do {
                _ = try await maps.list()
                Issue.record("expected 429")
            } catch let error as KubeClientError {
                #expect(error.isTooManyRequests)
                #expect(error.retryAfter == .seconds(1))
                #expect(error.isRetryable)
            }
            sim.faults.failNext(1, status: 500)
            do {
                _ = try await maps.list()
                Issue.record("expected 500")
            } catch let error as KubeClientError {
                #expect(error.httpStatus == 500)
                #expect(error.status?.reason == "InternalError")
            }
            #expect(try await maps.list().items.isEmpty)
        }
    }

    @Test func rawWatchDeliversEventsAndGoneForCompactedHistory() async throws {
        try await withSim { sim, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            let list = try await maps.list()
            let start = try #require(list.metadata.resourceVersion)
            _ = try await maps.create(try configMap("a"))
            let stream = try await maps.watch(WatchOptions(resourceVersion: start, timeoutSeconds: 5))
            var iterator = stream.makeAsyncIterator()
            let first = try await iterator.next()
            guard case .added(let object)? = first else {
                Issue.record("expected ADDED, got \(String(describing: first))")
                return
            }
            #expect(object.metadata.name == "a")
            sim.faults.compactHistory()
            _ = try await maps.create(try configMap("b"))
            let expired = try await maps.watch(WatchOptions(resourceVersion: start, timeoutSeconds: 5))
            var gone = false
            for try await event in expired {
                if case .error(let status) = event, status.isGone { gone = true }
            }
            #expect(gone)
        }
    }

    @Test func idleWatchIsCutByTheWatchdog() async throws {
        try await withSim(configure: { $0.bookmarkInterval = .seconds(60) }, clientConfiguration: { $0.watchIdleTimeout = .milliseconds(400) }) { _, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            // The server would end this watch after 30 s and sends no bookmarks: only the 400 ms watchdog ends it
            // with `.watchIdle` (a server timeout ends the stream normally, which is recorded as an issue below).
            do {
                // Under load the watchdog may already fire while the response headers are awaited.
                let stream = try await maps.watch(WatchOptions(timeoutSeconds: 30))
                for try await _ in stream {}
                Issue.record("expected the idle watchdog to fire")
            } catch let error as KubeClientError {
                #expect(error.code == .watchIdle)
                #expect(error.isRetryable)
            }
        }
    }
}
