import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSim
import Logging
import PacerCore
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@Suite("Watcher, Informer and LeaderElector against kube-sim")
struct RuntimeSimTests {
    static let fast: WatcherConfiguration = {
        var configuration = WatcherConfiguration(pageSize: 2, watchTimeoutSeconds: 30, backoff: Backoff(initial: .milliseconds(50), maximum: .seconds(1), jitter: 0))
        configuration.minimumHealthyWatch = .zero
        return configuration
    }()

    /// Runs a watcher over configmaps in `w`, recording a summary of every event, while `body` runs.
    func recordingWatcher(
        _ client: KubeClient, configuration: WatcherConfiguration = fast,
        _ body: @escaping @Sendable (_ log: Log) async throws -> Void
    ) async throws -> [String] {
        let log = Log()
        let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
        let watcher = Watcher(source: maps, configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await event in watcher {
                    let line = summary([event])[0]
                    log.withLock { $0.append(line) }
                }
            }
            try await body(log)
            group.cancelAll()
        }
        return log.withLock { $0 }
    }

    @Test func watchResumesAfterDroppedConnectionWithoutMissingOrRepeating() async throws {
        try await withSim { sim, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            _ = try await maps.create(try configMap("a"))
            _ = try await maps.create(try configMap("b"))
            _ = try await maps.create(try configMap("c"))
            let log = try await recordingWatcher(client) { log in
                try await eventually { log.withLock { $0.contains("done") } }
                _ = try await maps.create(try configMap("d"))
                try await eventually { log.withLock { $0.contains { $0.hasPrefix("apply:d@") } } }
                for round in 0..<3 {
                    sim.faults.dropWatches()
                    _ = try await maps.create(try configMap("e\(round)"))
                    _ = try await maps.patch("a", mergePatch: ["data": ["round": .string("\(round)")]])
                }
                try await maps.delete("b")
                // A last change as a marker: the watch delivers in resourceVersion order, so once it is seen every
                // event before it is in the log (a repeat would show up before the marker).
                _ = try await maps.create(try configMap("marker"))
                try await eventually { log.withLock { $0.contains { $0.hasPrefix("apply:marker@") } } }
            }
            let names = log.map { $0.split(separator: "@")[0] }
            #expect(names == [
                "start", "init:a", "init:b", "init:c", "done", "apply:d",
                "apply:e0", "apply:a", "apply:e1", "apply:a", "apply:e2", "apply:a", "delete:b", "apply:marker",
            ])
            #expect(log.filter { $0 == "start" }.count == 1, "resumed without relisting")
        }
    }

    @Test func relistAfterGoneProducesTheRightDiff() async throws {
        try await withSim(configure: { $0.bookmarkInterval = .seconds(60) }) { sim, client in
            let maps = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "w")
            let others = client.resource(DynamicObject.self, descriptor: .configMaps, namespace: "elsewhere")
            _ = try await maps.create(try configMap("a"))
            _ = try await maps.create(try configMap("b"))
            let source = GatedSource(maps)
            let informer = Informer(source: source, configuration: InformerConfiguration(watcher: Self.fast))
            let log = Log()
            informer.addHandler(InformerHandler(
                added: { object in log.withLock { $0.append("added:\(object.metadata.name!)") } },
                updated: { _, new in log.withLock { $0.append("updated:\(new.metadata.name!)") } },
                deleted: { object in log.withLock { $0.append("deleted:\(object.metadata.name!)") } }))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await informer.run() }
                try await withTimeout(120) { await informer.store.waitUntilSynced() }
                // Move the global resourceVersion past what the watcher has seen, then make it stale: the watch
                // reconnect is held (waited for, then released) while we change things and compact history.
                _ = try await others.create(try configMap("x", namespace: "elsewhere"))
                source.hold()
                sim.faults.dropWatches()
                try await eventually { source.waiting == 1 }
                try await maps.delete("a")
                _ = try await maps.create(try configMap("c"))
                sim.faults.compactHistory()
                source.release()
                try await eventually { informer.store.keys().map(\.name) == ["b", "c"] }
                // A marker after the relist: once it is added, every handler call before it is in the log.
                _ = try await maps.create(try configMap("marker"))
                try await eventually { log.withLock { $0.contains("added:marker") } }
                group.cancelAll()
            }
            #expect(log.withLock { $0 } == ["added:a", "added:b", "deleted:a", "added:c", "added:marker"])
        }
    }

    @Test func backsOffUnder500And429() async throws {
        try await withSim { sim, client in
            sim.faults.failNext(3, status: 500)
            let started = ContinuousClock.now
            let log = try await recordingWatcher(client) { log in
                try await eventually { log.withLock { $0.contains("done") } }
            }
            #expect(log == ["start", "done"])
            // 50 + 100 + 200 ms of backoff, no tight loop.
            #expect(ContinuousClock.now - started >= .milliseconds(340))
        }
        // A fresh server, so no request of the previous watcher can consume the injected 429.
        try await withSim { sim, client in
            sim.faults.failNext(1, status: 429)
            let again = ContinuousClock.now
            _ = try await recordingWatcher(client) { log in
                try await eventually { log.withLock { $0.contains("done") } }
            }
            #expect(ContinuousClock.now - again >= .milliseconds(950), "Retry-After: 1 honoured")
        }
    }
}
