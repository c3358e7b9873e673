import EventModel
import EventStore
import Foundation
import Logging
import PacerCore
import PostgresNIO
import TestSupport
import Testing

func event(_ id: String, source: String = "/test", type: String = "demo.created") -> CloudEvent {
    CloudEvent(id: id, source: source, type: type, subject: "default/web", time: "2024-05-01T10:00:00Z", data: .json(["n": .string(id)]))
}

func count(_ client: PostgresClient, _ sql: String) async throws -> Int {
    var result = 0
    for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int.self) {
        result = value
    }
    return result
}

@Suite("Event writes", .enabled(if: TestDatabase.enabled))
struct EventWriteTests {
    @Test func storesIndexedAttributesAndTheJSONFormat() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            let inserted = try await client.withConnection { try await store.insert(cloudEvents: [CloudEventRow(event("a"))], on: $0) }
            #expect(inserted == [EventKey(source: "/test", id: "a")])
            var rows: [(String, String, String, String?, Date?, String, String)] = []
            let query: PostgresQuery = "SELECT ce_id, ce_source, ce_type, ce_subject, ce_time, content->>'specversion', content->'data'->>'n' FROM cloudevents_raw"
            for try await row in try await client.query(query, logger: TestDatabase.logger).decode((String, String, String, String?, Date?, String, String).self) {
                rows.append(row)
            }
            let row = try #require(rows.first)
            #expect(row.0 == "a" && row.1 == "/test" && row.2 == "demo.created" && row.3 == "default/web")
            #expect(row.4 == Date(timeIntervalSince1970: 1_714_557_600))
            #expect(row.5 == "1.0" && row.6 == "a")
        }
    }

    @Test func aRedeliveredEventIsStoredOnce() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            let rows = [CloudEventRow(event("a")), CloudEventRow(event("b"))]
            _ = try await client.withConnection { try await store.insert(cloudEvents: rows, on: $0) }
            let again = try await client.withConnection {
                try await store.insert(cloudEvents: rows + [CloudEventRow(event("a", source: "/other"))], on: $0)
            }
            #expect(again == [EventKey(source: "/other", id: "a")])
            let stored = try await count(client, "SELECT count(*)::int FROM cloudevents_raw")
            #expect(stored == 3)
        }
    }

    @Test func groupCommitBatchesConcurrentSubmissions() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            var configuration = GroupCommitter<CloudEventRow>.Configuration()
            configuration.writers = 1
            let committer = GroupCommitter<CloudEventRow>(configuration: configuration, logger: TestDatabase.logger) { rows in
                try await client.withConnection { try await store.insert(cloudEvents: rows, on: $0) }
            }
            let results = try await withThrowingTaskGroup(of: CommitResult.self) { group in
                group.addTask {
                    try await committer.run()
                    return CommitResult(stored: -1, duplicates: -1)
                }
                var results: [CommitResult] = []
                try await withThrowingTaskGroup(of: CommitResult.self) { submitters in
                    for i in 0..<300 {
                        submitters.addTask { try await committer.submit([CloudEventRow(event("e\(i % 250)"))]) }
                    }
                    for try await result in submitters { results.append(result) }
                }
                group.cancelAll()
                return results
            }
            #expect(results.count == 300)
            #expect(results.reduce(0) { $0 + $1.stored } == 250)
            #expect(results.reduce(0) { $0 + $1.duplicates } == 50)
            // One transaction per write: far fewer transactions than submissions.
            let transactions = try await count(client, "SELECT count(DISTINCT ingest_xid)::int FROM cloudevents_raw")
            #expect(transactions < 60, "expected group commit, got \(transactions) transactions for 250 events")
        }
    }

    @Test func anInsertNotifiesListeners() async throws {
        try await TestDatabase.withFreshDatabase { client, url in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            let received = try await TestDatabase.withClient(url: url) { listenerClient in
                try await listenerClient.withConnection { connection in
                    try await connection.listen(on: "pacer_cloudevents") { notifications in
                        _ = try await client.withConnection { try await store.insert(cloudEvents: [CloudEventRow(event("n"))], on: $0) }
                        return try await withDeadline(.seconds(5)) {
                            var iterator = notifications.makeAsyncIterator()
                            return try await iterator.next() != nil
                        }
                    }
                }
            }
            #expect(received)
        }
    }
}
