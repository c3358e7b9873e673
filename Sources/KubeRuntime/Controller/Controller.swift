import KubeCore
import Logging
import Metrics
import ServiceLifecycle

/// Runs a ``Reconciler`` over a ``WorkQueue`` with N workers (controller-runtime's loop):
/// success → `forget`; `.requeue(after:)` → `forget` + `addAfter`; error → `addRateLimited`;
/// ``TerminalError`` → `forget` and log. Feed it by adding keys to ``queue``, e.g. with
/// `informer.addHandler(.enqueue(into: controller.queue))`.
///
/// `run()`: on graceful shutdown or cancellation the queue shuts down, workers finish the
/// reconcile they are in (cancellation is propagated into it), and `run()` returns.
public final class Controller: Service, Sendable {
    public let name: String
    public let queue: WorkQueue<ObjectKey>
    let reconciler: any Reconciler
    let workers: Int
    let logger: Logger

    public init(name: String, reconciler: any Reconciler, workers: Int = 2, rateLimiter: RateLimiter = RateLimiter(), logger: Logger = Logger(label: "pacer.controller")) {
        self.name = name
        self.reconciler = reconciler
        self.workers = max(1, workers)
        self.queue = WorkQueue(rateLimiter: rateLimiter)
        var logger = logger
        logger[metadataKey: "controller"] = "\(name)"
        self.logger = logger
    }

    public func run() async throws {
        let queue = self.queue
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await queue.runDelayLoop() }
                    for index in 0..<workers {
                        group.addTask { await self.worker(index) }
                    }
                }
            } onGracefulShutdown: {
                queue.shutDown()
            }
        } onCancel: {
            queue.shutDown()
        }
    }

    private func worker(_ index: Int) async {
        let results = (
            success: Counter(label: "pacer_controller_reconcile_total", dimensions: [("controller", name), ("result", "success")]),
            requeue: Counter(label: "pacer_controller_reconcile_total", dimensions: [("controller", name), ("result", "requeue_after")]),
            error: Counter(label: "pacer_controller_reconcile_total", dimensions: [("controller", name), ("result", "error")])
        )
        while let key = await queue.get() {
            defer { queue.done(key) }
            do {
                switch try await reconciler.reconcile(key) {
                case .done:
                    results.success.increment()
                    queue.forget(key)
                case .requeue(let delay):
                    results.requeue.increment()
                    queue.forget(key)
                    queue.addAfter(key, delay: delay)
                }
            } catch let error as TerminalError {
                results.error.increment()
                queue.forget(key)
                logger.error("reconcile failed permanently", metadata: ["key": "\(key)", "error": "\(error)"])
            } catch {
                results.error.increment()
                if Task.isCancelled { return }
                queue.addRateLimited(key)
                logger.warning("reconcile failed, requeued", metadata: [
                    "key": "\(key)", "error": "\(error)", "attempt": "\(queue.numRequeues(key))",
                ])
            }
        }
    }
}
