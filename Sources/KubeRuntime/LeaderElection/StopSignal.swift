import PacerCore

/// A one-shot flag that sleeping loops can wait on (fired by graceful shutdown or cancellation).
final class StopSignal: Sendable {
    private let latch = Latch<Void>()

    var isFired: Bool { latch.isSettled }

    func fire() { latch.open() }

    /// Sleeps for `duration`; returns true early when the signal fires (or already has).
    func wait(for duration: Duration) async -> Bool {
        if isFired { return true }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: duration) }
            group.addTask { await self.waitFired() }
            await group.next()
            group.cancelAll()
        }
        return isFired
    }

    private func waitFired() async { await latch.waitUntilOpenOrCancelled() }
}
