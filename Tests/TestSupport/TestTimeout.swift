/// A test helper gave up waiting.
public struct TestTimeout: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "test timed out" }
}

/// Runs `body` with a deadline; throws `TestTimeout` when it takes longer.
public func withTimeout<T: Sendable>(_ seconds: Double, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw TestTimeout() }
        return value
    }
}
