import Foundation
import PacerCore
import Synchronization

/// The in-memory object store: one lock around `StoreState`, so every write is atomic, gets the next
/// global resourceVersion, and is fanned out to open watches in order. Reads copy the (copy-on-write)
/// collection out of the lock and filter/sort outside it, so a 10,000-object list does not block writers.
final class ObjectStore: Sendable {
    let state: Mutex<StoreState>

    init(historyWindow: Int) {
        var initial = StoreState(historyWindow: historyWindow)
        for type in BuiltinTypes.all() { initial.register(type) }
        for name in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            _ = try? initial.create(
                BuiltinTypes.all()[0], version: "v1", namespace: nil, body: ["metadata": ["name": .string(name)]], options: WriteOptions())
        }
        state = Mutex(initial)
    }

    func transact<T: Sendable>(_ body: (inout StoreState) throws -> T) throws -> T {
        try state.withLock { state in try body(&state) }
    }

    func read<T: Sendable>(_ body: (borrowing StoreState) -> T) -> T {
        state.withLock { state in body(state) }
    }

    func type(group: String, version: String, resource: String) -> ResourceType? {
        read { $0.type(group: group, version: version, resource: resource) }
    }

    var allTypes: [ResourceType] { read { Array($0.types.values) } }
    var typesGeneration: Int { read { $0.typesGeneration } }
    var currentResourceVersion: Int64 { read { $0.resourceVersion } }

    // MARK: List

    struct ListPage: Sendable {
        var items: [StoredObject]
        var resourceVersion: Int64
        var continueToken: String?
        var remainingItemCount: Int?
    }

    struct ListQuery: Sendable {
        var namespace: String?
        var labels: LabelSelector
        var fields: FieldSelector
        var limit: Int?
        var continueToken: String?
    }

    func list(_ key: TypeKey, _ query: ListQuery) throws -> ListPage {
        let listRV: Int64
        var startAfter: String?
        var all: [String: StoredObject]
        if let token = query.continueToken, !token.isEmpty {
            guard let decoded = ContinueToken(encoded: token) else { throw APIError.badRequest("continue key is not valid: \(token)") }
            // Every page is read from the collection as it was at the first page's resourceVersion.
            guard let snapshot = read({ $0.snapshot(key, at: decoded.resourceVersion) }) else {
                var error = APIError.gone(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
                error.reason = "Expired"
                throw error
            }
            all = snapshot
            listRV = decoded.resourceVersion
            startAfter = decoded.startAfter
        } else {
            let current = read { state in (state.objects[key] ?? [:], state.resourceVersion) }
            all = current.0
            listRV = current.1
        }
        let prefix = query.namespace.map { "\($0)/" }
        var keys = all.keys.filter { key in
            if let prefix, !key.hasPrefix(prefix) { return false }
            if let startAfter, key <= startAfter { return false }
            return true
        }
        keys.sort()
        let filtering = !query.labels.isEmpty || !query.fields.isEmpty
        var items: [StoredObject] = []
        let limit = query.limit.flatMap { $0 > 0 ? $0 : nil }
        var lastKey: String?
        var index = 0
        while index < keys.count {
            let key = keys[index]
            index += 1
            guard let stored = all[key] else { continue }
            if filtering, !(query.labels.matches(object: stored.value) && query.fields.matches(object: stored.value)) { continue }
            items.append(stored)
            lastKey = key
            if let limit, items.count >= limit { break }
        }
        var page = ListPage(items: items, resourceVersion: listRV)
        if limit != nil, index < keys.count, let lastKey {
            page.continueToken = ContinueToken(resourceVersion: listRV, startAfter: lastKey).encoded
            if !filtering { page.remainingItemCount = keys.count - index }
        }
        return page
    }

    // MARK: Watch

    enum WatchOpening: Sendable {
        case opened(id: Int, initial: [StoreEvent], resourceVersion: Int64, stream: AsyncStream<WatchSignal>)
        /// The requested resourceVersion is older than the kept history.
        case expired(requested: String, oldest: Int64)
    }

    func openWatch(_ key: TypeKey, namespace: String?, resourceVersion: String?) throws -> WatchOpening {
        let (stream, continuation) = AsyncStream.makeStream(of: WatchSignal.self, bufferingPolicy: .unbounded)
        return try state.withLock { state -> WatchOpening in
            var initial: [StoreEvent] = []
            if let rvText = resourceVersion, !rvText.isEmpty, rvText != "0" {
                guard let rv = Int64(rvText) else { throw APIError.badRequest("invalid resource version: \(rvText)") }
                guard let events = state.replay(after: rv, key: key, namespace: namespace) else {
                    return .expired(requested: rvText, oldest: state.floorRV)
                }
                initial = events
            } else {
                let prefix = namespace.map { "\($0)/" }
                for (objectKey, stored) in state.objects[key] ?? [:] {
                    if let prefix, !objectKey.hasPrefix(prefix) { continue }
                    let meta = stored.value["metadata"]
                    initial.append(
                        StoreEvent(
                            type: .added, resourceVersion: stored.resourceVersion, typeKey: key,
                            namespace: meta?["namespace"]?.stringValue ?? "", name: meta?["name"]?.stringValue ?? "",
                            object: stored.value, bytes: stored.bytes, old: nil))
                }
                initial.sort { $0.resourceVersion < $1.resourceVersion }
            }
            let id = state.addWatcher(key, namespace: namespace, continuation: continuation)
            return .opened(id: id, initial: initial, resourceVersion: state.resourceVersion, stream: stream)
        }
    }

    func closeWatch(_ id: Int, key: TypeKey) {
        state.withLock { $0.removeWatcher(id, key: key) }
    }

    /// Ends one watch cleanly (its timeout), after a last bookmark when the client allows bookmarks.
    func endWatch(_ id: Int, key: TypeKey, finalBookmark: Bool) {
        state.withLock { state in
            if finalBookmark { state.bookmark(id, key: key) }
            state.watchers[key]?[id]?.continuation.yield(.close)
            state.removeWatcher(id, key: key)
        }
    }

    func bookmark(_ id: Int, key: TypeKey) {
        state.withLock { $0.bookmark(id, key: key) }
    }

    func endAllWatches(abruptly: Bool) {
        state.withLock { $0.endAllWatches(abruptly: abruptly) }
    }

    func compact() {
        state.withLock { $0.compact() }
    }
}

/// The opaque `continue` token: the list's resourceVersion plus the last key returned.
struct ContinueToken {
    var resourceVersion: Int64
    var startAfter: String

    init(resourceVersion: Int64, startAfter: String) {
        self.resourceVersion = resourceVersion
        self.startAfter = startAfter
    }

    init?(encoded: String) {
        guard let data = Data(base64Encoded: encoded), let value = try? JSONValue.parse(Array(data)),
            let rv = value["rv"]?.intValue, let start = value["start"]?.stringValue
        else { return nil }
        resourceVersion = rv
        startAfter = start
    }

    var encoded: String {
        Data(JSONValue.object(["rv": .int(resourceVersion), "start": .string(startAfter)]).jsonBytes()).base64EncodedString()
    }
}
