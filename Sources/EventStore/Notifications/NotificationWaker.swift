import Logging
import PacerCore
import PostgresNIO
import Synchronization

/// Wakes a pipeline stage when its tables may have changed: LISTENs on `channels` over one leased connection,
/// renews the session every `renewInterval` (a silently dead connection delivers nothing), reconnects with
/// ``Backoff`` after a database outage, and polls every `pollInterval` as the fallback for whatever LISTEN misses.
///
/// Wake-ups coalesce: however many notifications arrive while the stage is busy, its next iteration of ``wakes``
/// returns one ``Wake`` naming every channel concerned. Run ``run()`` next to the consumer (in the stage's task
/// group; it returns when cancelled) and iterate ``wakes`` from one task.
public final class NotificationWaker: Sendable {
    public let channels: [String]
    let client: PostgresClient
    let pollInterval: Duration
    let renewInterval: Duration
    let backoff: Backoff
    let logger: Logger
    let onWake: @Sendable (Set<String>) -> Void

    private struct State {
        /// Not yet handed to the consumer; the first wake covers everything.
        var pending: Wake?
        /// A LISTEN session was opened since the reconnect loop last looked (it resets the backoff).
        var listened = false
    }
    private let state: Mutex<State>
    private let doorbell: AsyncStream<Void>
    private let bell: AsyncStream<Void>.Continuation

    public init(
        client: PostgresClient, channels: [String], pollInterval: Duration, renewInterval: Duration, backoff: Backoff, logger: Logger,
        onWake: @escaping @Sendable (Set<String>) -> Void = { _ in }
    ) {
        self.client = client
        self.channels = channels
        self.pollInterval = pollInterval
        self.renewInterval = renewInterval
        self.backoff = backoff
        self.logger = logger
        self.onWake = onWake
        state = Mutex(State(pending: Wake(channels: Set(channels))))
        (doorbell, bell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        bell.yield()
    }

    /// The coalesced wake-ups; ends when the consuming task is cancelled.
    public var wakes: Wakes { Wakes(waker: self, bells: doorbell) }

    /// Asks for another wake-up (a stage that wants another round soon), merged with any pending one. `onWake` sees
    /// the channels at once, before coalescing, so a stage in the middle of a round can react (reload its rules).
    public func wake(_ channels: Set<String> = []) {
        onWake(channels)
        state.withLock { $0.pending = Wake(channels: channels.union($0.pending?.channels ?? [])) }
        bell.yield()
    }

    /// LISTENs and polls until cancelled.
    public func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.listen() }
            group.addTask { await self.poll() }
        }
    }

    private func take() -> Wake? {
        state.withLock { state in
            defer { state.pending = nil }
            return state.pending
        }
    }

    private func poll() async {
        while true {
            do { try await Task.sleep(for: pollInterval) } catch { return }
            wake(Set(channels))
        }
    }

    /// One LISTEN session after another: renewed at once, reconnected after the backoff. Every session starts with a
    /// wake of every channel, because notifications sent while nobody listened are lost.
    private func listen() async {
        var backoff = self.backoff
        while !Task.isCancelled {
            var renew = false
            do {
                // withDeadline returns at once on cancellation, even when the connection hangs.
                try await withDeadline(renewInterval) {
                    try await self.client.withConnection { connection in
                        try await self.listen(self.channels[...], on: connection, opened: [])
                    }
                }
            } catch let error as EventStoreError where error.code == .timeout {
                renew = true
            } catch {
                if Task.isCancelled { return }
                logger.warning(
                    "LISTEN connection lost; polling until it is back",
                    metadata: ["channels": "\(channels.joined(separator: ","))", "error": "\(EventStoreError.describe(error))"])
            }
            let listened = state.withLock { state in
                defer { state.listened = false }
                return state.listened
            }
            if listened || renew { backoff.reset() }
            if renew { continue }  // renewal: LISTEN again at once
            do { try await Task.sleep(for: backoff.next()) } catch { return }
        }
    }

    /// LISTENs on `channels` one inside the other, then wakes the consumer for every notification on any of them.
    private func listen(
        _ channels: ArraySlice<String>, on connection: PostgresConnection, opened: [(String, PostgresNotificationSequence)]
    ) async throws {
        if let channel = channels.first {
            try await connection.listen(on: channel) { notifications in
                try await self.listen(channels.dropFirst(), on: connection, opened: opened + [(channel, notifications)])
            }
            return
        }
        state.withLock { $0.listened = true }
        wake(Set(self.channels))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (channel, notifications) in opened {
                group.addTask {
                    for try await _ in notifications { self.wake([channel]) }
                }
            }
            try await group.waitForAll()
        }
    }
}

extension NotificationWaker {
    /// The wake-ups of a ``NotificationWaker``, one per doorbell ring that found something pending.
    public struct Wakes: AsyncSequence, Sendable {
        let waker: NotificationWaker
        let bells: AsyncStream<Void>

        public func makeAsyncIterator() -> Iterator { Iterator(waker: waker, bells: bells.makeAsyncIterator()) }

        public struct Iterator: AsyncIteratorProtocol {
            let waker: NotificationWaker
            var bells: AsyncStream<Void>.Iterator

            public mutating func next() async -> Wake? {
                while await bells.next() != nil {
                    if let wake = waker.take() { return wake }
                }
                return nil
            }
        }
    }
}
