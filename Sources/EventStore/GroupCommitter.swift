import DequeModule
import Logging
import ServiceLifecycle
import Synchronization

/// A row with an identity, so the committer can tell each caller which of its rows were new.
public protocol KeyedRow: Sendable {
    var key: EventKey { get }
}

extension CloudEventRow: KeyedRow {}
extension CDEventRow: KeyedRow {}

/// What happened to one submission: how many rows were stored and how many were already there.
public struct CommitResult: Sendable, Equatable {
    public var stored: Int
    public var duplicates: Int
    public init(stored: Int, duplicates: Int) {
        self.stored = stored
        self.duplicates = duplicates
    }
}

/// Tuning of a `GroupCommitter`.
public struct GroupCommitterConfiguration: Sendable {
    /// Rows written in one statement at most (a larger single submission is still written whole).
    public var maxBatchRows = 4_000
    /// Concurrent write loops (one database connection each).
    public var writers = 2
    /// How long one write may take before callers are told the database is unavailable.
    public var writeTimeout: Duration = .seconds(5)
    public init() {}

    public func with(writers: Int) -> Self {
        var copy = self
        copy.writers = writers
        return copy
    }
}

/// Group commit: concurrent submissions are written together, one multi-row statement per round trip.
///
/// Callers `submit` rows and wait; `writers` loops each take everything queued (up to `maxBatchRows`), write it
/// with one call to the write closure and answer every caller at once. While one write is in flight the next
/// batch accumulates, so throughput grows with load instead of paying one transaction per event. A caller's
/// rows are never split across writes, so a request is all-or-nothing.
///
/// One sender's bad rows never fail another's: when PostgreSQL refuses a batch's data (a `\u0000` in jsonb, an
/// index row over the size limit, a timestamp out of range), the batch is bisected and re-written until each
/// caller's rows succeed or fail alone; the refused caller gets `EventStoreError.rejected` (a client error: retrying
/// cannot help). `.unavailable`/`.timeout` mean only that the database could not commit.
///
/// `run()`: on graceful shutdown it stops taking submissions, finishes writing what is queued, then returns.
/// On cancellation, queued callers get `EventStoreError.shuttingDown`.
public final class GroupCommitter<Row: KeyedRow>: Service, Sendable {
    /// Writes rows in one statement and returns the keys that were new. A `PSQLError` refusing the data (or an
    /// `EventStoreError.rejected`) makes the committer write the callers apart; anything else fails the batch.
    public typealias Write = @Sendable ([Row]) async throws -> Set<EventKey>

    public typealias Configuration = GroupCommitterConfiguration

    private struct Submission {
        var rows: [Row]
        var continuation: CheckedContinuation<CommitResult, any Error>
    }

    private enum NextStep {
        case batch([Submission]), finished, wait
    }

    private struct State {
        var queue = Deque<Submission>()
        var idleWriters: [CheckedContinuation<Void, Never>] = []
        var closed = false
    }

    private let state = Mutex(State())
    private let write: Write
    private let configuration: Configuration
    private let logger: Logger

    /// Submissions queued and not yet taken by a writer (for tests and diagnostics).
    public var queuedSubmissions: Int { state.withLock { $0.queue.count } }

    public init(configuration: Configuration = .init(), logger: Logger, write: @escaping Write) {
        self.configuration = configuration
        self.logger = logger
        self.write = write
    }

    /// Queues rows for the next write and waits until they are committed.
    /// - Throws: `EventStoreError` `.rejected` when PostgreSQL refused these rows (nothing of them was committed;
    ///   other callers' rows are not affected); `.unavailable`/`.timeout` when the write failed (nothing of it was
    ///   committed, or, after a timeout, possibly all of it: callers retry and deduplication makes that safe),
    ///   `.shuttingDown`.
    public func submit(_ rows: [Row]) async throws -> CommitResult {
        if rows.isEmpty { return CommitResult(stored: 0, duplicates: 0) }
        return try await withCheckedThrowingContinuation { continuation in
            let writer: CheckedContinuation<Void, Never>?? = state.withLock { state in
                guard !state.closed else { return .none }
                state.queue.append(Submission(rows: rows, continuation: continuation))
                return .some(state.idleWriters.popLast())
            }
            switch writer {
            case .none:
                continuation.resume(throwing: EventStoreError(.shuttingDown, "Pacer is shutting down and takes no more events"))
            case .some(let idle):
                idle?.resume()
            }
        }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    for _ in 0..<max(1, configuration.writers) {
                        group.addTask { await self.writeLoop() }
                    }
                }
            } onCancel: {
                self.close(failQueued: true)
            }
        } onGracefulShutdown: {
            self.close(failQueued: false)
        }
    }

    private func close(failQueued: Bool) {
        let (idle, failed) = state.withLock { state -> ([CheckedContinuation<Void, Never>], [Submission]) in
            state.closed = true
            let idle = state.idleWriters
            state.idleWriters = []
            var failed: [Submission] = []
            if failQueued {
                failed = Array(state.queue)
                state.queue.removeAll()
            }
            return (idle, failed)
        }
        idle.forEach { $0.resume() }
        for submission in failed {
            submission.continuation.resume(throwing: EventStoreError(.shuttingDown, "Pacer is shutting down and takes no more events"))
        }
    }

    private func writeLoop() async {
        while let batch = await nextBatch() {
            await commit(batch[...])
        }
    }

    /// Waits for work; nil once closed and drained.
    private func nextBatch() async -> [Submission]? {
        while true {
            let next: NextStep = state.withLock { state in
                if !state.queue.isEmpty {
                    var batch: [Submission] = []
                    var rows = 0
                    while let first = state.queue.first, batch.isEmpty || rows + first.rows.count <= configuration.maxBatchRows {
                        rows += first.rows.count
                        batch.append(state.queue.removeFirst())
                    }
                    return .batch(batch)
                }
                return state.closed ? .finished : .wait
            }
            switch next {
            case .batch(let batch): return batch
            case .finished: return nil
            case .wait:
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state in
                        if !state.queue.isEmpty || state.closed { return true }
                        state.idleWriters.append(continuation)
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
        }
    }

    /// Writes `batch` in one call and answers its callers. When PostgreSQL refuses the data (`EventStoreError
    /// .refusal(from:)`) nothing of the statement was committed, so the batch is split in two and each half is
    /// written on its own, down to single submissions: the callers whose rows are fine are committed, the one whose
    /// rows are refused gets `.rejected`. Any other failure (unavailable, timeout) answers the whole batch.
    private func commit(_ batch: ArraySlice<Submission>) async {
        let rows = batch.flatMap(\.rows)
        do {
            let write = self.write
            var inserted = try await withDeadline(configuration.writeTimeout) { try await write(rows) }
            for submission in batch {
                var stored = 0
                for row in submission.rows where inserted.remove(row.key) != nil { stored += 1 }
                submission.continuation.resume(returning: CommitResult(stored: stored, duplicates: submission.rows.count - stored))
            }
        } catch {
            if let refusal = EventStoreError.refusal(from: error) {
                if batch.count > 1 {
                    logger.info("event write refused, writing the callers apart", metadata: ["callers": "\(batch.count)", "error": "\(refusal)"])
                    let middle = batch.startIndex + batch.count / 2
                    await commit(batch[..<middle])
                    await commit(batch[middle...])
                } else {
                    logger.notice("events refused by PostgreSQL", metadata: ["rows": "\(rows.count)", "error": "\(refusal)"])
                    for submission in batch { submission.continuation.resume(throwing: refusal) }
                }
                return
            }
            let failure: EventStoreError
            if let storeError = error as? EventStoreError {
                failure = storeError
            } else {
                failure = EventStoreError(.unavailable, "the database is unavailable", underlying: error)
            }
            logger.warning("event write failed", metadata: ["rows": "\(rows.count)", "error": "\(failure)"])
            for submission in batch { submission.continuation.resume(throwing: failure) }
        }
    }
}
