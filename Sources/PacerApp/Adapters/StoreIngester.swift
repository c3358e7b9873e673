import EventModel
import EventStore
import HTTPAPI
import Metrics

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
    /// The cluster of the CDEvents posted directly that name none (`customData.cluster`, docs/metrics.md "Clusters").
    let clusterName: String
    let cloudEventCounters = TableCounters(table: "cloudevents_raw")
    let cdEventCounters = TableCounters(table: "cdevents_raw")

    public func ingest(cdEvents events: [CDEvent]) async throws -> IngestResult {
        try await commit(events.map { CDEventRow($0.inCluster(clusterName)) }, to: cdEvents, counters: cdEventCounters)
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
