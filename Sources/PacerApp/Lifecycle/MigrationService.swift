import EventStore
import Logging
import PacerCore
import ServiceLifecycle

/// Applies migrations at start-up, retrying with backoff while the database is unreachable, then opens the
/// schema gate and waits for shutdown. The process keeps serving (`/healthz`, 503 on ingest) meanwhile.
struct MigrationService: Service {
    let migrator: Migrator
    let gate: SchemaGate
    let logger: Logger
    /// Retry delays while the database is unreachable.
    var backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(10), jitter: 0)

    func run() async throws {
        var backoff = self.backoff
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let migrator = self.migrator
                let applied = try await withDeadline(.seconds(30)) { try await migrator.migrate() }
                logger.info("database schema ready", metadata: ["applied": "\(applied)"])
                gate.open()
                break
            } catch let error as EventStoreError where error.code == .schemaTooNew {
                logger.critical("\(error)")
                throw error
            } catch {
                let delay = backoff.next()
                logger.warning("database not ready, retrying", metadata: ["error": "\(EventStoreError.describe(error))", "retryIn": "\(delay)"])
                try? await Task.sleep(for: delay)
            }
        }
        try? await gracefulShutdown()
    }
}
