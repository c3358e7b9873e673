import ArgumentParser
import AsyncHTTPClient
import EventStore
import Foundation
import Hummingbird
import Logging
import NIOCore
import PacerApp
import PostgresNIO
import ServiceLifecycle

/// `pacer-bench ingest`: Pacer's HTTP ingest (structured, batched, binary) against the database's own ceiling
/// (`COPY`) and the seed tutorial's design (one `INSERT` per transaction), on the same rows, in one run.
struct IngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest", abstract: "CloudEvents ingest throughput: Pacer over HTTP vs COPY vs one INSERT per transaction.")

    @Option(name: .customLong("database-url"), help: "An empty database Pacer may migrate (its cloudevents_raw is truncated).")
    var databaseURL: String

    @Option(help: "Events per mode.")
    var events: Int = 200_000

    @Option(help: "HTTP requests in flight (and HTTP connections).")
    var concurrency: Int = 64

    @Option(name: .customLong("batch-size"), help: "Events per request in batched mode.")
    var batchSize: Int = 100

    @Option(name: .customLong("insert-connections"), help: "Connections of the one-INSERT-per-transaction mode.")
    var insertConnections: Int = 8

    @Option(help: "Comma-separated modes to run: copy, insert, structured, batched, binary.")
    var modes: String = "copy,insert,structured,batched,binary"

    func validate() throws {
        guard events > 0, concurrency > 0, batchSize > 0, insertConnections > 0 else {
            throw ValidationError("--events, --concurrency, --batch-size and --insert-connections must be positive")
        }
        let unknown = selectedModes.subtracting(["copy", "insert", "structured", "batched", "binary"])
        guard unknown.isEmpty else { throw ValidationError("unknown mode(s): \(unknown.sorted().joined(separator: ", "))") }
    }

    var selectedModes: Set<String> {
        Set(modes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }

    func run() async throws {
        var logger = Logger(label: "pacer-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let fixture = BenchEvents(count: events)
        let sample = fixture.structured(events - 1)
        say("pacer-bench ingest: \(events) events per mode (\(sample.utf8.count) bytes structured), concurrency \(concurrency), batch \(batchSize), \(ProcessInfo.processInfo.activeProcessorCount) cores")

        var configuration = PacerConfiguration(databaseURL: databaseURL)
        configuration.httpHost = "127.0.0.1"
        configuration.httpPort = 0
        configuration.maxBodyBytes = max(1 << 20, batchSize * 1024)
        configuration.writeTimeout = .seconds(30)
        let parts = try PacerServer(configuration: configuration, logger: logger).makeParts()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: parts.router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "pacer-bench"),
            services: parts.services,
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger)

        var direct = try DatabaseURL(databaseURL).clientConfiguration()
        direct.options.maximumConnections = insertConnections + 1
        let database = PostgresClient(configuration: direct, backgroundLogger: logger)

        // One ServiceGroup for the app and the benchmark's own pool, so the run ends with a graceful shutdown
        // (the HTTP server first, then the pool), not a cancellation.
        let services = ServiceGroup(
            configuration: .init(
                services: [.init(service: database), .init(service: app)], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        let results = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }  // a server that fails to start must not leave the wait below hanging
                try await services.run()
            }
            do {
                var port = 0
                for await bound in ports { port = bound }
                guard port > 0 else { throw BenchError("Pacer's HTTP server did not start") }
                let deadline = ContinuousClock.now + .seconds(60)
                while !parts.schema.isReady {
                    guard ContinuousClock.now < deadline else { throw BenchError("Pacer's migrations did not finish within 60 s") }
                    try await Task.sleep(for: .milliseconds(20))
                }
                let results = try await runModes(port: port, events: fixture, database: database, logger: logger)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
                return results
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
        printSummary(results)
    }

    private func runModes(port: Int, events: BenchEvents, database: PostgresClient, logger: Logger) async throws -> [String: ModeResult] {
        var results: [String: ModeResult] = [:]
        let selected = selectedModes
        let direct = DirectLoad(client: database, events: events, logger: logger)

        func measure(_ key: String, _ body: () async throws -> ModeResult) async throws {
            guard selected.contains(key) else { return }
            try await database.execute("TRUNCATE cloudevents_raw RESTART IDENTITY", logger: logger)
            try await database.execute("CHECKPOINT", logger: logger)
            var result = try await body()
            result.storedRows = try await database.count(table: "cloudevents_raw", logger: logger)
            results[key] = result
            var line = "\(result.name): \(Format.rate(result.eventsPerSecond)) events/s in \(Format.seconds(result.elapsedNanos))"
            if let latencies = result.latencies {
                line += ", request latency p50 \(Format.millis(latencies.p50)) p99 \(Format.millis(latencies.p99))"
            }
            line += "; rows stored \(result.storedRows)/\(result.events)"
            say(line)
            guard result.storedRows == result.events else {
                throw BenchError("\(result.name): \(result.storedRows) rows stored, expected \(result.events)")
            }
        }

        try await measure("copy") { try await direct.copy() }
        try await measure("insert") { try await direct.insertPerTransaction(connections: insertConnections) }

        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        httpConfiguration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        do {
            let load = HTTPLoad(client: http, url: "http://127.0.0.1:\(port)/events", events: events, concurrency: concurrency, batchSize: batchSize)
            for mode in HTTPLoad.Mode.allCases {
                try await measure(mode.rawValue) { try await load.run(mode) }
            }
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return results
    }

    private func printSummary(_ results: [String: ModeResult]) {
        let order = ["copy", "insert", "structured", "batched", "binary"]
        let rows = order.compactMap { results[$0] }.map { result -> [String] in
            [
                result.name, String(result.events), String(result.requests), Format.seconds(result.elapsedNanos),
                Format.rate(result.eventsPerSecond), result.latencies.map { Format.millis($0.p50) } ?? "-",
                result.latencies.map { Format.millis($0.p99) } ?? "-", String(result.storedRows),
            ]
        }
        say("")
        say(Format.table(["mode", "events", "requests", "time", "events/s", "p50", "p99", "rows"], rows))
        say("")
        func ratio(_ label: String, _ numerator: String, _ denominator: String, target: String) {
            guard let top = results[numerator], let bottom = results[denominator] else { return }
            say("\(Format.pad(label, 44)) \(Format.ratio(top.eventsPerSecond / bottom.eventsPerSecond))   (target \(target))")
        }
        ratio("batched / COPY", "batched", "copy", target: ">= 0.5")
        ratio("structured / INSERT per transaction", "structured", "insert", target: "> 1")
        ratio("binary / INSERT per transaction", "binary", "insert", target: "> 1")
        ratio("batched / INSERT per transaction", "batched", "insert", target: "-")
        ratio("INSERT per transaction / COPY", "insert", "copy", target: "-")
    }
}
