import Controllers
import EventModel

/// The Deployment source writes through the same group committer as HTTP ingest.
struct StoreCloudEventSink: CloudEventSink {
    let ingester: StoreIngester
    func ingest(cloudEvents: [CloudEvent]) async throws {
        _ = try await ingester.ingest(cloudEvents: cloudEvents)
    }
}
