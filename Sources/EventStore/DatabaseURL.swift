import Foundation
import Logging
import NIOSSL
import PostgresNIO

/// A PostgreSQL connection URL: `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var sslMode: String

    public init(_ text: String) throws {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw EventStoreError(.invalidURL, "database URL must look like postgres://user:password@host:5432/database, got \(Self.redact(text))")
        }
        guard let host = components.host, !host.isEmpty else {
            throw EventStoreError(.invalidURL, "database URL has no host: \(Self.redact(text))")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.percentEncodedUser.flatMap { $0.removingPercentEncoding } ?? "postgres"
        self.password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        self.database = path.isEmpty ? nil : path
        self.sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslMode) else {
            throw EventStoreError(.invalidURL, "unsupported sslmode \"\(sslMode)\" (use disable, prefer or require)")
        }
    }

    /// The client configuration for PostgresNIO.
    public func clientConfiguration() -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require", "verify-ca", "verify-full":
            var config = TLSConfiguration.makeClientConfiguration()
            if sslMode == "require" { config.certificateVerification = .none }
            tls = .require(config)
        default:
            var config = TLSConfiguration.makeClientConfiguration()
            config.certificateVerification = .none
            tls = .prefer(config)
        }
        var configuration = PostgresClient.Configuration(host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.connectTimeout = .seconds(3)
        configuration.options.additionalStartupParameters = [("application_name", "pacer")]
        return configuration
    }

    /// The URL with the password hidden, for logs and errors.
    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database ?? "")?sslmode=\(sslMode)"
    }

    static func redact(_ text: String) -> String {
        guard var components = URLComponents(string: text) else { return "<unparsable URL>" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "<unparsable URL>"
    }
}

extension DatabaseURL {
    /// Runs `body` with a `PostgresClient` for this URL whose connection pool runs alongside it; the pool stops
    /// when `body` returns or throws.
    public func withClient<T: Sendable>(logger: Logger, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(client)
        }
    }
}
