import PostgresNIO
import TestSupport
import Testing

@testable import EventStore

@Suite("Commit horizon", .enabled(if: TestDatabase.enabled))
struct CommitHorizonTests {
    /// Evaluates the horizon query in PostgreSQL for `next` and the 32-bit ids `running`.
    func horizon(next: Int64, running: [Int64], client: PostgresClient) async throws -> Int64 {
        let xids = running.isEmpty
            ? "SELECT NULL::bigint AS xid WHERE false"
            : "SELECT column1 AS xid FROM (VALUES " + running.map { "(\($0)::bigint)" }.joined(separator: ", ") + ") v"
        let sql = CommitHorizon.horizonQuery(next: next, xids: xids)
        for try await value in try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger).decode(Int64.self) {
            return value
        }
        throw QueryFailed(description: "no row")
    }

    struct QueryFailed: Error { var description: String }

    @Test("the oldest running transaction holds the horizon; one that started after `next` was read does not, and never makes it negative")
    func widening() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let epoch: Int64 = 1 << 32
            let next = 3 * epoch + 1_000
            // Nothing running: the next id.
            let h1 = try await horizon(next: next, running: [], client: client)
            #expect(h1 == next)
            // Older transactions (32-bit ids of the same epoch): the oldest.
            let h2 = try await horizon(next: next, running: [900, 950], client: client)
            #expect(h2 == next - 100)
            // A transaction that got its id between reading `next` and reading the running ones is at or after `next`.
            let h3 = try await horizon(next: next, running: [1_005], client: client)
            #expect(h3 == next)
            let h4 = try await horizon(next: next, running: [1_005, 990], client: client)
            #expect(h4 == next - 10)
            // An id from before the epoch turned (next is just past a multiple of 2^32).
            let early = 2 * epoch + 5
            let h5 = try await horizon(next: early, running: [epoch - 10], client: client)
            #expect(h5 == early - 15)
            let h6 = try await horizon(next: early, running: [epoch - 10, 7], client: client)
            #expect(h6 == early - 15)
        }
    }

    @Test("against the live server: a transaction that is still running holds the horizon at or below its id until it commits")
    func live() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await client.withConnection { writer in
                try await writer.query("BEGIN", logger: TestDatabase.logger)
                var id: Int64 = 0
                for try await value in try await writer.query("SELECT pg_current_xact_id()::text::bigint", logger: TestDatabase.logger).decode(Int64.self) {
                    id = value
                }
                // Other transactions of this database can hold it lower still (an autovacuum worker's ANALYZE has a
                // transaction id too: seen under a parallel test run), never higher.
                let held = try await client.withConnection { connection in
                    try await CommitHorizon.current(on: connection, logger: TestDatabase.logger)
                }
                #expect(held <= id)
                try await writer.query("COMMIT", logger: TestDatabase.logger)
                // Once it commits (and whatever else was running ends), the horizon passes it.
                var released: Int64 = 0
                let deadline = ContinuousClock.now + .seconds(30)
                while released <= id, ContinuousClock.now < deadline {
                    released = try await client.withConnection { connection in
                        try await CommitHorizon.current(on: connection, logger: TestDatabase.logger)
                    }
                    if released <= id { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(released > id)
            }
        }
    }
}
