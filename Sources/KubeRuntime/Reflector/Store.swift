import KubeCore
import PacerCore
import Synchronization

/// A thread-safe in-memory cache of objects keyed by ``ObjectKey``, written by a ``Reflector``
/// (usually inside an ``Informer``) and readable from anywhere. It may lag slightly behind the
/// API server; it is a cache, not a source of truth.
public final class Store<Object: KubernetesResource>: Sendable {
    struct State {
        var objects: [ObjectKey: Object] = [:]
    }

    private let state = Mutex(State())
    private let synced = Latch<Void>()

    public init() {}

    /// The cached object with this key.
    public func get(_ key: ObjectKey) -> Object? {
        state.withLock { $0.objects[key] }
    }

    /// All cached objects, sorted by key.
    public func list() -> [Object] {
        state.withLock { state in state.objects.sorted { $0.key < $1.key }.map(\.value) }
    }

    /// All cached keys, sorted.
    public func keys() -> [ObjectKey] {
        state.withLock { $0.objects.keys.sorted() }
    }

    /// Number of cached objects (cheap; for benchmarks and gauges).
    public var count: Int { state.withLock { $0.objects.count } }

    /// True once the first full list has been applied.
    public var hasSynced: Bool { synced.isSettled }

    /// Suspends until the first full list has been applied (returns at once if it has), or the task is cancelled.
    public func waitUntilSynced() async { await synced.waitUntilOpenOrCancelled() }

    // MARK: Writer side (used by Reflector)

    /// Inserts or replaces; returns the previous object.
    @discardableResult
    func upsert(_ object: Object, key: ObjectKey) -> Object? {
        state.withLock { $0.objects.updateValue(object, forKey: key) }
    }

    /// Removes; returns the removed object.
    @discardableResult
    func remove(_ key: ObjectKey) -> Object? {
        state.withLock { $0.objects.removeValue(forKey: key) }
    }

    /// Replaces all contents atomically, marks the store synced and returns the previous contents.
    func replace(with objects: [ObjectKey: Object]) -> [ObjectKey: Object] {
        let old = state.withLock { state in
            defer { state.objects = objects }
            return state.objects
        }
        // After the objects: whoever sees the store synced finds the full list in it.
        synced.open()
        return old
    }
}
