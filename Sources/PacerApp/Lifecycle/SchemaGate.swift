import PacerCore
import Synchronization

/// Opens once migrations have been applied. Ingest checks `isReady` per request; the services behind the gate
/// (`AfterMigrations`) wait on it and are resumed the moment `MigrationService` opens it.
public final class SchemaGate: Sendable {
    private let ready = Atomic<Bool>(false)
    private let opened = Latch<Void>()

    public init() {}

    public var isReady: Bool { ready.load(ordering: .acquiring) }

    func open() {
        ready.store(true, ordering: .releasing)
        opened.open()
    }

    /// Returns once the schema is ready; throws `CancellationError` when cancelled first.
    func waitUntilReady() async throws { try await opened.wait() }
}
