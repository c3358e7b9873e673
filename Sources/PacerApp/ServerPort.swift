/// The HTTP port a server bound (with port 0, the one the kernel chose), for whoever embeds Pacer and must reach it:
/// pass `set` as `onServerRunning` of ``PacerServer/run(onServerRunning:)`` or ``PacerOperator/run(onServerRunning:)``,
/// and `wait()` from any task.
public actor ServerPort {
    private var port: Int?
    private var waiters: [CheckedContinuation<Int, Never>] = []

    public init() {}

    public func set(_ port: Int) {
        self.port = port
        for waiter in waiters { waiter.resume(returning: port) }
        waiters = []
    }

    /// The port, once the server is running.
    public func wait() async -> Int {
        if let port { return port }
        return await withCheckedContinuation { waiters.append($0) }
    }
}
