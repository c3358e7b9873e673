import EventModel
import Foundation
import Logging
import PacerCore
import PostgresNIO
import Synchronization

/// Writes events to PostgreSQL: the raw CloudEvents and CDEvents tables.
///
/// Writes are set-based: one multi-row `INSERT … SELECT FROM unnest(…)` per call, `ON CONFLICT DO NOTHING`
/// on the (source, id) identity so a redelivered event is stored once. The caller (the group committer) decides
/// what goes into one transaction.
public struct PostgresEventStore: Sendable {
    public let client: PostgresClient
    private let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Inserts CloudEvents in one statement and returns the keys that were new (not already stored).
    public func insert(cloudEvents rows: [CloudEventRow], on connection: PostgresConnection) async throws -> Set<EventKey> {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        let sources = rows.map(\.source)
        let types = rows.map(\.type)
        let subjects = rows.map { $0.subject ?? "" }
        let times = rows.map { $0.time.map { RFC3339.format($0, fractionalDigits: 6) } ?? "" }
        let contents = rows.map(\.content)
        let query: PostgresQuery = """
            INSERT INTO cloudevents_raw (ce_id, ce_source, ce_type, ce_subject, ce_time, content)
            SELECT i, s, t, NULLIF(sub, ''), NULLIF(tm, '')::timestamptz, c::jsonb
            FROM unnest(\(ids)::text[], \(sources)::text[], \(types)::text[], \(subjects)::text[], \(times)::text[], \(contents)::text[])
                AS r(i, s, t, sub, tm, c)
            ON CONFLICT (ce_source, ce_id) DO NOTHING
            RETURNING ce_source, ce_id
            """
        var inserted = Set<EventKey>()
        for try await (source, id) in try await connection.query(query, logger: logger).decode((String, String).self) {
            inserted.insert(EventKey(source: source, id: id))
        }
        return inserted
    }

    /// Inserts CDEvents in one statement and returns the keys that were new.
    public func insert(cdEvents rows: [CDEventRow], on connection: PostgresConnection) async throws -> Set<EventKey> {
        guard !rows.isEmpty else { return [] }
        let ids = rows.map(\.id)
        let sources = rows.map(\.source)
        let types = rows.map(\.type)
        let timestamps = rows.map { RFC3339.format($0.timestamp, fractionalDigits: 6) }
        let subjectIds = rows.map(\.subjectId)
        let subjectSources = rows.map { $0.subjectSource ?? "" }
        let contents = rows.map(\.content)
        let query: PostgresQuery = """
            INSERT INTO cdevents_raw (cd_id, cd_source, cd_type, cd_timestamp, cd_subject_id, cd_subject_source, content)
            SELECT i, s, t, ts::timestamptz, sid, NULLIF(ss, ''), c::jsonb
            FROM unnest(\(ids)::text[], \(sources)::text[], \(types)::text[], \(timestamps)::text[], \(subjectIds)::text[], \(subjectSources)::text[], \(contents)::text[])
                AS r(i, s, t, ts, sid, ss, c)
            ON CONFLICT (cd_source, cd_id) DO NOTHING
            RETURNING cd_source, cd_id
            """
        var inserted = Set<EventKey>()
        for try await (source, id) in try await connection.query(query, logger: logger).decode((String, String).self) {
            inserted.insert(EventKey(source: source, id: id))
        }
        return inserted
    }

    /// Answers when the database takes a query within `timeout`.
    public func ping(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            return try await withDeadline(timeout) {
                try await client.query("SELECT 1", logger: logger)
                return true
            }
        } catch {
            return false
        }
    }
}

/// Runs `operation`, throwing `EventStoreError.timeout` when it takes longer than `timeout`.
///
/// On timeout, and when the caller is cancelled, the caller is answered at once and the operation is cancelled; it
/// is not awaited, because a PostgresNIO connection lease waiting on an unreachable server may not return promptly
/// on cancellation, and a caller (an HTTP request, a readiness probe) must never hang on it. Cancelling it matters:
/// an operation left running (a LISTEN loop) would keep its connection leased, and the client's shutdown waits for it.
public func withDeadline<T: Sendable>(_ timeout: Duration, _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.install(continuation)
            let work = Task {
                do {
                    race.finish(.success(try await operation()))
                } catch {
                    race.finish(.failure(error))
                }
            }
            let timer = Task {
                try? await Task.sleep(for: timeout)
                race.finish(.failure(EventStoreError(.timeout, "the database did not answer within \(timeout)")))
            }
            race.onFinish {
                timer.cancel()
                work.cancel()
            }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first of operation, timer and cancellation to finish resumes the caller; the others are ignored.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var pending: Result<T, any Error>?
        var done = false
        var cleanup: [@Sendable () -> Void] = []
    }
    private let state = Mutex(State())

    func install(_ continuation: CheckedContinuation<T, any Error>) {
        let early = state.withLock { state -> Result<T, any Error>? in
            if let pending = state.pending { return pending }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    func onFinish(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.done { return true }
            state.cleanup.append(action)
            return false
        }
        if runNow { action() }
    }

    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (continuation, cleanup, won) = state.withLock { state -> (CheckedContinuation<T, any Error>?, [@Sendable () -> Void], Bool) in
            guard !state.done else { return (nil, [], false) }
            state.done = true
            let continuation = state.continuation
            state.continuation = nil
            if continuation == nil { state.pending = result }
            let cleanup = state.cleanup
            state.cleanup = []
            return (continuation, cleanup, true)
        }
        continuation?.resume(with: result)
        cleanup.forEach { $0() }
        return won
    }
}
