import PacerCore

/// The HTTP port a server bound (with port 0, the one the kernel chose), for whoever embeds Pacer and must reach it:
/// pass `set` as `onServerRunning` of ``PacerServer/run(onServerRunning:)`` or ``PacerOperator/run(onServerRunning:)``,
/// and `wait()` from any task.
public final class ServerPort: Sendable {
    private let port = Latch<Int>()

    public init() {}

    public func set(_ port: Int) async { self.port.set(port) }

    /// The server ended before it listened: waiting and future ``wait()`` calls throw `error`.
    public func fail(_ error: any Error) { port.fail(error) }

    /// The port, once the server is running; throws `CancellationError` when the waiting task is cancelled first
    /// (a server that fails before it listens must not leave its waiter suspended forever).
    public func wait() async throws -> Int { try await port.wait() }
}
