import EventStore
import Logging
import NIOCore
import PostgresNIO

/// Loads the benchmark rows straight into PostgreSQL, without Pacer: `COPY` (the machine's ceiling) and one
/// `INSERT` per transaction from several connections (the seed tutorial's write path without its HTTP layer).
struct DirectLoad {
    let client: PostgresClient
    let events: BenchEvents
    let logger: Logger

    static let columns = ["ce_id", "ce_source", "ce_type", "ce_subject", "ce_time", "content"]

    /// One `COPY cloudevents_raw FROM STDIN` on one connection, written in chunks of `rowsPerWrite` rows.
    func copy(rowsPerWrite: Int = 1000) async throws -> ModeResult {
        let start = monotonicNanos()
        try await client.withConnection { connection in
            try await connection.copyFrom(table: "cloudevents_raw", columns: Self.columns, logger: logger) { writer in
                var lower = 0
                while lower < events.count {
                    let upper = min(lower + rowsPerWrite, events.count)
                    var buffer = ByteBuffer()
                    buffer.reserveCapacity((upper - lower) * 700)
                    events.copyText(lower..<upper, into: &buffer)
                    try await writer.write(buffer)
                    lower = upper
                }
            }
        }
        let elapsed = monotonicNanos() - start
        return ModeResult(name: "COPY (1 connection)", events: events.count, requests: 1, elapsedNanos: elapsed, latencies: nil)
    }

    /// `INSERT … ON CONFLICT DO NOTHING`, each its own implicit transaction, from `connections` connections.
    func insertPerTransaction(connections: Int) async throws -> ModeResult {
        let start = monotonicNanos()
        let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
            for worker in 0..<connections {
                group.addTask {
                    var samples: [UInt64] = []
                    samples.reserveCapacity(events.count / connections + 1)
                    try await client.withConnection { connection in
                        var index = worker
                        while index < events.count {
                            let began = monotonicNanos()
                            let query: PostgresQuery = """
                                INSERT INTO cloudevents_raw (ce_id, ce_source, ce_type, ce_subject, ce_time, content)
                                VALUES (\(events.id(index)), \(events.source(index)), \(BenchEvents.type), \(events.subject(index)),
                                        \(events.time(index))::timestamptz, \(events.structured(index))::jsonb)
                                ON CONFLICT (ce_source, ce_id) DO NOTHING
                                """
                            try await connection.query(query, logger: logger)
                            samples.append(monotonicNanos() - began)
                            index += connections
                        }
                    }
                    return samples
                }
            }
            var all: [UInt64] = []
            for try await samples in group { all += samples }
            return all
        }
        let elapsed = monotonicNanos() - start
        return ModeResult(
            name: "INSERT per transaction (\(connections) connections)", events: events.count, requests: events.count,
            elapsedNanos: elapsed, latencies: LatencySummary(latencies))
    }
}

/// The outcome of one load mode.
struct ModeResult {
    var name: String
    var events: Int
    var requests: Int
    var elapsedNanos: UInt64
    var latencies: LatencySummary?
    var storedRows: Int = 0

    var eventsPerSecond: Double { Double(events) / (Double(elapsedNanos) / 1e9) }
}

/// Small SQL helpers over the pool.
extension PostgresClient {
    func count(table: String, logger: Logger) async throws -> Int {
        var result = 0
        for try await value in try await query(PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"), logger: logger).decode(Int.self) {
            result = value
        }
        return result
    }

    func execute(_ sql: String, logger: Logger) async throws {
        try await query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }
}
