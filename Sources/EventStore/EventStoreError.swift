import PostgresNIO

/// Errors of the PostgreSQL store.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unavailable, timeout, schemaTooNew, invalidURL, shuttingDown
        }
        private let base: Base
        /// The database cannot be reached or failed the operation; retry later.
        public static let unavailable = Code(base: .unavailable)
        /// The operation did not finish in time.
        public static let timeout = Code(base: .timeout)
        /// The schema was written by a newer Pacer.
        public static let schemaTooNew = Code(base: .schemaTooNew)
        /// The database URL could not be parsed.
        public static let invalidURL = Code(base: .invalidURL)
        /// The store is shutting down and takes no more writes.
        public static let shuttingDown = Code(base: .shuttingDown)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(_ code: Code, _ message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String {
        if let underlying { return "\(message): \(Self.describe(underlying))" }
        return message
    }

    /// A readable description of a PostgresNIO error (whose plain description is redacted on purpose).
    public static func describe(_ error: any Error) -> String {
        if let transaction = error as? PostgresTransactionError {
            if let inner = transaction.closureError ?? transaction.beginError ?? transaction.commitError { return describe(inner) }
        }
        if let psql = error as? PSQLError {
            if let message = psql.serverInfo?[.message] {
                return "\(message) (SQLSTATE \(psql.serverInfo?[.sqlState] ?? "?"))"
            }
            return "\(psql.code)"
        }
        return String(describing: error)
    }
}
