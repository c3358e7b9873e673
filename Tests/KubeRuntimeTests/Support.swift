import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import PacerCore
import Synchronization
import TestSupport

/// Takes the first `count` events of a watcher (within a timeout), then stops it.
func firstEvents<Object>(_ watcher: Watcher<Object>, count: Int, timeout: Double = 120) async throws -> [WatcherEvent<Object>] {
    try await withTimeout(timeout) {
        var events: [WatcherEvent<Object>] = []
        for await event in watcher {
            events.append(event)
            if events.count == count { break }
        }
        return events
    }
}

/// A compact description of watcher events for assertions: `start`, `init:a@1`, `done`, `apply:a@2`, `delete:a@3`.
func summary<Object: KubernetesResource>(_ events: [WatcherEvent<Object>]) -> [String] {
    events.map { event in
        func label(_ object: Object) -> String { "\(object.metadata.name ?? "?")@\(object.metadata.resourceVersion ?? "?")" }
        switch event {
        case .initStarted: return "start"
        case .initApply(let object): return "init:\(label(object))"
        case .initDone: return "done"
        case .apply(let object): return "apply:\(label(object))"
        case .delete(let object): return "delete:\(label(object))"
        }
    }
}

/// A scripted API server for the watcher (kube-rs `Scenario` style): each list/watch call takes the
/// next scripted step and is recorded. When the script runs out, watches hang until cancelled.
final class ScriptedSource: ListWatcher, Sendable {
    typealias Object = Item

    enum ListStep: Sendable {
        case page([Item], resourceVersion: String, continue: String? = nil)
        case fail(KubeClientError)
    }

    enum WatchStep: Sendable {
        /// Deliver the events, then end the stream normally (a dropped / timed-out connection).
        case events([WatchEvent<Item>])
        /// Deliver the events, then fail the stream.
        case eventsThenFail([WatchEvent<Item>], KubeClientError)
        /// The watch request itself fails.
        case fail(KubeClientError)
    }

    enum Call: Equatable, Sendable {
        case list(continueToken: String?)
        case watch(resourceVersion: String?)
    }

    struct State {
        var lists: [ListStep]
        var watches: [WatchStep]
        var calls: [Call] = []
        var callTimes: [ContinuousClock.Instant] = []
    }

    let state: Mutex<State>
    var resourceLabel: String { "items" }

    init(lists: [ListStep], watches: [WatchStep]) {
        state = Mutex(State(lists: lists, watches: watches))
    }

    var calls: [Call] { state.withLock { $0.calls } }
    var callTimes: [ContinuousClock.Instant] { state.withLock { $0.callTimes } }

    func list(_ options: ListOptions) async throws -> ObjectList<Item> {
        let step = state.withLock { state -> ListStep? in
            state.calls.append(.list(continueToken: options.continueToken))
            state.callTimes.append(.now)
            return state.lists.isEmpty ? nil : state.lists.removeFirst()
        }
        switch step {
        case .page(let items, let rv, let token)?:
            return ObjectList(metadata: ListMeta(resourceVersion: rv, continue: token), items: items)
        case .fail(let error)?:
            throw error
        case nil:
            try await Task.sleep(for: .seconds(3600))
            throw CancellationError()
        }
    }

    func watchEvents(_ options: WatchOptions) async throws -> any AsyncSequence<WatchEvent<Item>, any Error> {
        let step = state.withLock { state -> WatchStep? in
            state.calls.append(.watch(resourceVersion: options.resourceVersion))
            state.callTimes.append(.now)
            return state.watches.isEmpty ? nil : state.watches.removeFirst()
        }
        let (stream, continuation) = AsyncThrowingStream<WatchEvent<Item>, any Error>.makeStream()
        switch step {
        case .events(let events)?:
            for event in events { continuation.yield(event) }
            continuation.finish()
        case .eventsThenFail(let events, let error)?:
            for event in events { continuation.yield(event) }
            continuation.finish(throwing: error)
        case .fail(let error)?:
            throw error
        case nil:
            break  // never finishes: the watch idles until the consumer is cancelled
        }
        return stream
    }
}

/// A fast backoff for tests.
let testBackoff = Backoff(initial: .milliseconds(20), maximum: .milliseconds(200), jitter: 0)

func gone() -> KubeClientError {
    KubeClientError(code: .api, httpStatus: 410, status: Status(message: "too old", reason: "Expired", code: 410), message: "gone")
}

func serverError(_ code: Int = 500, retryAfter: Duration? = nil) -> KubeClientError {
    KubeClientError(code: .api, httpStatus: code, status: Status(message: "boom", reason: code == 429 ? "TooManyRequests" : "InternalError", code: code), retryAfter: retryAfter, message: "boom")
}

/// A thread-safe list of strings for recording callbacks in tests.
final class Log: Sendable {
    private let lines = Mutex<[String]>([])

    init() {}

    func withLock<R>(_ body: (inout [String]) -> R) -> R {
        lines.withLock { body(&$0) }
    }

    func append(_ line: String) { withLock { $0.append(line) } }
}

/// A real list/watch source whose watch requests can be held back: while held, a watch call waits (and is
/// counted) until `release()`. The test then knows a reconnect is pending and decides when it reaches the API
/// server, instead of guessing with a pause.
final class GatedSource<Base: ListWatcher>: ListWatcher, Sendable {
    typealias Object = Base.Object
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    let base: Base
    private let state = Mutex(State())

    init(_ base: Base) { self.base = base }

    var resourceLabel: String { base.resourceLabel }
    /// Watch calls waiting for `release()`.
    var waiting: Int { state.withLock { $0.waiters.count } }

    func hold() { state.withLock { $0.held = true } }

    func release() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.held = false
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func list(_ options: ListOptions) async throws -> ObjectList<Object> { try await base.list(options) }

    func watchEvents(_ options: WatchOptions) async throws -> any AsyncSequence<WatchEvent<Object>, any Error> {
        await withCheckedContinuation { continuation in
            let proceed = state.withLock { state -> Bool in
                guard state.held else { return true }
                state.waiters.append(continuation)
                return false
            }
            if proceed { continuation.resume() }
        }
        return try await base.watchEvents(options)
    }
}
