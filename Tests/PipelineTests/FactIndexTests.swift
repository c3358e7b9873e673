import EventStore
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Migration 5 and a full fact rebuild each spell the fact tables' secondary indexes; they must agree.
@Suite("Calculator fact indexes", .enabled(if: TestDatabase.enabled))
struct FactIndexTests {
    @Test("a full rebuild recreates exactly the secondary indexes migration 5 created")
    func rebuildRecreatesTheMigratedIndexes() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let migrated = try await Self.indexes(client)
            #expect(migrated.count == MetricFactSQL.secondaryIndexes.count)
            let facts = MetricFactStore(logger: TestDatabase.logger)
            try await client.withTransaction(logger: TestDatabase.logger) { connection in
                try await facts.rebuild(upTo: .start, on: connection)
            }
            #expect(try await Self.indexes(client) == migrated)
        }
    }

    /// `indexdef` of the fact tables' indexes other than their primary keys, by name.
    static func indexes(_ client: PostgresClient) async throws -> [String: String] {
        var result: [String: String] = [:]
        let rows = try await client.query(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename IN ('deployments', 'changes', 'incident_events', 'incidents', 'lead_times') AND indexname NOT LIKE '%_pkey'
            """, logger: TestDatabase.logger)
        for try await (name, definition) in rows.decode((String, String).self) { result[name] = definition }
        return result
    }
}
