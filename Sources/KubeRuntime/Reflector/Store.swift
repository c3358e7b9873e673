import KubeCore
import Synchronization

/// A thread-safe in-memory cache of objects keyed by ``ObjectKey``, written by a ``Reflector``
/// (usually inside an ``Informer``) and readable from anywhere. It may lag slightly behind the
/// API server; it is a cache, not a source of truth.
public final class Store<Object: KubernetesResource>: Sendable {
    struct State {
        var objects: [ObjectKey: Object] = [:]
        var synced = false
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

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
    public var hasSynced: Bool { state.withLock { $0.synced } }

    /// Suspends until the first full list has been applied (returns at once if it has), or the task is cancelled.
    public func waitUntilSynced() async {
        let id: Int? = state.withLock { state in
            if state.synced { return nil }
            state.nextWaiter += 1
            return state.nextWaiter
        }
        guard let id else { return }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.synced || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

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
        let (old, waiters) = state.withLock { state in
            let old = state.objects
            state.objects = objects
            state.synced = true
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            return (old, waiters)
        }
        for waiter in waiters { waiter.resume() }
        return old
    }
}
