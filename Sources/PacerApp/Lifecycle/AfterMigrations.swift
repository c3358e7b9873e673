import ServiceLifecycle

/// Starts `service` once the database schema is migrated, so the pipeline and the reconcilers do not fail (and
/// log) against missing tables while the first replica migrates. Returns without starting it when shutdown
/// (graceful or cancellation) comes first.
struct AfterMigrations: Service {
    let gate: SchemaGate
    let service: any Service

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { [gate] in try await gate.waitUntilReady() }
        } catch is CancellationError {
            return
        }
        try await service.run()
    }
}
