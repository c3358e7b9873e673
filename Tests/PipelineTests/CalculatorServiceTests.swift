import Foundation
import OperatorAPI
import PacerCore
import PacerRules
import Pipeline
import PostgresNIO
import TestSupport
import Testing

@Suite("Calculator: the service", .enabled(if: TestDatabase.enabled))
struct CalculatorServiceTests {
    typealias Fixture = MetricFixture

    @Test("run() is woken by NOTIFY (the poll is 10 min), computes and publishes, and ends when cancelled", .timeLimit(.minutes(10)))
    func wokenByNotify() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("df", .deploymentFrequency, client: client)
            var configuration = MetricCalculator.Configuration()
            // Longer than the test may run: a deployment computed at all was found through NOTIFY, not the poll.
            configuration.pollInterval = .seconds(600)
            configuration.statusInterval = .seconds(600)
            configuration.listenRenewInterval = .seconds(600)  // a renewed LISTEN wakes the stage too
            let publisher = RecordingPublisher()
            let calculator = MetricCalculator(
                client: client, configuration: configuration, publisher: publisher, logger: TestDatabase.logger, clock: { Fixture.now })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await calculator.run() }
                // The first pass (no events yet) writes the empty headline.
                #expect(try await Self.waitUntil(.seconds(180)) { try await !Fixture.headlines("df", client: client).isEmpty })
                let event = Fixture.Event(id: "d1", kind: .deploy, time: Fixture.now.addingTimeInterval(-3_600), app: "checkout")
                try await Fixture.insert([event], client: client)
                let computed = try await Self.waitUntil(.seconds(180)) { try await !Fixture.points("df", client: client).isEmpty }
                #expect(computed, "the deployment was not computed: NOTIFY did not wake the calculator")
                let headline = try await Fixture.headlines("df", client: client)
                #expect(headline[""]?.samples == 1)
                #expect(headline["app=checkout"]?.samples == 1)
                #expect(publisher.statuses("default/df").first != nil)
                group.cancelAll()
            }
        }
    }

    @Test("a dead database is logged and retried; the service keeps running and catches up when it is back", .timeLimit(.minutes(10)))
    func deadDatabase() async throws {
        try await TestDatabase.withFreshDatabase { client, url in
            try await Fixture.define("df", .deploymentFrequency, client: client)
            var components = try #require(URLComponents(string: url))
            let proxy = try await OutageProxy(targetHost: components.host ?? "127.0.0.1", targetPort: components.port ?? 5432)
            components.port = proxy.port
            let proxied = try #require(components.string)
            var configuration = MetricCalculator.Configuration()
            configuration.pollInterval = .milliseconds(200)
            configuration.retryBackoff.maximum = .milliseconds(500)
            configuration.stepTimeout = .seconds(60)  // generous: a loaded machine can take tens of seconds per step
            configuration.listenRenewInterval = .seconds(2)
            let settings = configuration
            try await TestDatabase.withClient(url: proxied) { calculatorClient in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        try await MetricCalculator(client: calculatorClient, configuration: settings, logger: TestDatabase.logger, clock: { Fixture.now }).run()
                    }
                    defer { group.cancelAll() }
                    try await Fixture.insert([Fixture.Event(id: "a", kind: .deploy, time: Fixture.now.addingTimeInterval(-7_200), app: "checkout")], client: client)
                    #expect(try await Self.waitUntil(.seconds(180)) { try await Fixture.headlines("df", client: client)[""]?.samples == 1 })
                    proxy.cut()
                    try await Fixture.insert([Fixture.Event(id: "b", kind: .deploy, time: Fixture.now.addingTimeInterval(-3_600), app: "checkout")], client: client)
                    // The calculator has met the outage (a connection attempt was refused) while "b" waits.
                    #expect(try await Self.waitUntil(.seconds(180)) { proxy.refusedConnections > 0 })
                    #expect(try await Fixture.headlines("df", client: client)[""]?.samples == 1)
                    proxy.restore()
                    #expect(try await Self.waitUntil(.seconds(180)) { try await Fixture.headlines("df", client: client)[""]?.samples == 2 })
                }
            }
            await proxy.shutdown()
        }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes; returns whether it held.
    @discardableResult
    static func waitUntil(_ timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
