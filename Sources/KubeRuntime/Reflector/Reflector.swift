import KubeCore

/// A change to a ``Store`` caused by one watcher event.
public enum StoreChange<Object: Sendable>: Sendable {
    case added(Object)
    /// `old` is what the store held before; `new` what it holds now.
    case updated(old: Object, new: Object)
    case deleted(Object)
}

/// Applies ``WatcherEvent``s to a ``Store`` and reports the resulting changes.
///
/// During a (re)list the objects are buffered; at `initDone` the store contents are replaced
/// atomically and the diff against the previous contents is reported: new keys are `added`,
/// keys whose resourceVersion changed are `updated`, unchanged objects produce nothing, and keys
/// that vanished during the gap are `deleted`.
public struct Reflector<Object: KubernetesResource> {
    public let store: Store<Object>
    /// Applied to every object before it is stored (keep only what you need to bound memory).
    let transform: (@Sendable (Object) -> Object)?
    private var buffer: [ObjectKey: Object]?

    public init(store: Store<Object>, transform: (@Sendable (Object) -> Object)? = nil) {
        self.store = store
        self.transform = transform
    }

    /// Applies one event; returns the changes in a stable (key) order.
    public mutating func apply(_ event: WatcherEvent<Object>) -> [StoreChange<Object>] {
        switch event {
        case .initStarted:
            buffer = [:]
            return []
        case .initApply(let raw):
            let object = transform.map { $0(raw) } ?? raw
            guard let key = object.key else { return [] }
            if buffer == nil { buffer = [:] }
            buffer?[key] = object
            return []
        case .initDone:
            let fresh = buffer ?? [:]
            buffer = nil
            let old = store.replace(with: fresh)
            return Self.diff(old: old, new: fresh)
        case .apply(let raw):
            let object = transform.map { $0(raw) } ?? raw
            guard let key = object.key else { return [] }
            if let previous = store.upsert(object, key: key) {
                return [.updated(old: previous, new: object)]
            }
            return [.added(object)]
        case .delete(let raw):
            guard let key = raw.key else { return [] }
            if let previous = store.remove(key) {
                return [.deleted(previous)]
            }
            return []
        }
    }

    static func diff(old: [ObjectKey: Object], new: [ObjectKey: Object]) -> [StoreChange<Object>] {
        var changes: [StoreChange<Object>] = []
        for key in Set(old.keys).union(new.keys).sorted() {
            switch (old[key], new[key]) {
            case (nil, let added?):
                changes.append(.added(added))
            case (let previous?, nil):
                changes.append(.deleted(previous))
            case (let previous?, let current?):
                if let oldUID = previous.metadata.uid, let newUID = current.metadata.uid, oldUID != newUID {
                    // Deleted and re-created during the gap.
                    changes.append(.deleted(previous))
                    changes.append(.added(current))
                } else if previous.metadata.resourceVersion != current.metadata.resourceVersion {
                    changes.append(.updated(old: previous, new: current))
                }
            case (nil, nil):
                break
            }
        }
        return changes
    }
}
