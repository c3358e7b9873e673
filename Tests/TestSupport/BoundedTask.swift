import Dispatch
import Logging
import Synchronization

/// Work a test starts and, when done with it, cancels and waits for only so long: an unstructured task, so that
/// work which ignores cancellation is reported and left behind rather than blocking the test run forever (a child
/// task of a group would be awaited without end).
public final class BoundedTask: Sendable {
    private final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    private let task: Task<Void, Never>
    private let finished = Flag()

    public init(_ work: @escaping @Sendable () async -> Void) {
        let finished = self.finished
        task = Task {
            await work()
            finished.value.store(true, ordering: .releasing)
        }
    }

    public var isFinished: Bool { finished.value.load(ordering: .acquiring) }

    /// Cancels the work and waits up to `timeout` for it to return; logs an error naming `what` when it does not.
    /// Returns whether it finished. The wait itself does not end early when the caller is cancelled (it is bounded).
    @discardableResult
    public func cancelAndWait(what: String, timeout: Duration = .seconds(60)) async -> Bool {
        task.cancel()
        let deadline = ContinuousClock.now + timeout
        while !isFinished {
            guard ContinuousClock.now < deadline else {
                TestDatabase.logger.error("\(what) did not return within \(timeout) of its cancellation; left running")
                return false
            }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { continuation.resume() }
            }
        }
        return true
    }
}
