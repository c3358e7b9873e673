import EventModel
import EventStore
import Foundation
import Logging
import PacerCore
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// A write that parks the committer's only writer until the test opens it, so that submissions made meanwhile are
/// queued and then taken as one batch.
final class WriteGate: Sendable {
    private struct State {
        var open = false
        var parked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let state = Mutex(State())

    var isParked: Bool { state.withLock { $0.parked } }

    func park() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                state.parked = true
                if state.open { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    func open() {
        let waiters = state.withLock { state in
            state.open = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0.resume() }
    }
}

/// Polls `condition` until it holds; fails after `timeout` (generous: this waits for a condition, it is no sleep).
func waitUntil(_ what: String, timeout: Duration = .seconds(30), _ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out waiting until \(what)")
            throw CancellationError()
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Random Base64 text of about `bytes` characters: pglz cannot compress it, so it stays over the btree limit.
func incompressible(_ bytes: Int) -> String {
    var generator = SystemRandomNumberGenerator()
    let raw = (0..<(bytes * 3 / 4)).map { _ in UInt8.random(in: 0...255, using: &generator) }
    return Data(raw).base64EncodedString()
}

/// What one caller of the committer got.
enum Outcome: Sendable, Equatable {
    case committed(CommitResult)
    case failed(String)
}

extension GroupCommitter {
    func outcome(of rows: [Row]) async -> Outcome {
        do {
            return .committed(try await submit(rows))
        } catch let error as EventStoreError {
            return .failed(error.code.description)
        } catch {
            return .failed("\(error)")
        }
    }
}

@Suite("Group commit isolation")
struct GroupCommitIsolationTests {
    /// Runs the committer while `body` runs, then cancels it.
    static func withRunning<Row: KeyedRow, T: Sendable>(
        _ committer: GroupCommitter<Row>, _ body: @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await committer.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Parks the writer on a gate submission, queues `submissions` concurrently, waits until all are queued, opens the
    /// gate and returns each submission's outcome (in `submissions` order).
    static func submitTogether<Row: KeyedRow>(
        _ committer: GroupCommitter<Row>, gate: WriteGate, gateRow: Row, _ submissions: [[Row]]
    ) async throws -> [Outcome] {
        try await withThrowingTaskGroup(of: (Int, Outcome).self) { group in
            group.addTask { (-1, await committer.outcome(of: [gateRow])) }
            try await waitUntil("the writer is parked on the gate") { gate.isParked }
            for (index, rows) in submissions.enumerated() {
                group.addTask { (index, await committer.outcome(of: rows)) }
            }
            try await waitUntil("all \(submissions.count) submissions are queued") { committer.queuedSubmissions == submissions.count }
            gate.open()
            var outcomes = [Outcome?](repeating: nil, count: submissions.count)
            for try await (index, outcome) in group {
                if index >= 0 {
                    outcomes[index] = outcome
                } else {
                    #expect(outcome == .committed(CommitResult(stored: 1, duplicates: 0)), "the gate submission")
                }
            }
            return outcomes.map { $0 ?? .failed("no answer") }
        }
    }

    struct Poison: Error {}

    /// Without a database: a write closure that refuses any batch holding a poison row, as PostgreSQL would.
    @Test func aRefusedCallerIsWrittenApartFromTheOthers() async throws {
        let gate = WriteGate()
        let writes = Mutex<[[String]]>([])
        var configuration = GroupCommitterConfiguration()
        configuration.writers = 1
        configuration.writeTimeout = .seconds(60)
        let committer = GroupCommitter<CloudEventRow>(configuration: configuration, logger: TestDatabase.logger) { rows in
            if rows.contains(where: { $0.id == "gate" }) { await gate.park() }
            writes.withLock { $0.append(rows.map(\.id)) }
            if rows.contains(where: { $0.id.hasPrefix("poison") }) { throw EventStoreError(.rejected, "refused") }
            return Set(rows.map(\.key))
        }
        // 8 callers of 2 rows each; callers 2 and 5 carry a poison row.
        let submissions = (0..<8).map { caller in
            [CloudEventRow(event("c\(caller)-a")), CloudEventRow(event(caller == 2 || caller == 5 ? "poison\(caller)" : "c\(caller)-b"))]
        }
        let outcomes = try await Self.withRunning(committer) {
            try await Self.submitTogether(committer, gate: gate, gateRow: CloudEventRow(event("gate")), submissions)
        }
        for (caller, outcome) in outcomes.enumerated() {
            if caller == 2 || caller == 5 {
                #expect(outcome == .failed("rejected"), "caller \(caller)")
            } else {
                #expect(outcome == .committed(CommitResult(stored: 2, duplicates: 0)), "caller \(caller)")
            }
        }
        let recorded = writes.withLock { $0 }
        // The gate alone, then all 16 rows in one write (so they really were batched together), then the halves.
        #expect(recorded.count > 2)
        #expect(recorded[1].count == 16)
        // Every caller's rows went into each write together: never split.
        for write in recorded.dropFirst() {
            for caller in 0..<8 {
                let mine = write.filter { $0.hasPrefix("c\(caller)-") || $0 == "poison\(caller)" }
                #expect(mine.isEmpty || mine.count == 2, "caller \(caller) split in \(write)")
            }
        }
    }

    /// Without a database: a failure that is not a refusal (the database is unavailable) is not retried apart;
    /// every caller of the batch gets `.unavailable`.
    @Test func anUnavailableDatabaseFailsTheWholeBatchOnce() async throws {
        let gate = WriteGate()
        let writes = Mutex(0)
        var configuration = GroupCommitterConfiguration()
        configuration.writers = 1
        configuration.writeTimeout = .seconds(60)
        let committer = GroupCommitter<CloudEventRow>(configuration: configuration, logger: TestDatabase.logger) { rows in
            if rows.contains(where: { $0.id == "gate" }) {
                await gate.park()
                return Set(rows.map(\.key))
            }
            writes.withLock { $0 += 1 }
            throw Poison()
        }
        let submissions = (0..<5).map { [CloudEventRow(event("u\($0)"))] }
        let outcomes = try await Self.withRunning(committer) {
            try await Self.submitTogether(committer, gate: gate, gateRow: CloudEventRow(event("gate")), submissions)
        }
        #expect(outcomes == Array(repeating: .failed("unavailable"), count: 5))
        #expect(writes.withLock { $0 } == 1)
    }

    /// Real PostgreSQL: rows it refuses (bypassing Pacer's validation) batched with other callers' valid rows.
    @Test(.enabled(if: TestDatabase.enabled)) func postgresRefusalsFailOnlyTheirOwnCaller() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let store = PostgresEventStore(client: client, logger: TestDatabase.logger)
            let gate = WriteGate()
            let batchSizes = Mutex<[Int]>([])
            var configuration = GroupCommitterConfiguration()
            configuration.writers = 1
            configuration.writeTimeout = .seconds(60)
            let committer = GroupCommitter<CloudEventRow>(configuration: configuration, logger: TestDatabase.logger) { rows in
                if rows.contains(where: { $0.id == "gate" }) { await gate.park() }
                batchSizes.withLock { $0.append(rows.count) }
                return try await client.withConnection { try await store.insert(cloudEvents: rows, on: $0) }
            }
            var nul = CloudEventRow(event("p-nul", source: "/poison"))
            nul.content = #"{"specversion":"1.0","id":"p-nul","source":"/poison","type":"t","data":{"x":"a\u0000b"}}"#
            var longID = CloudEventRow(event("p-long", source: "/poison"))
            longID.id = incompressible(10_240)
            var yearZero = CloudEventRow(event("p-year0", source: "/poison"))
            yearZero.time = RFC3339.parse("0000-06-01T00:00:00Z")
            var nulText = CloudEventRow(event("p-nultext", source: "/poison"))
            nulText.subject = "a\u{0}b"
            let poison: [[CloudEventRow]] = [[nul], [longID], [yearZero, CloudEventRow(event("p-ok-but-same-caller", source: "/poison"))], [nulText]]
            let valid: [[CloudEventRow]] = (0..<20).map { caller in
                (0..<3).map { CloudEventRow(event("v\(caller)-\($0)", source: "/valid")) }
            }
            // Poison callers spread among the valid ones.
            var mixed = valid
            for (offset, rows) in poison.enumerated() { mixed.insert(rows, at: 1 + offset * 6) }
            let submissions = mixed
            let outcomes = try await Self.withRunning(committer) {
                try await Self.submitTogether(committer, gate: gate, gateRow: CloudEventRow(event("gate")), submissions)
            }
            for (index, rows) in submissions.enumerated() {
                if rows[0].source == "/poison" {
                    #expect(outcomes[index] == .failed("rejected"), "poison caller \(rows[0].id.prefix(12))")
                } else {
                    #expect(outcomes[index] == .committed(CommitResult(stored: 3, duplicates: 0)), "valid caller \(rows[0].id)")
                }
            }
            #expect(batchSizes.withLock { $0 }.dropFirst().first == 60 + 5, "all callers were written in one batch first")
            #expect(try await count(client, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_source = '/valid'") == 60)
            #expect(try await count(client, "SELECT count(*)::int FROM cloudevents_raw WHERE ce_source = '/poison'") == 0)
        }
    }
}
