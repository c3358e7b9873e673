import EventStore
import HTTPAPI

/// Ready when migrations have run and the database answers.
struct DatabaseReadiness: ReadinessChecking {
    let store: PostgresEventStore
    let schema: SchemaGate

    func notReadyReason() async -> String? {
        guard schema.isReady else { return "database schema not migrated yet" }
        guard await store.ping() else { return "database not answering" }
        return nil
    }
}
