import Foundation
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// ``HistorySplitter``: a stream ordered by app and environment cut into whole histories, batched, rows kept intact.
@Suite("Calculator: the reports' stream split into histories", .enabled(if: TestDatabase.enabled))
struct HistorySplitterTests {
    /// Rows (app, environment, n) in this order, split with batches of about `batchReports` reports; each batch as
    /// "app/environment:n,n,…" per history, the n read back from the copied rows.
    static func split(_ rows: [(String, String?, Int64)], batchReports: Int, stopAfter: Int? = nil) async throws -> (batches: [[String]], error: (any Error)?) {
        try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            let (batches, batchesIn) = AsyncStream.makeStream(of: [MetricFactStore.StreamedHistory].self)
            let splitter = HistorySplitter(batchesIn, batchReports: batchReports)
            var binds = PostgresBindings()
            binds.append(rows.map { $0.0 })
            binds.append(rows.map { $0.1 ?? "<null>" })
            binds.append(rows.map { $0.2 })
            let query = PostgresQuery(
                unsafeSQL: RowCells.rows(of: "SELECT a, NULLIF(e, '<null>'), n FROM unnest($1::text[], $2::text[], $3::int8[]) WITH ORDINALITY u(a, e, n, i) ORDER BY i"),
                binds: binds)
            let seen = Counter()
            var failure: (any Error)?
            do {
                _ = try await client.withConnection { connection in
                    try await connection.query(query, logger: TestDatabase.logger) { row in
                        if let stopAfter, seen.next() == stopAfter { splitter.stop() }
                        try splitter.add(row)
                    }.get()
                }
                splitter.finish()
            } catch {
                splitter.stop()
                failure = error
            }
            var described: [[String]] = []
            for await batch in batches {
                described.append(try batch.map { history in
                    var numbers: [String] = []
                    var strings = RepeatedStrings(columns: 2)
                    try history.forEach { cells in
                        _ = (try cells.string(&strings), try cells.string(&strings))
                        numbers.append(String(try cells.int64()))
                    }
                    return "\(history.app)/\(history.environment):" + numbers.joined(separator: ",")
                })
            }
            return (described, failure)
        }
    }

    final class Counter: @unchecked Sendable {
        private var count = 0
        func next() -> Int {
            count += 1
            return count
        }
    }

    @Test("histories stay whole and in order; a batch closes once it holds at least the batch size; the last batch at the end")
    func batches() async throws {
        let rows: [(String, String?, Int64)] = [
            ("a", "x", 1), ("a", "x", 2), ("a", "y", 3), ("b", "x", 4), ("b", "x", 5), ("b", "x", 6), ("c", "x", 7),
        ]
        // Batches of 2: a/x (2 reports) closes the first when a/y begins; a/y and b/x (4) the second when c/x begins.
        let (batches, error) = try await Self.split(rows, batchReports: 2)
        #expect(error == nil)
        #expect(batches == [["a/x:1,2"], ["a/y:3", "b/x:4,5,6"], ["c/x:7"]])
        // One batch for everything when it never fills.
        #expect(try await Self.split(rows, batchReports: 100).batches == [["a/x:1,2", "a/y:3", "b/x:4,5,6", "c/x:7"]])
    }

    @Test("a row without its history key fails the stream with an error naming the field; stopped, the stream refuses the rest")
    func failures() async throws {
        let (batches, error) = try await Self.split([("a", "x", 1), ("a", nil, 2), ("b", "x", 3)], batchReports: 1)
        #expect((error as? RowCellsError)?.column == 1)
        #expect(batches.flatMap { $0 }.isEmpty)
        let stopped = try await Self.split([("a", "x", 1), ("b", "x", 2), ("c", "x", 3), ("d", "x", 4)], batchReports: 1, stopAfter: 3)
        #expect(stopped.error is CancellationError)
        // Rows 1 and 2 were taken (a/x's batch closed when b/x began); b/x was cut short and is not given.
        #expect(stopped.batches == [["a/x:1"]])
    }

    @Test("judging the batches: in stream order; cancelled after the first batch, it throws instead of returning part of them, and waits for the query")
    func judgeCancelled() async throws {
        // In order, all of them, two at a time.
        do {
            let (batches, batchesIn) = AsyncStream.makeStream(of: [MetricFactStore.StreamedHistory].self)
            let splitter = HistorySplitter(batchesIn)
            for app in ["a", "b", "c"] { batchesIn.yield([MetricFactStore.StreamedHistory(app: app, environment: "x")]) }
            let splitting = Task<Void, any Error> { splitter.finish() }
            let judged = try await HistorySplitter.judge(batches, splitter: splitter, splitting: splitting) { batch in batch.map(\.app).joined() }
            // The last, empty batch is the splitter's finish().
            #expect(judged == ["a", "b", "c", ""])
        }
        // Cancelled once the first batch is judged, with more to come: the stream's loop would just end.
        let (batches, batchesIn) = AsyncStream.makeStream(of: [MetricFactStore.StreamedHistory].self)
        let splitter = HistorySplitter(batchesIn)
        let (firstJudged, firstJudgedIn) = AsyncStream.makeStream(of: Void.self)
        let (queryDone, queryDoneIn) = AsyncStream.makeStream(of: Void.self)
        // The query: one batch, then it waits until the judging was cancelled, then ends well (its last rows had come
        // before the cancellation): only the judging can tell that it stopped short.
        let splitting = Task<Void, any Error> {
            batchesIn.yield([MetricFactStore.StreamedHistory(app: "a", environment: "x")])
            for await _ in queryDone {}
            splitter.finish()
        }
        let judging = Task {
            try await HistorySplitter.judge(batches, splitter: splitter, splitting: splitting) { batch in
                firstJudgedIn.yield()
                return batch.count
            }
        }
        for await _ in firstJudged { break }
        judging.cancel()
        queryDoneIn.finish()
        let result = await judging.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(splitting.isCancelled == false)
        // The stream was stopped by the cancellation: a row now would be refused.
        #expect(splitter.isStopped)
    }
}

