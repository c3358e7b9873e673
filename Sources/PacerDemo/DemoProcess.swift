import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A failure of a program the demo runs (initdb, pg_ctl, createdb), with the tail of its output.
public struct DemoProcessError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// Runs helper programs to completion with a time limit, without blocking a thread of the concurrency pool.
enum DemoProcess {
    /// Runs `arguments` (as `user` when given, through `runuser`), appending its output to `logFile`.
    /// Throws with the log's last lines when it exits non-zero or outlives `timeout`.
    static func run(_ arguments: [String], asUser user: String? = nil, logFile: String, timeout: Duration = .seconds(120)) async throws {
        var command = arguments
        if let user { command = ["/usr/sbin/runuser", "-u", user, "--"] + arguments }
        let pid = try spawn(command, logFile: logFile)
        let deadline = ContinuousClock.now + timeout
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid { break }
            if waited < 0, errno != EINTR { throw DemoProcessError(message: "waiting for \(command[0]): \(String(cString: strerror(errno)))") }
            if ContinuousClock.now > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw DemoProcessError(message: "\(arguments.joined(separator: " ")) did not finish within \(timeout)\n\(tail(of: logFile))")
            }
            // Not cancellable on purpose: a half-run initdb or pg_ctl must finish before cleanup starts.
            try? await Task.sleep(for: .milliseconds(20))
        }
        let exited = status & 0x7f == 0
        let code = (status >> 8) & 0xff
        guard exited, code == 0 else {
            throw DemoProcessError(
                message: "\(URL(fileURLWithPath: arguments[0]).lastPathComponent) failed (\(exited ? "exit \(code)" : "signal \(status & 0x7f)")):\n\(tail(of: logFile))")
        }
    }

    /// The blocking form of `run` for the shutdown watchdog (no concurrency left to rely on); ignores failures.
    static func runBlocking(_ arguments: [String], asUser user: String? = nil, logFile: String, timeoutSeconds: Int) {
        var command = arguments
        if let user { command = ["/usr/sbin/runuser", "-u", user, "--"] + arguments }
        guard let pid = try? spawn(command, logFile: logFile) else { return }
        var status: Int32 = 0
        for _ in 0..<(timeoutSeconds * 50) {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(20_000)
        }
        kill(pid, SIGKILL)
        _ = waitpid(pid, &status, 0)
    }

    /// posix_spawn with stdout and stderr appended to `logFile` and stdin from /dev/null. (Foundation's `Process`
    /// is not used: on Linux it notices the end of a process only when every descendant has closed an inherited
    /// socket, so `pg_ctl start`, which leaves the server running, would never finish.)
    private static func spawn(_ command: [String], logFile: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        let environment = ProcessInfo.processInfo.environment.map { "\($0.key)=\($0.value)" }
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer { for pointer in envp { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, command[0], &actions, nil, argv, envp)
        guard result == 0 else { throw DemoProcessError(message: "cannot run \(command[0]): \(String(cString: strerror(result)))") }
        return pid
    }

    /// The last `lines` lines of a file.
    static func tail(of path: String, lines: Int = 15) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
