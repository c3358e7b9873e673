import ArgumentParser
import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PacerApp
import ServiceLifecycle
import TestSupport

/// `pacer-bench webhooks`: the GitHub receiver's throughput. Signed `push` deliveries of `--commits` commits each
/// (unique delivery ids), `--concurrency` in flight, to `POST /webhooks/github` of an in-process `pacer serve`
/// without the pipeline: verification, JSON parsing, the CloudEvent and the group commit, as a delivery costs.
struct WebhookBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks", abstract: "GitHub webhook receiver throughput (signed push deliveries per second).")

    @Option(name: .customLong("database-url"), help: "An empty database Pacer may migrate.")
    var databaseURL: String

    @Option(help: "Deliveries to post.")
    var deliveries: Int = 5_000

    @Option(help: "Commits per push.")
    var commits: Int = 20

    @Option(help: "Requests in flight (and HTTP connections).")
    var concurrency: Int = 32

    func run() async throws {
        var logger = Logger(label: "pacer-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let secret = "bench-secret"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("pacer-bench-webhooks-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "\(secret)\n".write(toFile: directory + "/github", atomically: true, encoding: .utf8)

        let base = Date(timeIntervalSince1970: 1_795_000_000)
        let bodies: [(body: String, signature: String)] = (0..<min(deliveries, 64)).map { variant in
            let list = (0..<commits).map { index in
                WebhookFixtures.Commit(
                    sha: String(format: "%08x%032x", variant, index), timestamp: RFC3339Text.format(base + Double(index * 60)),
                    author: "Dev\(index % 5)", message: "Change \(index) of push \(variant)")
            }
            let body = WebhookFixtures.gitHubPush(repository: "acme/checkout", commits: list)
            return (body, WebhookFixtures.gitHubSignature(body, secret: secret))
        }
        say("pacer-bench webhooks: \(deliveries) GitHub push deliveries of \(commits) commits (\(bodies[0].body.utf8.count) bytes), concurrency \(concurrency), \(ProcessInfo.processInfo.activeProcessorCount) cores")

        var configuration = PacerConfiguration(databaseURL: databaseURL)
        configuration.webhookSecretsDirectory = directory
        configuration.pipelineEnabled = false
        let parts = try PacerServer(configuration: configuration, logger: logger).makeParts()
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: parts.router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "pacer-bench"),
            services: parts.services,
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            }, logger: logger)
        let services = ServiceGroup(configuration: .init(services: [.init(service: app)], gracefulShutdownSignals: [], cancellationSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { portContinuation.finish() }
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
                try await post(port: port, bodies: bodies)
                await services.triggerGracefulShutdown()
                try await group.waitForAll()
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
        }
    }

    private func post(port: Int, bodies: [(body: String, signature: String)]) async throws {
        var httpConfiguration = HTTPClient.Configuration()
        httpConfiguration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
        let deliveries = self.deliveries
        let concurrency = self.concurrency
        let run = UUID().uuidString.prefix(8)
        do {
            let start = monotonicNanos()
            let latencies = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for worker in 0..<min(concurrency, deliveries) {
                    group.addTask {
                        var samples: [UInt64] = []
                        var number = worker
                        while number < deliveries {
                            let (body, signature) = bodies[number % bodies.count]
                            var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/webhooks/github")
                            request.method = .POST
                            request.headers.add(name: "Content-Type", value: "application/json")
                            request.headers.add(name: "X-GitHub-Event", value: "push")
                            request.headers.add(name: "X-GitHub-Delivery", value: "\(run)-\(number)")
                            request.headers.add(name: "X-Hub-Signature-256", value: signature)
                            request.body = .bytes(ByteBuffer(string: body))
                            let began = monotonicNanos()
                            let response = try await http.execute(request, timeout: .seconds(60))
                            let answer = try await response.body.collect(upTo: 1 << 16)
                            samples.append(monotonicNanos() - began)
                            guard response.status == .accepted else {
                                throw BenchError("delivery \(number): HTTP \(response.status.code) \(String(buffer: answer))")
                            }
                            number += concurrency
                        }
                        return samples
                    }
                }
                var all: [UInt64] = []
                for try await samples in group { all += samples }
                return all
            }
            let elapsed = monotonicNanos() - start
            let summary = LatencySummary(latencies)
            let rate = Double(deliveries) / (Double(elapsed) / 1e9)
            say("GitHub push (\(commits) commits): \(Format.rate(rate)) deliveries/s in \(Format.seconds(elapsed)), request latency p50 \(Format.millis(summary.p50)) p99 \(Format.millis(summary.p99))")
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
    }
}

/// RFC 3339 in UTC, whole seconds (the bench does not link PacerCore's formatter directly).
enum RFC3339Text {
    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
