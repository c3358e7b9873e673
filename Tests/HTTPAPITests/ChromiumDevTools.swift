import Foundation
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`: Chromium reads commands
/// on fd 3 and writes answers and events on fd 4, each a JSON text ended by a NUL byte). The two fds are FIFOs that a
/// shell attaches before it execs Chromium, so Foundation's `Process` can start it; reads wait with `poll` and a
/// deadline, on a thread outside the concurrency pool.
final class ChromiumDevTools: @unchecked Sendable {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private let process: Process
    private let directory: String
    private let commandsFd: Int32
    private let answersFd: Int32
    private let lock = NSLock()
    private var buffer: [UInt8] = []
    private var lastId = 0

    init(chromium: String) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-cdp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let commands = directory + "/commands", answers = directory + "/answers"
        guard mkfifo(commands, 0o600) == 0, mkfifo(answers, 0o600) == 0 else { throw Failure(description: "mkfifo failed: \(errno)") }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [
            "-c", #"exec "$0" "$@" 3<"$PACER_CDP_COMMANDS" 4>"$PACER_CDP_ANSWERS""#, chromium, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars", "--window-size=1280,1400", "--user-data-dir=\(directory)/profile",
            "--remote-debugging-pipe", "about:blank",
        ]
        process.environment = ProcessInfo.processInfo.environment.merging(["PACER_CDP_COMMANDS": commands, "PACER_CDP_ANSWERS": answers]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // O_RDWR never blocks on a FIFO (Linux), so the shell's opens complete in any order.
        commandsFd = open(commands, O_RDWR)
        answersFd = open(answers, O_RDWR)
        guard commandsFd >= 0, answersFd >= 0 else { throw Failure(description: "cannot open the DevTools FIFOs: \(errno)") }
    }

    func close() {
        if process.isRunning { process.terminate() }
        if !process.waitForExit() { kill(process.processIdentifier, SIGKILL) }
        _ = Glibc.close(commandsFd)
        _ = Glibc.close(answersFd)
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sends a command (to a page's `session`, or to the browser) and returns its `result`; throws on an `error`
    /// answer or when none comes within `timeout` seconds.
    func send(_ method: String, _ params: [String: Any] = [:], session: String? = nil, timeout: Double = 60) async throws -> [String: Any] {
        let id = lock.withLock {
            lastId += 1
            return lastId
        }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if let session { message["sessionId"] = session }
        let bytes = try JSONSerialization.data(withJSONObject: message)
        let result: Data = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                do {
                    continuation.resume(returning: try self.sendBlocking(method, id: id, bytes, timeout: timeout))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        return try JSONSerialization.jsonObject(with: result) as? [String: Any] ?? [:]
    }

    /// Writes the command, reads until its answer; returns the answer's `result` as JSON.
    private func sendBlocking(_ method: String, id: Int, _ message: Data, timeout: Double) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        var bytes = [UInt8](message)
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { write(commandsFd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "cannot write to Chromium: \(errno)") }
            written += n
        }
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let end = buffer.firstIndex(of: 0) {
                let text = Data(buffer[..<end])
                buffer.removeSubrange(...end)
                guard let answer = try JSONSerialization.jsonObject(with: text) as? [String: Any], answer["id"] as? Int == id else { continue }
                if let error = answer["error"] { throw Failure(description: "\(method): \(error)") }
                return try JSONSerialization.data(withJSONObject: answer["result"] as? [String: Any] ?? [:])
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw Failure(description: "\(method): no answer from Chromium within \(timeout) s") }
            var descriptor = pollfd(fd: answersFd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(min(left, 1) * 1000)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65_536)
            let n = chunk.withUnsafeMutableBytes { read(answersFd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "Chromium closed the DevTools pipe") }
            buffer += chunk[..<n]
        }
    }

    /// The value of a JavaScript expression in the page (`returnByValue`); nil when it throws (e.g. while the page
    /// is still navigating).
    func evaluate(_ expression: String, session: String) async throws -> Any? {
        let result = try await send("Runtime.evaluate", ["expression": expression, "returnByValue": true], session: session)
        if result["exceptionDetails"] != nil { return nil }
        return (result["result"] as? [String: Any])?["value"]
    }

    /// Evaluates `expression` until it is truthy (a string, `true` or a number), at most `timeout` seconds.
    func waitFor(_ expression: String, session: String, timeout: Double = 60) async throws -> Any {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let value = try await evaluate(expression, session: session), !(value is NSNull), (value as? Bool) != false {
                return value
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw Failure(description: "waited \(timeout) s for \(expression)")
    }

    /// A real mouse click (pressed and released through Chromium's input pipeline) at the centre of the first
    /// element `selector` matches, scrolled into view first.
    func click(_ selector: String, session: String) async throws {
        let literal = String(decoding: try JSONSerialization.data(withJSONObject: [selector]), as: UTF8.self)
        let point = try await waitFor(
            """
            (() => { const e = document.querySelector(\(literal)[0]); if (!e) return null; e.scrollIntoView({block: "center"});
                     const r = e.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()
            """, session: session)
        guard let xy = point as? [Double], xy.count == 2 else { throw Failure(description: "no position for \(selector): \(point)") }
        for type in ["mouseMoved", "mousePressed", "mouseReleased"] {
            _ = try await send(
                "Input.dispatchMouseEvent", ["type": type, "x": xy[0], "y": xy[1], "button": "left", "clickCount": type == "mouseMoved" ? 0 : 1],
                session: session)
        }
    }
}
