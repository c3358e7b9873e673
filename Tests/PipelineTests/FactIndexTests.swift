import EventStore
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// A full fact rebuild drops the fact tables' keys and indexes and must leave exactly those the migrations made.
@Suite("Calculator fact indexes", .enabled(if: TestDatabase.enabled))
struct FactIndexTests {
    @Test("a full rebuild recreates exactly the keys and secondary indexes the migrations created")
    func rebuildRecreatesTheMigratedIndexes() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let migrated = try await Self.indexes(client)
            // Migration 5: 9 secondary indexes and 5 primary keys on the five fact tables; migration 8: one more.
            #expect(migrated.count == 15)
            let facts = MetricFactStore(logger: TestDatabase.logger)
            try await client.withTransaction(logger: TestDatabase.logger) { connection in
                try await facts.rebuild(upTo: .start, keeping: nil, on: connection)
            }
            #expect(try await Self.indexes(client) == migrated)
        }
    }

    /// `indexdef` of the fact tables' indexes (primary keys included), by name.
    static func indexes(_ client: PostgresClient) async throws -> [String: String] {
        var result: [String: String] = [:]
        let rows = try await client.query(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename IN ('deployments', 'changes', 'incident_events', 'incidents', 'lead_times') 
            """, logger: TestDatabase.logger)
        for try await (name, definition) in rows.decode((String, String).self) { result[name] = definition }
        return result
    }
}
