import Foundation

/// A PostgreSQL cluster of a test's own (under .tmp/), which the test may stop and start, e.g. to check that
/// Pacer answers 503 while the database is down and recovers by itself when it returns.
public final class PrivateCluster: Sendable {
    public let port: Int
    public let directory: String

    public var url: String { "postgres://pacer@127.0.0.1:\(port)/pacer?sslmode=disable" }

    public init() throws {
        port = try FreePort.find()
        directory = RepoPaths.root + "/.tmp/pg-test-\(port)-\(UUID().uuidString.prefix(8))"
        try run("start")
    }

    public func stop() throws { try run("stop") }
    public func start() throws { try run("start") }

    /// Stops the server and removes its files.
    public func destroy() {
        try? run("stop")
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func run(_ verb: String) throws {
        let result = try Subprocess.run(
            [RepoPaths.root + "/hack/postgres.sh", verb],
            environment: ["PACER_PG_DIR": directory, "PACER_PG_PORT": String(port)], timeout: .seconds(90))
        guard result.status == 0 else {
            throw SubprocessError(message: "hack/postgres.sh \(verb) failed (\(result.status)): \(result.stderr)")
        }
    }
}

/// Finds a free TCP port on 127.0.0.1 by binding port 0.
public enum FreePort {
    public static func find() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SubprocessError(message: "socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw SubprocessError(message: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw SubprocessError(message: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
