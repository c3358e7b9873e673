import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PacerCore

/// Thrown inside a watch body to close the connection abruptly (fault injection).
struct WatchDropped: Error {}

/// One `?watch=1` request: a chunked `application/json` stream of `{"type":..,"object":..}` lines.
///
/// Starts with synthetic ADDED events (resourceVersion unset or "0", or `sendInitialEvents=true`) or with the
/// history replay after the given resourceVersion; an expired resourceVersion gets one ERROR event (410 Expired).
/// Bookmarks are sent every `bookmarkInterval` and just before `timeoutSeconds` ends the stream.
struct WatchRequest: Sendable {
    let type: ResourceType
    let namespace: String?
    let resourceVersion: String?
    let labels: LabelSelector
    let fields: FieldSelector
    let renderer: Renderer
    let allowBookmarks: Bool
    let initialEventsEndBookmark: Bool
    let timeout: Duration
    let bookmarkInterval: Duration

    init(type: ResourceType, path: APIPath.ResourcePath, query: QueryParameters, renderer: Renderer, bookmarkInterval: Duration) throws {
        self.type = type
        self.namespace = path.namespace
        self.renderer = renderer
        self.bookmarkInterval = bookmarkInterval
        labels = try LabelSelector(parsing: query["labelSelector"] ?? "")
        fields = try FieldSelector(parsing: query["fieldSelector"] ?? "", type: type.key)
        allowBookmarks = query.bool("allowWatchBookmarks")
        let rv = query["resourceVersion"]
        if let rv, !rv.isEmpty, rv != "0", Int64(rv) == nil { throw APIError.badRequest("invalid resource version: \(rv)") }
        if query.bool("sendInitialEvents") {
            guard query["resourceVersionMatch"] == "NotOlderThan" else {
                throw APIError(
                    code: 422, reason: "Invalid",
                    message: "resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
            }
            resourceVersion = nil
            initialEventsEndBookmark = allowBookmarks
        } else {
            resourceVersion = rv
            initialEventsEndBookmark = false
        }
        let seconds = query.int("timeoutSeconds").flatMap { $0 > 0 ? $0 : nil } ?? 1800
        timeout = .seconds(seconds)
    }

    func response(store: ObjectStore) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody { writer in try await self.stream(store: store, writer: &writer) })
    }

    private func matches(_ object: JSONValue) -> Bool {
        labels.matches(object: object) && fields.matches(object: object)
    }

    /// The line for one store event, or nil when selectors hide it. An object entering or leaving
    /// the selector shows as ADDED or DELETED.
    private func render(_ event: StoreEvent) -> [UInt8]? {
        let filtering = !labels.isEmpty || !fields.isEmpty
        let now = !filtering || matches(event.object)
        switch event.type {
        case .added, .deleted:
            return now ? renderer.watchEvent(event.type.rawValue, event.object, bytes: event.bytes) : nil
        case .modified:
            let before = !filtering || event.old.map(matches) ?? true
            switch (before, now) {
            case (true, true): return renderer.watchEvent("MODIFIED", event.object, bytes: event.bytes)
            case (false, true): return renderer.watchEvent("ADDED", event.object, bytes: event.bytes)
            case (true, false):
                // The last state that matched, at this event's resourceVersion (as the apiserver's watch cache sends it).
                guard var last = event.old else { return renderer.watchEvent("DELETED", event.object, bytes: event.bytes) }
                last["metadata"]?["resourceVersion"] = .string(String(event.resourceVersion))
                return renderer.watchEvent("DELETED", last, bytes: last.jsonBytes())
            case (false, false): return nil
            }
        }
    }

    private func stream(store: ObjectStore, writer: inout any ResponseBodyWriter) async throws {
        let opening = try store.openWatch(type.key, namespace: namespace, resourceVersion: resourceVersion)
        switch opening {
        case .expired(let requested, let oldest):
            let error = APIError(code: 410, reason: "Expired", message: "too old resource version: \(requested) (\(oldest))")
            try await writer.write(ByteBuffer(bytes: renderer.errorEvent(error)))
            try await writer.finish(nil)
        case .opened(let id, let initial, let openedAt, let events):
            defer { store.closeWatch(id, key: type.key) }
            var buffer: [UInt8] = []
            for event in initial {
                guard let line = render(event) else { continue }
                buffer += line
                if buffer.count > 64 * 1024 {
                    try await writer.write(ByteBuffer(bytes: buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            if initialEventsEndBookmark { buffer += renderer.bookmark(openedAt, initialEventsEnd: true) }
            if !buffer.isEmpty { try await writer.write(ByteBuffer(bytes: buffer)) }
            try await pump(events, id: id, store: store, writer: &writer)
            try await writer.finish(nil)
        }
    }

    private func pump(_ events: AsyncStream<WatchSignal>, id: Int, store: ObjectStore, writer: inout any ResponseBodyWriter) async throws {
        let key = type.key
        let interval = bookmarkInterval
        let bookmarks = allowBookmarks
        let timeout = timeout
        try await withThrowingTaskGroup(of: Void.self) { group in
            if bookmarks {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: interval)
                        if !Task.isCancelled { store.bookmark(id, key: key) }
                    }
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { store.endWatch(id, key: key, finalBookmark: bookmarks) }
            }
            defer { group.cancelAll() }
            loop: for await signal in events {
                switch signal {
                case .event(let event):
                    if let line = render(event) { try await writer.write(ByteBuffer(bytes: line)) }
                case .bookmark(let rv):
                    try await writer.write(ByteBuffer(bytes: renderer.bookmark(rv)))
                case .drop:
                    throw WatchDropped()
                case .close:
                    break loop
                }
            }
        }
    }
}
