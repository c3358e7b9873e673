import PostgresNIO

/// Errors of the PostgreSQL store.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case unavailable, timeout, schemaTooNew, invalidURL, shuttingDown, rejected
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
        /// PostgreSQL refused the rows themselves (a data exception such as `\u0000` in jsonb or a timestamp out of
        /// range, an index row over the size limit): the same rows will always be refused, so retrying cannot help.
        public static let rejected = Code(base: .rejected)
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

    /// The SQLSTATE classes of errors caused by the rows written, not by the database's state: 22 data exception
    /// (22P05 `\u0000` in jsonb, 22021 a NUL byte in text, 22008 a timestamp out of range…), 23 integrity constraint
    /// violation, 54 program limit exceeded (54000 an index row over the btree limit).
    static let refusedDataClasses: Set<Substring> = ["22", "23", "54"]

    /// `error` as a `.rejected` error when PostgreSQL refused the data written (see `refusedDataClasses`), nil for
    /// everything else (connection failures, timeouts, cancellation, a missing table: the database is unavailable).
    public static func refusal(from error: any Error) -> EventStoreError? {
        if let storeError = error as? EventStoreError {
            return storeError.code == .rejected ? storeError : nil
        }
        if let transaction = error as? PostgresTransactionError {
            guard let inner = transaction.closureError ?? transaction.commitError else { return nil }
            return refusal(from: inner)
        }
        guard let psql = error as? PSQLError, psql.code == .server, let state = psql.serverInfo?[.sqlState],
            refusedDataClasses.contains(state.prefix(2))
        else { return nil }
        var message = "PostgreSQL refused the events: \(psql.serverInfo?[.message] ?? "data exception")"
        if let detail = psql.serverInfo?[.detail] { message += " (\(detail))" }
        message += " [SQLSTATE \(state)]"
        return EventStoreError(.rejected, message)
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
