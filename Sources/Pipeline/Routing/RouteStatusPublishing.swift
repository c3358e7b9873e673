import Foundation

/// The counters of one EventRoute that its `status` shows (`matchedEvents`, `lastMatchTime`).
public struct RouteStatusUpdate: Sendable, Hashable {
    /// Stored CloudEvents that matched the route's filters and `when` since the route was created.
    public var matchedEvents: Int64
    /// When the latest of them was stored (`cloudevents_raw.event_timestamp`), nil if none matched yet.
    public var lastMatchTime: Date?

    public init(matchedEvents: Int64, lastMatchTime: Date? = nil) {
        self.matchedEvents = matchedEvents
        self.lastMatchTime = lastMatchTime
    }
}

/// Where the pipeline reports route counters (the app writes them to `EventRoute.status` with a status patch).
/// Called from one task, at most once per `statusInterval` per route, only when the counters changed.
/// A throw is logged and the same update is offered again on the next round.
public protocol RouteStatusPublishing: Sendable {
    func publish(namespace: String, name: String, status: RouteStatusUpdate) async throws
}
