import PostgresNIO
import Synchronization

/// Splits the reports' stream (``MetricFactStore/ReportSource``, ordered by app and environment) into whole
/// histories, in batches of about ``batchReports`` reports, as PostgreSQL sends them: called for each row on the
/// connection's event loop (PostgresNIO's `onRow`), it reads only the row's app and environment and keeps a copy of
/// the row's bytes undecoded (``MetricFactStore/StreamedHistory``; the judging tasks decode their batches). Reading the stream as an async sequence cost a task switch
/// and a cancellation handler per row (0.35 s of CPU for the 900,000 rows of a recompute's streams).
final class HistorySplitter: Sendable {
    /// About this many reports per batch (whole histories: one batch may hold more).
    let batchReports: Int

    private struct State {
        var batch: [MetricFactStore.StreamedHistory] = []
        var inBatch = 0
        var history = MetricFactStore.StreamedHistory(app: "", environment: "")
        var strings = RepeatedStrings(columns: 2)
        var stopped = false
    }

    private let state = Mutex(State())
    private let batches: AsyncStream<[MetricFactStore.StreamedHistory]>.Continuation

    /// The batches go to `batches` in stream order.
    init(_ batches: AsyncStream<[MetricFactStore.StreamedHistory]>.Continuation, batchReports: Int = 16_384) {
        self.batches = batches
        self.batchReports = batchReports
    }

    /// Takes the next row; throws for a row that does not begin with its app and environment, or once
    /// ``stop()`` was called (which makes PostgresNIO cancel the query).
    func add(_ row: PostgresRow) throws {
        try state.withLock { (state: inout State) throws in
            if state.stopped { throw CancellationError() }
            try RowCells.record(of: row).withUnsafeReadableBytes { record in
                let (app, environment) = try RowCells.read(record: record) { cells in
                    (try cells.string(&state.strings), try cells.string(&state.strings))
                }
                // By their bytes, as PostgreSQL tells them apart (Swift's `==` equates canonically equivalent text).
                if !app.utf8.elementsEqual(state.history.app.utf8) || !environment.utf8.elementsEqual(state.history.environment.utf8) {
                    if state.history.count > 0 {
                        state.inBatch += state.history.count
                        state.batch.append(state.history)
                    }
                    if state.inBatch >= batchReports {
                        batches.yield(state.batch)
                        state.batch = []
                        state.inBatch = 0
                    }
                    state.history = MetricFactStore.StreamedHistory(app: app, environment: environment)
                }
                state.history.append(record)
            }
        }
    }

    /// After the last row: the last batch, and the end of the batches.
    func finish() {
        state.withLock { state in
            if state.history.count > 0 { state.batch.append(state.history) }
            batches.yield(state.batch)
            state.batch = []
            state.history = MetricFactStore.StreamedHistory(app: "", environment: "")
        }
        batches.finish()
    }

    /// Whether ``stop()`` was called.
    var isStopped: Bool { state.withLock { $0.stopped } }

    /// Ends the batches without the rest (the query failed, or the pass stopped): rows still coming are refused.
    func stop() {
        state.withLock { $0.stopped = true }
        batches.finish()
    }

    /// Each of `batches` (what `splitter` yields; `splitting` runs the query that feeds it) given to `body` on a child
    /// task, at most two at a time; the results in stream order. Throws when the query failed, or when this task was
    /// cancelled: an `AsyncStream`'s loop ends without an error when its task is cancelled, and the batches taken
    /// until then are not all the reports (judged in part, a pass would write part of its tables). The query is
    /// waited for either way.
    static func judge<Judged: Sendable>(
        _ batches: AsyncStream<[MetricFactStore.StreamedHistory]>, splitter: HistorySplitter, splitting: Task<Void, any Error>,
        _ body: @escaping @Sendable ([MetricFactStore.StreamedHistory]) throws -> Judged
    ) async throws -> [Judged] {
        let judged: [Judged]
        do {
            judged = try await withTaskCancellationHandler {
                try await withThrowingTaskGroup(of: (Int, Judged).self) { group in
                    var results: [Int: Judged] = [:]
                    var submitted = 0
                    for await batch in batches {
                        if submitted - results.count >= 2, let (index, done) = try await group.next() { results[index] = done }
                        let index = submitted
                        submitted += 1
                        group.addTask { (index, try body(batch)) }
                    }
                    try Task.checkCancellation()
                    while let (index, done) = try await group.next() { results[index] = done }
                    return (0..<submitted).compactMap { results[$0] }
                }
            } onCancel: {
                splitter.stop()
            }
        } catch {
            splitter.stop()
            _ = await splitting.result
            throw error
        }
        // The query's own failure: the batches it gave before it failed are not all the reports.
        try await splitting.value
        return judged
    }
}
