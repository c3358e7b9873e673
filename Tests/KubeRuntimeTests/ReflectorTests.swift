import KubeCore
@testable import KubeRuntime
import Synchronization
import TestSupport
import Testing

@Suite("Reflector, Store and Informer")
struct ReflectorTests {
    func describe(_ changes: [StoreChange<Item>]) -> [String] {
        changes.map {
            switch $0 {
            case .added(let item): "added:\(item.metadata.name!)@\(item.metadata.resourceVersion!)"
            case .updated(let old, let new): "updated:\(new.metadata.name!)@\(old.metadata.resourceVersion!)->\(new.metadata.resourceVersion!)"
            case .deleted(let item): "deleted:\(item.metadata.name!)@\(item.metadata.resourceVersion!)"
            }
        }
    }

    @Test func relistReplacesAtomicallyAndDiffsByResourceVersion() {
        let store = Store<Item>()
        var reflector = Reflector(store: store)
        var changes: [StoreChange<Item>] = []
        for event: WatcherEvent<Item> in [.initStarted, .initApply(.make("a", rv: "1")), .initApply(.make("b", rv: "2")), .initApply(.make("c", rv: "3"))] {
            changes += reflector.apply(event)
        }
        #expect(changes.isEmpty)
        #expect(store.count == 0)
        #expect(!store.hasSynced)
        #expect(describe(reflector.apply(.initDone)) == ["added:a@1", "added:b@2", "added:c@3"])
        #expect(store.hasSynced)
        #expect(describe(reflector.apply(.apply(.make("a", rv: "4")))) == ["updated:a@1->4"])

        // Relist after a gap: a unchanged, b modified, c deleted, d new, e re-created with a new uid.
        _ = reflector.apply(.apply(.make("e", rv: "5", uid: "old")))
        _ = reflector.apply(.initStarted)
        _ = reflector.apply(.initApply(.make("a", rv: "4")))
        _ = reflector.apply(.initApply(.make("b", rv: "7")))
        _ = reflector.apply(.initApply(.make("d", rv: "8")))
        _ = reflector.apply(.initApply(.make("e", rv: "9", uid: "new")))
        #expect(store.count == 4, "the store keeps serving the old snapshot during the relist")
        #expect(describe(reflector.apply(.initDone)) == ["updated:b@2->7", "deleted:c@3", "added:d@8", "deleted:e@5", "added:e@9"])
        #expect(store.keys().map(\.name) == ["a", "b", "d", "e"])
        #expect(describe(reflector.apply(.delete(.make("b", rv: "10")))) == ["deleted:b@7"])
        #expect(describe(reflector.apply(.delete(.make("zz", rv: "11")))).isEmpty)
    }

    @Test func transformIsAppliedBeforeStoring() {
        let store = Store<Item>()
        var reflector = Reflector(store: store) { item in
            var slim = item
            slim.value = nil
            return slim
        }
        _ = reflector.apply(.apply(.make("a", rv: "1", value: 99)))
        #expect(store.get(ObjectKey(namespace: "ns", name: "a"))?.value == nil)
    }

    @Test func informerAnnouncesChangesOnceAcrossRelists() async throws {
        let expired = Status(message: "too old", reason: "Expired", code: 410)
        let source = ScriptedSource(
            lists: [
                .page([.make("a", rv: "1"), .make("b", rv: "2")], resourceVersion: "5"),
                .page([.make("a", rv: "1"), .make("c", rv: "9")], resourceVersion: "10"),
            ],
            watches: [.events([.modified(.make("b", rv: "6")), .error(expired)])])
        var configuration = InformerConfiguration(watcher: WatcherConfiguration(backoff: testBackoff))
        configuration.watcher.minimumHealthyWatch = .zero
        let informer = Informer(source: source, configuration: configuration)
        let log = Mutex<[String]>([])
        informer.addHandler(InformerHandler(
            added: { item in log.withLock { $0.append("added:\(item.metadata.name!)") } },
            updated: { old, new in log.withLock { $0.append("updated:\(new.metadata.name!)@\(new.metadata.resourceVersion!)") } },
            deleted: { item in log.withLock { $0.append("deleted:\(item.metadata.name!)") } }))
        try await withTimeout(120) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await informer.run() }
                while log.withLock({ $0.count }) < 5 { try? await Task.sleep(for: .milliseconds(10)) }
                group.cancelAll()
            }
        }
        #expect(log.withLock { $0 } == ["added:a", "added:b", "updated:b@6", "deleted:b", "added:c"])
        #expect(informer.store.count == 2)
    }

    @Test func informerResyncsPeriodically() async throws {
        let source = ScriptedSource(lists: [.page([.make("a", rv: "1")], resourceVersion: "5")], watches: [])
        let informer = Informer(source: source, configuration: InformerConfiguration(resyncInterval: .milliseconds(50)))
        let resyncs = Mutex(0)
        informer.addHandler(InformerHandler(resync: { _ in resyncs.withLock { $0 += 1 } }))
        try await withTimeout(120) {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { try? await informer.run() }
                await informer.store.waitUntilSynced()
                while resyncs.withLock({ $0 }) < 2 { try? await Task.sleep(for: .milliseconds(10)) }
                group.cancelAll()
            }
        }
        #expect(resyncs.withLock { $0 } >= 2)
    }
}
