import EventModel
import EventStore
import HTTPAPI
import Logging
import PostgresNIO
import Synchronization

/// Ingest through the group committer into `cloudevents_raw`: the same path for HTTP and built-in sources.
public struct StoreIngester: EventIngesting {
    let cloudEvents: GroupCommitter<CloudEventRow>
    let schema: SchemaGate

    public func ingest(cloudEvents events: [CloudEvent]) async throws -> IngestResult {
        guard schema.isReady else {
            throw IngestUnavailable("the database schema is not ready yet (is PostgreSQL reachable?)", retryAfterSeconds: 2)
        }
        do {
            let result = try await cloudEvents.submit(events.map(CloudEventRow.init))
            return IngestResult(stored: result.stored, duplicates: result.duplicates)
        } catch let error as EventStoreError {
            throw IngestUnavailable("events not stored: \(error)", retryAfterSeconds: 2)
        }
    }
}

/// Ready when migrations have run and the database answers.
struct DatabaseReadiness: ReadinessChecking {
    let store: PostgresEventStore
    let schema: SchemaGate

    func notReadyReason() async -> String? {
        guard schema.isReady else { return "database schema not migrated yet" }
        guard await store.ping() else { return "database not answering" }
        return nil
    }
}

/// Opens once migrations have been applied.
public final class SchemaGate: Sendable {
    private let ready = Atomic<Bool>(false)
    public init() {}
    public var isReady: Bool { ready.load(ordering: .acquiring) }
    func open() { ready.store(true, ordering: .releasing) }
}
