import ServiceLifecycle

/// Runs `services` while `body` runs, then cancels them and waits for them to return (rethrowing what they threw on
/// the way out). When `body` throws, the services are cancelled and its error is thrown.
public func withRunning<T: Sendable>(_ services: [any Service], _ body: () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for service in services { group.addTask { try await service.run() } }
        do {
            let result = try await body()
            group.cancelAll()
            try await group.waitForAll()
            return result
        } catch {
            group.cancelAll()
            throw error
        }
    }
}

/// Runs `service` while `body` runs, then cancels it and waits for it to return.
public func withRunning<T: Sendable>(_ service: any Service, _ body: () async throws -> T) async throws -> T {
    try await withRunning([service], body)
}
