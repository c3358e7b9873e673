import DequeModule
import KubeClient
import KubeCore
import Logging
import Metrics
import PacerCore

/// List-then-watch as an `AsyncSequence` of ``WatcherEvent`` that never fails: errors are logged,
/// counted and retried with ``Backoff`` (honouring `Retry-After`). The sequence ends only when the
/// consuming task is cancelled.
///
/// # Recovery
/// - A watch that ends (server timeout, dropped connection, idle watchdog) resumes from the last
///   seen resourceVersion, bookmarks included, **without relisting**.
/// - HTTP 410 or an `ERROR` event with code 410 (history compacted) relists: `initStarted`,
///   `initApply`..., `initDone`, then watches from the new list's resourceVersion.
/// - An expired continue token (410 while paging) restarts the list.
public struct Watcher<Object: KubernetesResource>: AsyncSequence, Sendable {
    public typealias Element = WatcherEvent<Object>
    public typealias Failure = Never

    let source: any ListWatcher<Object>
    let configuration: WatcherConfiguration
    let logger: Logger

    public init(source: any ListWatcher<Object>, configuration: WatcherConfiguration = WatcherConfiguration(), logger: Logger = Logger(label: "pacer.watcher")) {
        self.source = source
        self.configuration = configuration
        var logger = logger
        logger[metadataKey: "resource"] = "\(source.resourceLabel)"
        self.logger = logger
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(source: source, configuration: configuration, logger: logger)
    }

    enum State {
        case empty
        case initPage(continueToken: String?, resourceVersion: String?)
        case initListed(resourceVersion: String)
        case watching(resourceVersion: String, events: any AsyncIteratorProtocol<WatchEvent<Object>, any Error>, started: ContinuousClock.Instant, received: Int)
    }

    /// The state machine. Not Sendable; iterate from one task.
    public struct Iterator: AsyncIteratorProtocol {
        let source: any ListWatcher<Object>
        let configuration: WatcherConfiguration
        let logger: Logger
        let metrics: WatcherMetrics
        var state: State = .empty
        var pending = Deque<WatcherEvent<Object>>()
        var backoff: Backoff
        var listedBefore = false
        /// Events seen since the last list; a 410 right after a list backs off instead of relisting at once.
        var eventsSinceList = 0

        init(source: any ListWatcher<Object>, configuration: WatcherConfiguration, logger: Logger) {
            self.source = source
            self.configuration = configuration
            self.logger = logger
            self.backoff = configuration.backoff
            self.metrics = WatcherMetrics(resource: source.resourceLabel)
        }

        public mutating func next() async -> WatcherEvent<Object>? {
            await nextEvent()
        }

        mutating func nextEvent() async -> WatcherEvent<Object>? {
            while true {
                if let event = pending.popFirst() { return event }
                if Task.isCancelled { return nil }
                do {
                    try await step()
                } catch {
                    if Task.isCancelled || error is CancellationError { return nil }
                    let delay = retryDelay(after: error)
                    metrics.errors.increment()
                    logger.warning("watch failed, retrying", metadata: ["error": "\(error)", "delay": "\(delay)"])
                    do {
                        try await Task.sleep(for: delay)
                    } catch {
                        return nil
                    }
                }
            }
        }

        mutating func retryDelay(after error: any Error) -> Duration {
            var delay = backoff.next()
            if let error = error as? KubeClientError, let retryAfter = error.retryAfter, retryAfter > delay {
                delay = Swift.min(retryAfter, .seconds(300))
            }
            return delay
        }

        /// One transition; appends zero or more events to `pending`, or throws (state already set for the retry).
        mutating func step() async throws {
            switch state {
            case .empty:
                if listedBefore { metrics.relists.increment() }
                listedBefore = true
                eventsSinceList = 0
                pending.append(.initStarted)
                state = .initPage(continueToken: nil, resourceVersion: nil)
            case .initPage(let token, let resourceVersion):
                try await listPage(token: token, resourceVersion: resourceVersion)
            case .initListed(let resourceVersion):
                do {
                    let events = try await source.watchEvents(WatchOptions(
                        labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                        resourceVersion: resourceVersion, allowWatchBookmarks: true, timeoutSeconds: configuration.watchTimeoutSeconds))
                    state = .watching(resourceVersion: resourceVersion, events: events.makeAsyncIterator(), started: .now, received: 0)
                } catch let error as KubeClientError where error.isGone {
                    try relistAfterGone(Status(message: error.message, reason: "Expired", code: 410))
                }
            case .watching(let resourceVersion, var events, let started, let received):
                state = .initListed(resourceVersion: resourceVersion)  // the resume point if anything below fails
                guard let event = try await events.next() else {
                    metrics.watchRestarts.increment()
                    if received == 0, ContinuousClock.now - started < configuration.minimumHealthyWatch {
                        throw WatcherError.watchClosedImmediately
                    }
                    logger.debug("watch ended, resuming", metadata: ["resourceVersion": "\(resourceVersion)"])
                    return
                }
                try handle(event, resourceVersion: resourceVersion, events: events, started: started, received: received + 1)
            }
        }

        mutating func listPage(token: String?, resourceVersion: String?) async throws {
            let page: ObjectList<Object>
            do {
                page = try await source.list(ListOptions(
                    labelSelector: configuration.labelSelector, fieldSelector: configuration.fieldSelector,
                    limit: configuration.pageSize, continueToken: token))
            } catch let error as KubeClientError where error.isGone && token != nil {
                logger.info("continue token expired, restarting list")
                state = .empty
                throw error
            }
            for item in page.items { pending.append(.initApply(item)) }
            let listVersion = resourceVersion ?? page.metadata.resourceVersion
            if let next = page.metadata.continue, !next.isEmpty {
                state = .initPage(continueToken: next, resourceVersion: listVersion)
                return
            }
            guard let listVersion, !listVersion.isEmpty else {
                pending.removeAll()
                state = .empty
                throw WatcherError.noResourceVersion
            }
            pending.append(.initDone)
            state = .initListed(resourceVersion: listVersion)
        }

        mutating func handle(
            _ event: WatchEvent<Object>, resourceVersion: String,
            events: any AsyncIteratorProtocol<WatchEvent<Object>, any Error>, started: ContinuousClock.Instant, received: Int
        ) throws {
            var version = resourceVersion
            switch event {
            case .added(let object), .modified(let object):
                version = object.metadata.resourceVersion ?? version
                pending.append(.apply(object))
            case .deleted(let object):
                version = object.metadata.resourceVersion ?? version
                pending.append(.delete(object))
            case .bookmark(let bookmark):
                version = bookmark.resourceVersion
            case .error(let status):
                if status.isGone {
                    try relistAfterGone(status)
                    return
                }
                state = .initListed(resourceVersion: version)
                throw WatcherError.watchError(status)
            }
            metrics.eventsReceived(event.typeName).increment()
            eventsSinceList += 1
            backoff.reset()
            state = .watching(resourceVersion: version, events: events, started: started, received: received)
        }

        mutating func relistAfterGone(_ status: Status) throws {
            logger.info("resourceVersion expired, relisting", metadata: ["status": "\(status)"])
            state = .empty
            // A 410 right after a fresh list means something is wrong: back off instead of looping.
            if eventsSinceList == 0 && listedBefore { throw WatcherError.watchError(status) }
        }
    }
}

/// Failures the watcher retries (never thrown to the consumer; logged and counted).
public enum WatcherError: Error, Sendable, CustomStringConvertible {
    /// The list had no `metadata.resourceVersion`, so there is nothing to watch from.
    case noResourceVersion
    /// An `ERROR` event in the watch stream.
    case watchError(Status)
    /// The server closed the watch at once without sending anything.
    case watchClosedImmediately

    public var description: String {
        switch self {
        case .noResourceVersion: "list response had no resourceVersion"
        case .watchError(let status): "watch ERROR event: \(status)"
        case .watchClosedImmediately: "watch closed immediately without events"
        }
    }
}
