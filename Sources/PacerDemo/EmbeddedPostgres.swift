import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A private, throwaway PostgreSQL cluster for `pacer-demo`: `initdb` into a fresh folder, started on a free
/// loopback port with one database `pacer`, stopped and deleted by `stop()`.
///
/// The binaries come from Debian's packages (`/usr/lib/postgresql/<version>/bin`, newest version first) or
/// `PACER_PG_BINDIR`. PostgreSQL refuses to run as root, so as root the commands run as the `postgres` user
/// (`runuser`), which then owns the data folder.
public final class EmbeddedPostgres: Sendable {
    /// The folder of `initdb`, `pg_ctl` and `createdb`.
    public let binDirectory: String
    /// The cluster's folder (data, socket and logs); removed by `stop()`.
    public let directory: String
    public let port: Int
    private let user: String?

    /// `postgres://pacer@127.0.0.1:PORT/pacer?sslmode=disable`
    public var url: String { "postgres://pacer@127.0.0.1:\(port)/pacer?sslmode=disable" }
    var dataDirectory: String { directory + "/data" }
    var logFile: String { directory + "/server.log" }

    private init(binDirectory: String, directory: String, port: Int, user: String?) {
        self.binDirectory = binDirectory
        self.directory = directory
        self.port = port
        self.user = user
    }

    /// Finds the binaries, initialises a cluster under `parent` and starts it. On failure nothing is left
    /// running and the folder is removed.
    public static func start(in parent: String) async throws -> EmbeddedPostgres {
        let binDirectory = try findBinaries()
        let directory = parent + "/postgres"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var user: String?
        if geteuid() == 0 {
            user = "postgres"
            try handOver(directory, parent: parent, to: "postgres")
        }
        let postgres = EmbeddedPostgres(binDirectory: binDirectory, directory: directory, port: try freeLoopbackPort(), user: user)
        do {
            try await postgres.initialise()
            return postgres
        } catch {
            await postgres.stop()
            throw error
        }
    }

    /// `PACER_PG_BINDIR`, else the newest `/usr/lib/postgresql/*/bin` that has `initdb`.
    public static func findBinaries() throws -> String {
        if let explicit = ProcessInfo.processInfo.environment["PACER_PG_BINDIR"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit + "/initdb") else {
                throw DemoProcessError(message: "PACER_PG_BINDIR=\(explicit) has no initdb: install postgresql (apt install postgresql) or pass --database-url")
            }
            return explicit
        }
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [])
            .filter { FileManager.default.isExecutableFile(atPath: "\(root)/\($0)/bin/initdb") }
            .sorted { $0.compare($1, options: .numeric) == .orderedDescending }
        guard let newest = versions.first else {
            throw DemoProcessError(
                message: "PostgreSQL server binaries not found in \(root)/*/bin: install postgresql (apt install postgresql) or pass --database-url")
        }
        return "\(root)/\(newest)/bin"
    }

    private func initialise() async throws {
        let initLog = directory + "/initdb.log"
        try await DemoProcess.run(
            [binDirectory + "/initdb", "-D", dataDirectory, "-U", "pacer", "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
            asUser: user, logFile: initLog)
        let options = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=100"
        try await DemoProcess.run(
            [binDirectory + "/pg_ctl", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60", "-o", options, "start"],
            asUser: user, logFile: directory + "/pg_ctl.log")
        try await DemoProcess.run(
            [binDirectory + "/createdb", "-h", "127.0.0.1", "-p", String(port), "-U", "pacer", "pacer"], asUser: user,
            logFile: directory + "/createdb.log", timeout: .seconds(30))
    }

    /// Stops the server (fast shutdown) when it runs, then deletes the folder. Never throws: used on every exit path.
    public func stop() async {
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            try? await DemoProcess.run(
                [binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "fast", "-w", "-t", "30", "stop"], asUser: user,
                logFile: directory + "/pg_ctl.log", timeout: .seconds(40))
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// `stop()` without async: for the shutdown watchdog when the structured shutdown is stuck.
    public func stopBlocking() {
        if FileManager.default.fileExists(atPath: dataDirectory + "/postmaster.pid") {
            DemoProcess.runBlocking(
                [binDirectory + "/pg_ctl", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "20", "stop"], asUser: user,
                logFile: directory + "/pg_ctl.log", timeoutSeconds: 25)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Gives `directory` to `user` and lets that user reach it through `parent` (and `parent`'s ancestors).
    static func handOver(_ directory: String, parent: String, to user: String) throws {
        guard let entry = getpwnam(user) else {
            throw DemoProcessError(
                message: "running as root, but there is no \(user) user to run PostgreSQL as (install postgresql or pass --database-url)")
        }
        guard chown(directory, entry.pointee.pw_uid, entry.pointee.pw_gid) == 0 else {
            throw DemoProcessError(message: "cannot give \(directory) to \(user): \(String(cString: strerror(errno)))")
        }
        _ = chmod(directory, 0o700)
        var path = URL(fileURLWithPath: parent)
        while path.path != "/" {
            if let mode = (try? FileManager.default.attributesOfItem(atPath: path.path))?[.posixPermissions] as? Int {
                try? FileManager.default.setAttributes([.posixPermissions: mode | 0o001], ofItemAtPath: path.path)
            }
            path.deleteLastPathComponent()
        }
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
    public static func freeLoopbackPort() throws -> Int {
        guard let port = try bindProbe(host: "127.0.0.1", port: 0) else {
            throw DemoProcessError(message: "cannot find a free port: \(String(cString: strerror(errno)))")
        }
        return port
    }

    /// True unless `host:port` (an IPv4 address) is already taken; other hosts are not checked.
    static func portIsFree(host: String, port: Int) -> Bool {
        guard inet_addr(host) != INADDR_NONE else { return true }
        return ((try? bindProbe(host: host, port: port)) ?? nil) != nil
    }

    /// Binds a TCP socket to `host:port` and releases it; the bound port, or nil when the bind failed.
    private static func bindProbe(host: String, port: Int) throws -> Int? {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw DemoProcessError(message: "cannot open a socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var reuse: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr(host)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
    }
}
