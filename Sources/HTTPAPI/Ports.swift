import EventModel

/// What a request's events became: stored now, or already stored (a redelivery).
public struct IngestResult: Sendable, Equatable {
    public var stored: Int
    public var duplicates: Int
    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// Where ingested CloudEvents go. Returning means the events are durably committed.
/// Throw `IngestUnavailable` when they cannot be committed now (the route answers 503 with Retry-After).
public protocol EventIngesting: Sendable {
    func ingest(cloudEvents: [CloudEvent]) async throws -> IngestResult
    /// CDEvents, already validated, go to `cdevents_raw`.
    func ingest(cdEvents: [CDEvent]) async throws -> IngestResult
}

/// Readiness of the process's dependencies (the database).
public protocol ReadinessChecking: Sendable {
    /// Nil when ready, else the reason it is not.
    func notReadyReason() async -> String?
}
