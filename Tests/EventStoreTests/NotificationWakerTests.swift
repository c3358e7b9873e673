import PacerCore
import PostgresNIO
import TestSupport
import Testing

@testable import EventStore

@Suite("NotificationWaker", .enabled(if: TestDatabase.enabled))
struct NotificationWakerTests {
    static func waker(_ client: PostgresClient) -> NotificationWaker {
        NotificationWaker(
            client: client, channels: ["waker_a", "waker_b"], pollInterval: .seconds(60), renewInterval: .seconds(60),
            backoff: Backoff(initial: .milliseconds(20), maximum: .milliseconds(100), jitter: 0), logger: TestDatabase.logger)
    }

    /// Runs a waker on a fresh database while `body` reads its wakes; the waker stops when `body` returns.
    static func withWaker(
        _ body: @Sendable (PostgresClient, NotificationWaker, inout NotificationWaker.Wakes.Iterator) async throws -> Void
    ) async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let waker = Self.waker(client)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await waker.run() }
                defer { group.cancelAll() }
                var wakes = waker.wakes.makeAsyncIterator()
                try await body(client, waker, &wakes)
            }
        }
    }

    /// Waits until a backend of this database runs `LISTEN … waker_b` (the last channel: the session is complete).
    static func listening(_ client: PostgresClient) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let rows = try await client.query(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%waker_b%'",
                logger: TestDatabase.logger)
            for try await count in rows.decode(Int64.self) where count > 0 { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    @Test("the first wake names every channel; notifications while the consumer is busy coalesce into one wake", .timeLimit(.minutes(5)))
    func coalesces() async throws {
        try await Self.withWaker { client, waker, wakes in
            #expect(await wakes.next() == Wake(channels: ["waker_a", "waker_b"]))
            #expect(try await Self.listening(client))
            for channel in ["waker_a", "waker_a", "waker_a"] {
                try await client.query("SELECT pg_notify(\(channel), '')", logger: TestDatabase.logger)
            }
            // The session's own start wake may be merged in too; either way only waker_a can be new.
            let next = await wakes.next()
            #expect(next?.channels.contains("waker_a") == true)
            // A wake the consumer asks for itself names no channel (a late notification may join it).
            waker.wake()
            let asked = await wakes.next()
            #expect(asked?.channels.isSubset(of: ["waker_a"]) == true)
        }
    }

    @Test("a terminated LISTEN connection is reconnected, with a wake of every channel, and delivers again", .timeLimit(.minutes(5)))
    func reconnects() async throws {
        try await Self.withWaker { client, _, wakes in
            _ = await wakes.next()
            #expect(try await Self.listening(client))
            try await client.query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%waker_b%'",
                logger: TestDatabase.logger)
            // Drain wakes until the new session's wake of every channel arrives.
            var reconnected = false
            while !reconnected, let wake = await wakes.next() {
                reconnected = wake.channels == ["waker_a", "waker_b"]
            }
            #expect(reconnected)
            #expect(try await Self.listening(client))
            try await client.query("SELECT pg_notify('waker_b', '')", logger: TestDatabase.logger)
            #expect(await wakes.next()?.channels.contains("waker_b") == true)
        }
    }
}
