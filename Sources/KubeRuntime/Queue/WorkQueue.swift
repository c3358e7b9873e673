import DequeModule
import HeapModule
import Synchronization

/// A controller-runtime style work queue of keys.
///
/// - **Dedupe**: a key added while it is already queued is queued once.
/// - **One in flight per key**: a key added while being processed is held back and queued again
///   when ``done(_:)`` is called, so two workers never process the same key at once.
/// - **Delays**: ``addAfter(_:delay:)`` (earliest deadline wins) and ``addRateLimited(_:)``
///   (per-key exponential backoff; ``forget(_:)`` resets it on success). Delays need
///   ``runDelayLoop()`` running (``Controller`` does this).
/// - ``shutDown()`` wakes every waiting ``get()`` with nil.
public final class WorkQueue<Key: Hashable & Sendable>: Sendable {
    struct Delayed: Comparable {
        var deadline: ContinuousClock.Instant
        var sequence: Int
        var key: Key
        static func < (lhs: Delayed, rhs: Delayed) -> Bool { (lhs.deadline, lhs.sequence) < (rhs.deadline, rhs.sequence) }
        static func == (lhs: Delayed, rhs: Delayed) -> Bool { lhs.sequence == rhs.sequence }
    }

    struct State {
        var queue = Deque<Key>()
        var dirty = Set<Key>()
        var processing = Set<Key>()
        var delayed = Heap<Delayed>()
        var delayedDeadline: [Key: ContinuousClock.Instant] = [:]
        var sequence = 0
        var failures: [Key: Int] = [:]
        var waiters = Deque<(id: Int, continuation: CheckedContinuation<Key?, Never>)>()
        var nextWaiterID = 0
        var shuttingDown = false
        var delayLoopWaiter: CheckedContinuation<Void, Never>?
        var delayLoopSignalled = false

        /// Hands a key to a waiting worker or appends it to the queue.
        mutating func enqueue(_ key: Key) -> (CheckedContinuation<Key?, Never>, Key)? {
            if let waiter = waiters.popFirst() {
                dirty.remove(key)
                processing.insert(key)
                return (waiter.continuation, key)
            }
            queue.append(key)
            return nil
        }

        mutating func signalDelayLoop() -> CheckedContinuation<Void, Never>? {
            delayLoopSignalled = true
            defer { delayLoopWaiter = nil }
            return delayLoopWaiter
        }
    }

    private let state = Mutex(State())
    public let rateLimiter: RateLimiter

    public init(rateLimiter: RateLimiter = RateLimiter()) {
        self.rateLimiter = rateLimiter
    }

    /// Queues a key now (deduplicated; held back while the key is being processed).
    public func add(_ key: Key) {
        let handoff = state.withLock { state -> (CheckedContinuation<Key?, Never>, Key)? in
            guard !state.shuttingDown, !state.dirty.contains(key) else { return nil }
            state.dirty.insert(key)
            if state.processing.contains(key) { return nil }
            return state.enqueue(key)
        }
        if let (continuation, key) = handoff { continuation.resume(returning: key) }
    }

    /// Queues a key after a delay; if it is already waiting with an earlier deadline, that one wins.
    public func addAfter(_ key: Key, delay: Duration) {
        guard delay > .zero else { return add(key) }
        let deadline = ContinuousClock.now + delay
        let wake = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.shuttingDown else { return nil }
            if let existing = state.delayedDeadline[key], existing <= deadline { return nil }
            state.delayedDeadline[key] = deadline
            state.sequence += 1
            let wasEarliest = state.delayed.min.map { deadline < $0.deadline } ?? true
            state.delayed.insert(Delayed(deadline: deadline, sequence: state.sequence, key: key))
            return wasEarliest ? state.signalDelayLoop() : nil
        }
        wake?.resume()
    }

    /// Queues a key after its per-key backoff delay and counts the failure.
    public func addRateLimited(_ key: Key) {
        let failures = state.withLock { state -> Int in
            state.failures[key, default: 0] += 1
            return state.failures[key]!
        }
        addAfter(key, delay: rateLimiter.delay(failures: failures))
    }

    /// Resets the key's failure count (call after a successful reconcile).
    public func forget(_ key: Key) {
        state.withLock { _ = $0.failures.removeValue(forKey: key) }
    }

    /// Consecutive failures recorded for the key.
    public func numRequeues(_ key: Key) -> Int {
        state.withLock { $0.failures[key] ?? 0 }
    }

    /// Keys ready to be processed (excluding delayed and in-flight keys).
    public var count: Int { state.withLock { $0.queue.count } }

    /// Keys waiting for their delay.
    public var delayedCount: Int { state.withLock { $0.delayedDeadline.count } }

    public var isShuttingDown: Bool { state.withLock { $0.shuttingDown } }

    /// The next key to process; suspends until one is ready. Nil after ``shutDown()`` or on cancellation.
    /// Every key returned must be passed to ``done(_:)``.
    public func get() async -> Key? {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                let immediate = state.withLock { state -> Key?? in
                    if let key = state.queue.popFirst() {
                        state.dirty.remove(key)
                        state.processing.insert(key)
                        return .some(key)
                    }
                    if state.shuttingDown || Task.isCancelled { return .some(nil) }
                    state.waiters.append((id, continuation))
                    return .none
                }
                if let immediate { continuation.resume(returning: immediate) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Key?, Never>? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index).continuation
            }
            waiter?.resume(returning: nil)
        }
    }

    /// Marks a key processed; if it was added again meanwhile, it is queued now.
    public func done(_ key: Key) {
        let handoff = state.withLock { state -> (CheckedContinuation<Key?, Never>, Key)? in
            state.processing.remove(key)
            guard state.dirty.contains(key), !state.shuttingDown else { return nil }
            return state.enqueue(key)
        }
        if let (continuation, key) = handoff { continuation.resume(returning: key) }
    }

    /// Stops the queue: waiting and future ``get()`` calls return nil, adds are ignored.
    public func shutDown() {
        let (waiters, loop) = state.withLock { state in
            state.shuttingDown = true
            let waiters = state.waiters.map(\.continuation)
            state.waiters.removeAll()
            return (waiters, state.signalDelayLoop())
        }
        for waiter in waiters { waiter.resume(returning: nil) }
        loop?.resume()
    }

    /// Moves due delayed keys into the queue until ``shutDown()`` or cancellation.
    public func runDelayLoop() async {
        while !Task.isCancelled {
            let (due, nextDeadline, stop) = state.withLock { state -> ([Key], ContinuousClock.Instant?, Bool) in
                state.delayLoopSignalled = false
                var due: [Key] = []
                let now = ContinuousClock.now
                while let first = state.delayed.min, first.deadline <= now {
                    _ = state.delayed.removeMin()
                    if state.delayedDeadline[first.key] == first.deadline {
                        state.delayedDeadline.removeValue(forKey: first.key)
                        due.append(first.key)
                    }
                }
                return (due, state.delayed.min?.deadline, state.shuttingDown)
            }
            if stop { return }
            for key in due { add(key) }
            await waitForSignal(until: nextDeadline ?? .now + .seconds(60))
        }
    }

    private func waitForSignal(until deadline: ContinuousClock.Instant) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            group.addTask { await self.waitForDelaySignal() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForDelaySignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.delayLoopSignalled || state.shuttingDown || Task.isCancelled { return true }
                    state.delayLoopWaiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.delayLoopWaiter = nil }
                return state.delayLoopWaiter
            }?.resume()
        }
    }
}
