import ArgumentParser
import AsyncHTTPClient
import EventStore
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Synchronization

/// `pacer-bench soak`: a running `pacer serve` (another process, so its memory is measured alone) under an open-loop
/// load of `--factor` × the rate it sustains, with `--malformed-percent` of the requests malformed, for `--seconds`.
///
/// 1. Calibration: `--connections` senders post valid events as fast as they are answered for `--calibrate-seconds`;
///    the accepted events per second are the sustainable rate.
/// 2. Soak: requests are started on a fixed schedule of `factor × sustainable` per second whatever the answers
///    (open loop), at most `--max-in-flight` at once (a request the schedule could not start is counted as not sent).
/// 3. Checks, from the database and the process: every event answered 2xx is stored; no malformed event is stored;
///    no 5xx; the process is alive and ready; its resident memory (sampled every second) stays under `--max-rss-mib`.
/// Prints the answers by status, the rates and the memory, and exits non-zero when a check fails.
struct SoakBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "soak", abstract: "Open-loop overload of a running pacer serve with malformed events mixed in; checks nothing acknowledged is lost.")

    @Option(help: "The base URL of the running `pacer serve` (e.g. http://127.0.0.1:8080).")
    var url: String

    @Option(name: .customLong("database-url"), help: "The database that `pacer serve` writes.")
    var databaseURL: String

    @Option(help: "The process id of `pacer serve` (for its resident memory and liveness).")
    var pid: Int32

    @Option(help: "Seconds of overload.")
    var seconds: Int = 600

    @Option(name: .customLong("calibrate-seconds"), help: "Seconds of closed-loop load that measure the sustainable rate.")
    var calibrateSeconds: Int = 15

    @Option(help: "The offered rate as a multiple of the sustainable rate.")
    var factor: Double = 2

    @Option(help: "A fixed offered rate in events per second (skips calibration).")
    var rate: Double?

    @Option(name: .customLong("malformed-percent"), help: "Percentage of requests that carry a malformed event.")
    var malformedPercent: Double = 1

    @Option(help: "HTTP connections (and closed-loop senders during calibration).")
    var connections: Int = 256

    @Option(name: .customLong("max-in-flight"), help: "Requests in flight at most during the soak.")
    var maxInFlight: Int = 1024

    @Option(help: "Distinct event sources (Pacer's rate limit is per source when no token is used).")
    var senders: Int = 8

    @Option(name: .customLong("max-rss-mib"), help: "Pacer's resident memory must stay below this.")
    var maxRSSMiB: Int = 1024

    func validate() throws {
        guard seconds > 0, calibrateSeconds > 0, factor > 0, connections > 0, maxInFlight > 0, senders > 0 else {
            throw ValidationError("--seconds, --calibrate-seconds, --factor, --connections, --max-in-flight and --senders must be positive")
        }
        guard (0...100).contains(malformedPercent) else { throw ValidationError("--malformed-percent must be within 0...100") }
        if let rate, !(rate > 0) { throw ValidationError("--rate must be positive") }
    }

    func run() async throws {
        var logger = Logger(label: "pacer-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        httpConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        let memory = MemorySampler(pid: pid)
        let sampling = Task { await memory.run() }
        let tally = SoakTally()
        let load = SoakLoad(client: http, url: url.hasSuffix("/") ? url + "events" : url + "/events", senders: senders, tally: tally)
        do {
            let offered: Double
            if let rate {
                offered = rate
            } else {
                let sustainable = try await load.closedLoop(connections: connections, seconds: calibrateSeconds)
                say(String(format: "calibration: %d senders, %d s closed loop: %.0f events/s accepted (sustainable)", connections, calibrateSeconds, sustainable))
                offered = sustainable * factor
            }
            memory.mark("soak start")
            say(String(format: "soak: %.0f requests/s offered for %d s, %.1f %% malformed, at most %d in flight", offered, seconds, malformedPercent, maxInFlight))
            await load.openLoop(rate: offered, seconds: seconds, malformedPercent: malformedPercent, maxInFlight: maxInFlight) { elapsed in
                let counts = tally.snapshot()
                say("  \(elapsed) s: sent \(counts.sent), 2xx \(counts.accepted), 429 \(counts.status[429, default: 0]), other \(counts.sent - counts.accepted - counts.status[429, default: 0]), not sent \(counts.notSent), Pacer RSS \(memory.current.map(Format.mebibytes) ?? "?")")
            }
            memory.mark("soak end")
        } catch {
            sampling.cancel()
            try? await http.shutdown()
            throw error
        }
        let ready = try await isReady(http)
        sampling.cancel()
        try await http.shutdown()
        let alive = kill(pid, 0) == 0
        let counts = tally.snapshot()
        let stored = try await storedIDs(logger: logger)
        try report(counts: counts, stored: stored, memory: memory, alive: alive, ready: ready)
    }

    private func isReady(_ http: HTTPClient) async throws -> Bool {
        let request = HTTPClientRequest(url: url.hasSuffix("/") ? url + "readyz" : url + "/readyz")
        guard let response = try? await http.execute(request, timeout: .seconds(30)) else { return false }
        _ = try? await response.body.collect(upTo: 1 << 16)
        return response.status == .ok
    }

    /// The soak's rows in the database: the numbers of the valid events stored, and how many malformed ones.
    private func storedIDs(logger: Logger) async throws -> (valid: [Int], malformed: Int, foreign: Int) {
        let client = PostgresClient(configuration: try DatabaseURL(databaseURL).clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            var valid: [Int] = []
            var malformed = 0, foreign = 0
            let rows = try await client.query("SELECT ce_id FROM cloudevents_raw WHERE ce_source LIKE '/bench/soak/%'", logger: logger)
            for try await id in rows.decode(String.self) {
                if id.hasPrefix("ok-"), let number = Int(id.dropFirst(3)) {
                    valid.append(number)
                } else if id.hasPrefix("cal-") {
                    continue
                } else if id.hasPrefix("bad-") {
                    malformed += 1
                } else {
                    foreign += 1
                }
            }
            return (valid, malformed, foreign)
        }
    }

    private func report(counts: SoakTally.Counts, stored: (valid: [Int], malformed: Int, foreign: Int), memory: MemorySampler, alive: Bool, ready: Bool) throws {
        let storedSet = Set(stored.valid)
        let lost = counts.acceptedIDs.filter { !storedSet.contains($0) }
        let unacknowledged = storedSet.count - (counts.acceptedIDs.count - lost.count)
        let serverErrors = counts.status.filter { $0.key >= 500 }.values.reduce(0, +)
        say("")
        say(Format.table(["answer", "requests"], counts.status.sorted { $0.key < $1.key }.map { [String($0.key), String($0.value)] }
            + [["transport error", String(counts.transportErrors)], ["not sent (client at its in-flight limit)", String(counts.notSent)]]))
        say("")
        say("valid events answered 2xx:          \(counts.acceptedIDs.count)")
        say("  of them stored:                   \(counts.acceptedIDs.count - lost.count)   (lost: \(lost.count))")
        say("stored without a 2xx (timed out):   \(unacknowledged)")
        say("malformed sent / answered 2xx / stored: \(counts.malformedSent) / \(counts.malformedAccepted) / \(stored.malformed)")
        say("5xx answers:                        \(serverErrors)")
        say("Pacer alive / ready afterwards:     \(alive) / \(ready)")
        say(memory.summary())
        var failures: [String] = []
        if !lost.isEmpty { failures.append("\(lost.count) events answered 2xx are not stored (first: ok-\(lost.sorted().first!))") }
        if counts.malformedAccepted > 0 || stored.malformed > 0 { failures.append("malformed events accepted (\(counts.malformedAccepted)) or stored (\(stored.malformed))") }
        if serverErrors > 0 { failures.append("\(serverErrors) answers were 5xx") }
        if !alive || !ready { failures.append("pacer serve is not alive and ready after the soak") }
        if let peak = memory.peak, peak > maxRSSMiB * 1024 { failures.append("resident memory reached \(Format.mebibytes(peak)) (limit \(maxRSSMiB) MiB)") }
        guard failures.isEmpty else { throw BenchError("soak failed: " + failures.joined(separator: "; ")) }
        say("soak passed: every acknowledged event stored, nothing malformed stored, no 5xx, memory bounded, process alive")
    }
}

/// What the soak's requests were answered, shared by the request tasks.
final class SoakTally: Sendable {
    struct Counts {
        var sent = 0
        var notSent = 0
        var accepted = 0
        var transportErrors = 0
        var malformedSent = 0
        var malformedAccepted = 0
        var status: [Int: Int] = [:]
        var acceptedIDs: [Int] = []
    }

    private let counts = Mutex(Counts())

    func record(status: Int?, validID: Int?) {
        counts.withLock { counts in
            counts.sent += 1
            if validID == nil { counts.malformedSent += 1 }
            guard let status else {
                counts.transportErrors += 1
                return
            }
            counts.status[status, default: 0] += 1
            guard (200..<300).contains(status) else { return }
            counts.accepted += 1
            if let validID { counts.acceptedIDs.append(validID) } else { counts.malformedAccepted += 1 }
        }
    }

    func notSent() { counts.withLock { $0.notSent += 1 } }

    func snapshot() -> Counts { counts.withLock { $0 } }
}

/// Pacer's resident memory, sampled every second from `/proc/<pid>/status`.
final class MemorySampler: Sendable {
    private struct State {
        var samples: [(second: Int, kib: Int)] = []
        var marks: [(label: String, second: Int)] = []
    }

    let pid: Int32
    private let start = monotonicNanos()
    private let state = Mutex(State())

    init(pid: Int32) { self.pid = pid }

    private var second: Int { Int((monotonicNanos() - start) / 1_000_000_000) }

    func run() async {
        while !Task.isCancelled {
            if let kib = residentKiB(pid: pid) {
                let now = second
                state.withLock { $0.samples.append((now, kib)) }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    func mark(_ label: String) {
        let now = second
        state.withLock { $0.marks.append((label, now)) }
    }

    var current: Int? { state.withLock { $0.samples.last?.kib } }
    var peak: Int? { state.withLock { $0.samples.map(\.kib).max() } }

    /// Peak memory overall, in the soak's first and last minute (growth between them would mean unbounded memory).
    func summary() -> String {
        state.withLock { state in
            guard let begin = state.marks.first(where: { $0.label == "soak start" })?.second,
                  let end = state.marks.first(where: { $0.label == "soak end" })?.second else { return "Pacer RSS: no samples" }
            func peak(_ range: ClosedRange<Int>) -> String {
                state.samples.filter { range.contains($0.second) }.map(\.kib).max().map(Format.mebibytes) ?? "-"
            }
            return "Pacer RSS peak: before the soak \(peak(0...begin)), first minute \(peak(begin...min(end, begin + 60))), last minute \(peak(max(begin, end - 60)...end)), overall \(state.samples.map(\.kib).max().map(Format.mebibytes) ?? "-")"
        }
    }
}

/// Posts structured CloudEvents: valid ones (`ok-<n>`, or `cal-<n>` while calibrating; sources `/bench/soak/s<k>`) and malformed ones (`bad-<n>`)
/// of several kinds, each of which Pacer must refuse with a 4xx.
final class SoakLoad: Sendable {
    let client: HTTPClient
    let url: String
    let senders: Int
    let tally: SoakTally
    private let next = Atomic<Int>(0)
    private let inFlight = Atomic<Int>(0)

    init(client: HTTPClient, url: String, senders: Int, tally: SoakTally) {
        self.client = client
        self.url = url
        self.senders = senders
        self.tally = tally
    }

    /// `connections` senders posting valid events back to back for `seconds`; returns the accepted events per second.
    func closedLoop(connections: Int, seconds: Int) async throws -> Double {
        let deadline = monotonicNanos() + UInt64(seconds) * 1_000_000_000
        let accepted = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<connections {
                group.addTask {
                    var accepted = 0
                    while monotonicNanos() < deadline {
                        if await self.post(malformed: false, record: false) == 202 { accepted += 1 }
                    }
                    return accepted
                }
            }
            return try await group.reduce(0, +)
        }
        guard accepted > 0 else { throw BenchError("calibration: no event was accepted") }
        return Double(accepted) / Double(seconds)
    }

    /// Starts `rate` requests per second on schedule for `seconds`, `malformedPercent` of them malformed, never more
    /// than `maxInFlight` at once; calls `progress` every 30 s with the elapsed seconds. Returns when all are answered.
    func openLoop(rate: Double, seconds: Int, malformedPercent: Double, maxInFlight: Int, progress: @Sendable (Int) -> Void) async {
        let start = monotonicNanos()
        let end = start + UInt64(seconds) * 1_000_000_000
        let malformedEvery = malformedPercent > 0 ? max(1, Int((100 / malformedPercent).rounded())) : Int.max
        await withDiscardingTaskGroup { group in
            var scheduled = 0
            var reported = 0
            while true {
                let now = monotonicNanos()
                guard now < end else { break }
                let due = Int(Double(now - start) / 1e9 * rate)
                while scheduled < due {
                    scheduled += 1
                    let malformed = scheduled % malformedEvery == 0
                    guard self.inFlight.add(1, ordering: .relaxed).newValue <= maxInFlight else {
                        self.inFlight.subtract(1, ordering: .relaxed)
                        tally.notSent()
                        continue
                    }
                    group.addTask {
                        _ = await self.post(malformed: malformed, record: true)
                        self.inFlight.subtract(1, ordering: .relaxed)
                    }
                }
                let elapsed = Int((now - start) / 1_000_000_000)
                if elapsed >= reported + 30 {
                    reported = elapsed
                    progress(elapsed)
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
    }

    /// Posts one event; returns the status (nil on a transport error).
    private func post(malformed: Bool, record: Bool) async -> Int? {
        let number = next.add(1, ordering: .relaxed).newValue
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents+json")
        let body = malformed ? Self.malformedEvent(number) : Self.validEvent(number, prefix: record ? "ok" : "cal", sender: number % senders)
        request.body = .bytes(ByteBuffer(string: body))
        var status: Int?
        do {
            let response = try await client.execute(request, timeout: .seconds(60))
            _ = try await response.body.collect(upTo: 1 << 16)
            status = Int(response.status.code)
        } catch {
            status = nil
        }
        if record { tally.record(status: status, validID: malformed ? nil : number) }
        return status
    }

    /// A valid event: `ok-<n>` during the soak, `cal-<n>` during calibration.
    static func validEvent(_ number: Int, prefix: String, sender: Int) -> String {
        #"{"specversion":"1.0","id":"\#(prefix)-\#(number)","source":"/bench/soak/s\#(sender)","type":"dev.pacer.bench.soak","time":"2026-12-03T10:00:00Z","datacontenttype":"application/json","data":{"app":"cart","n":\#(number)}}"#
    }

    /// A malformed event of one of eight kinds, each refused by a rule of docs/ingest.md.
    static func malformedEvent(_ number: Int) -> String {
        let id = "bad-\(number)"
        let source = "/bench/soak/bad"
        switch number % 8 {
        case 0: return #"{"specversion":"1.0","id":"\#(id)","source":"\#(source)","type":"t","data":{"#  // truncated JSON
        case 1: return #"{"specversion":"1.0","id":"\#(id)","source":"\#(source)","type":"t","data":{"note":"a\u0000b"}}"#  // NUL in data
        case 2: return #"{"specversion":"1.0","id":"\#(id)\#(String(repeating: "x", count: 10_000))","source":"\#(source)","type":"t"}"#  // 10 KB id
        case 3: return #"{"specversion":"1.0","id":"\#(id)","source":"\#(source)","type":"t","time":"0000-01-01T00:00:00Z"}"#  // year 0000
        case 4: return #"{"id":"\#(id)","source":"\#(source)","type":"t"}"#  // no specversion
        case 5: return #"{"specversion":"1.0","id":"\#(id)","source":"\#(source)","type":"t","datacontenttype":"application/","data":"x"}"#  // bad media type
        case 6: return #"{"specversion":"1.0","id":"\#(id)","id":"\#(id)-again","source":"\#(source)","type":"t"}"#  // duplicate attribute
        default: return #"{"specversion":"1.0","id":"\#(id)","source":"","type":"t"}"#  // empty source
        }
    }
}
