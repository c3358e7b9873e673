import EventStore
import Logging

extension Logger.MetadataValue {
    /// An error as the stages log it: PostgresNIO errors with their server message and SQLSTATE (their plain
    /// description is redacted on purpose), anything else as it describes itself.
    static func describing(_ error: any Error) -> Self {
        "\(EventStoreError.describe(error))"
    }
}
