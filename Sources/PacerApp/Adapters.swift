import Controllers
import EventModel
import EventStore
import HTTPAPI
import Logging
import Metrics
import PacerCore
import PostgresNIO
import ServiceLifecycle
import Synchronization

/// Ingest through the group committer into `cloudevents_raw`: the same path for HTTP and built-in sources.
public struct StoreIngester: EventIngesting {
    /// `pacer_events_stored_total` / `pacer_events_duplicates_total` of one table, made once (not per request).
    struct TableCounters: Sendable {
        let stored: Counter
        let duplicates: Counter
        init(table: String) {
            stored = Counter(label: "pacer_events_stored_total", dimensions: [("table", table)])
            duplicates = Counter(label: "pacer_events_duplicates_total", dimensions: [("table", table)])
        }
    }

    let cloudEvents: GroupCommitter<CloudEventRow>
    let cdEvents: GroupCommitter<CDEventRow>
    let schema: SchemaGate
    let cloudEventCounters = TableCounters(table: "cloudevents_raw")
    let cdEventCounters = TableCounters(table: "cdevents_raw")

    public func ingest(cdEvents events: [CDEvent]) async throws -> IngestResult {
        try await commit(events.map(CDEventRow.init), to: cdEvents, counters: cdEventCounters)
    }

    public func ingest(cloudEvents events: [CloudEvent]) async throws -> IngestResult {
        try await commit(events.map(CloudEventRow.init), to: cloudEvents, counters: cloudEventCounters)
    }

    private func commit<Row: KeyedRow>(_ rows: [Row], to committer: GroupCommitter<Row>, counters: TableCounters) async throws -> IngestResult {
        guard schema.isReady else {
            throw IngestUnavailable("the database schema is not ready yet (is PostgreSQL reachable?)", retryAfterSeconds: 2)
        }
        do {
            let result = try await committer.submit(rows)
            counters.stored.increment(by: result.stored)
            counters.duplicates.increment(by: result.duplicates)
            return IngestResult(stored: result.stored, duplicates: result.duplicates)
        } catch let error as EventStoreError where error.code == .rejected {
            throw IngestRejected("events not stored: \(error)")
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

    /// Returns once the schema is ready; throws `CancellationError` when cancelled first.
    func waitUntilReady() async throws {
        while !isReady {
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}

/// Starts `service` once the database schema is migrated, so the pipeline and the reconcilers do not fail (and
/// log) against missing tables while the first replica migrates.
struct AfterMigrations: Service {
    let gate: SchemaGate
    let service: any Service

    func run() async throws {
        do {
            try await gate.waitUntilReady()
        } catch is CancellationError {
            return
        }
        try await service.run()
    }
}

/// The reconcilers' configuration port is the configuration tables themselves.
extension PostgresConfigStore: ResourceConfigStore {}
