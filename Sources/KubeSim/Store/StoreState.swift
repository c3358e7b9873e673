import Foundation
import PacerCore

/// The mutable state of the simulated API server. Always accessed under `ObjectStore`'s lock, so every
/// operation (including validation and the fan-out to watches) is atomic and ordered by resourceVersion.
struct StoreState {
    struct Watcher {
        var typeKey: TypeKey
        var namespace: String?
        var continuation: AsyncStream<WatchSignal>.Continuation
    }

    var resourceVersion: Int64 = 1
    var types: [TypeKey: ResourceType] = [:]
    var objects: [TypeKey: [String: StoredObject]] = [:]
    /// Bumped whenever the set of types changes (discovery / OpenAPI hashes).
    var typesGeneration = 1

    /// Committed events in resourceVersion order; every event with RV > `floorRV` is present.
    var history: [StoreEvent] = []
    var historyStart = 0
    var floorRV: Int64 = 1
    let historyWindow: Int

    var watchers: [TypeKey: [Int: Watcher]] = [:]
    var nextWatcherID = 1

    init(historyWindow: Int) {
        self.historyWindow = max(1, historyWindow)
    }

    static func objectKey(namespace: String, name: String) -> String {
        namespace.isEmpty ? name : "\(namespace)/\(name)"
    }

    // MARK: Type registry

    func type(group: String, version: String, resource: String) -> ResourceType? {
        guard let type = types[TypeKey(group: group, resource: resource)], type.serves(version) else { return nil }
        return type
    }

    func type(apiVersion: String, kind: String) -> ResourceType? {
        let parts = apiVersion.split(separator: "/", maxSplits: 1).map(String.init)
        let (group, version) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts.first ?? "")
        return types.values.first { $0.group == group && $0.kind == kind && $0.serves(version) }
    }

    mutating func register(_ type: ResourceType) {
        types[type.key] = type
        if objects[type.key] == nil { objects[type.key] = [:] }
        typesGeneration += 1
    }

    /// Removes a type, deleting all its objects (DELETED events) and closing its watches.
    mutating func unregister(_ key: TypeKey) {
        let all = objects[key] ?? [:]
        for (_, stored) in all.sorted(by: { $0.key < $1.key }) {
            let meta = stored.value["metadata"]
            commitDelete(key, namespace: meta?["namespace"]?.stringValue ?? "", name: meta?["name"]?.stringValue ?? "", last: stored.value)
        }
        objects[key] = nil
        types[key] = nil
        for (_, watcher) in watchers[key] ?? [:] {
            watcher.continuation.yield(.close)
            watcher.continuation.finish()
        }
        watchers[key] = nil
        typesGeneration += 1
    }

    // MARK: Reads

    func stored(_ key: TypeKey, namespace: String, name: String) -> StoredObject? {
        objects[key]?[Self.objectKey(namespace: namespace, name: name)]
    }

    func namespaceExists(_ name: String) -> Bool {
        objects[TypeKey(group: "", resource: "namespaces")]?[name] != nil
    }

    // MARK: Commits (the only places that bump resourceVersion)

    /// Stores `value` (assigning the next resourceVersion), records the event and fans it out.
    @discardableResult
    mutating func commitPut(_ key: TypeKey, namespace: String, name: String, value: JSONValue, old: JSONValue?) -> StoredObject {
        resourceVersion += 1
        var object = value
        object["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        let stored = StoredObject(value: object, bytes: object.jsonBytes(), resourceVersion: resourceVersion)
        objects[key, default: [:]][Self.objectKey(namespace: namespace, name: name)] = stored
        record(
            StoreEvent(
                type: old == nil ? .added : .modified, resourceVersion: resourceVersion, typeKey: key, namespace: namespace,
                name: name, object: object, bytes: stored.bytes, old: old))
        return stored
    }

    /// Removes an object; the DELETED event carries the last state with a new resourceVersion.
    @discardableResult
    mutating func commitDelete(_ key: TypeKey, namespace: String, name: String, last: JSONValue) -> StoredObject {
        resourceVersion += 1
        var object = last
        object["metadata"]?["resourceVersion"] = .string(String(resourceVersion))
        let stored = StoredObject(value: object, bytes: object.jsonBytes(), resourceVersion: resourceVersion)
        objects[key]?[Self.objectKey(namespace: namespace, name: name)] = nil
        record(
            StoreEvent(
                type: .deleted, resourceVersion: resourceVersion, typeKey: key, namespace: namespace, name: name,
                object: object, bytes: stored.bytes, old: last))
        return stored
    }

    private mutating func record(_ event: StoreEvent) {
        history.append(event)
        if history.count - historyStart > historyWindow {
            floorRV = history[historyStart].resourceVersion
            historyStart += 1
            if historyStart > historyWindow {
                history.removeFirst(historyStart)
                historyStart = 0
            }
        }
        for (_, watcher) in watchers[event.typeKey] ?? [:] {
            if let namespace = watcher.namespace, namespace != event.namespace { continue }
            watcher.continuation.yield(.event(event))
        }
    }

    // MARK: Watches

    /// Drops all history: a watch from any earlier resourceVersion now gets 410 Expired.
    mutating func compact() {
        history.removeAll()
        historyStart = 0
        floorRV = resourceVersion
    }

    /// Events after `resourceVersion` for one type (and namespace), or nil when that version is too old.
    func replay(after rv: Int64, key: TypeKey, namespace: String?) -> [StoreEvent]? {
        guard rv >= floorRV else { return nil }
        // Binary search for the first event with RV > rv.
        var low = historyStart
        var high = history.count
        while low < high {
            let mid = (low + high) / 2
            if history[mid].resourceVersion <= rv { low = mid + 1 } else { high = mid }
        }
        return history[low...].filter { $0.typeKey == key && (namespace == nil || $0.namespace == namespace) }
    }

    /// The objects of one type as they were at resourceVersion `rv` (current objects with the changes after `rv`
    /// undone from the history), or nil when `rv` is older than the kept history.
    func snapshot(_ key: TypeKey, at rv: Int64) -> [String: StoredObject]? {
        var result = objects[key] ?? [:]
        guard rv < resourceVersion else { return result }
        guard let later = replay(after: rv, key: key, namespace: nil) else { return nil }
        var undone: Set<String> = []
        for event in later {
            let objectKey = Self.objectKey(namespace: event.namespace, name: event.name)
            guard undone.insert(objectKey).inserted else { continue }  // the first change after rv holds the state at rv
            if event.type == .added {
                result[objectKey] = nil
            } else if let old = event.old {
                let oldRV = old["metadata"]?["resourceVersion"]?.stringValue.flatMap { Int64($0) } ?? 0
                result[objectKey] = StoredObject(value: old, bytes: old.jsonBytes(), resourceVersion: oldRV)
            }
        }
        return result
    }

    mutating func addWatcher(_ key: TypeKey, namespace: String?, continuation: AsyncStream<WatchSignal>.Continuation) -> Int {
        let id = nextWatcherID
        nextWatcherID += 1
        watchers[key, default: [:]][id] = Watcher(typeKey: key, namespace: namespace, continuation: continuation)
        return id
    }

    mutating func removeWatcher(_ id: Int, key: TypeKey) {
        if let watcher = watchers[key]?.removeValue(forKey: id) { watcher.continuation.finish() }
    }

    func bookmark(_ id: Int, key: TypeKey) {
        watchers[key]?[id]?.continuation.yield(.bookmark(resourceVersion))
    }

    mutating func endAllWatches(abruptly: Bool) {
        for (_, byID) in watchers {
            for (_, watcher) in byID {
                watcher.continuation.yield(abruptly ? .drop : .close)
                watcher.continuation.finish()
            }
        }
        watchers.removeAll()
    }

    var openWatchCount: Int { watchers.values.reduce(0) { $0 + $1.count } }
}
