import EventModel

/// Where the built-in sources write their CloudEvents: the same path as HTTP ingest
/// (`cloudevents_raw`). The app adapts its event store to this port.
///
/// Returning means every event is durably committed (or was already stored: the store dedupes on
/// `(source, id)`); throwing means nothing can be assumed and the caller retries the batch later.
public protocol CloudEventSink: Sendable {
    func ingest(cloudEvents: [CloudEvent]) async throws
}
