import Foundation
import OperatorAPI
import Pipeline
import PostgresNIO
import TestSupport
import Testing

@Suite("Calculator: the service", .enabled(if: TestDatabase.enabled))
struct CalculatorServiceTests {
    typealias Fixture = MetricFixture

    @Test("run() is woken by NOTIFY (the poll is 30 s), computes and publishes, and ends when cancelled", .timeLimit(.minutes(1)))
    func wokenByNotify() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("df", .deploymentFrequency, client: client)
            var configuration = MetricCalculator.Configuration()
            configuration.pollInterval = .seconds(30)
            configuration.statusInterval = .seconds(30)
            let publisher = RecordingPublisher()
            let calculator = MetricCalculator(
                client: client, configuration: configuration, publisher: publisher, logger: TestDatabase.logger, clock: { Fixture.now })
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await calculator.run() }
                // The first pass (no events yet) writes the empty headline.
                try await Self.waitUntil { try await !Fixture.headlines("df", client: client).isEmpty }
                let event = Fixture.Event(id: "d1", kind: .deploy, time: Fixture.now.addingTimeInterval(-3_600), app: "checkout")
                try await Fixture.insert([event], client: client)
                let computed = try await Self.waitUntil { try await !Fixture.points("df", client: client).isEmpty }
                #expect(computed, "the deployment was not computed within 10 s: NOTIFY did not wake the calculator")
                let headline = try await Fixture.headlines("df", client: client)
                #expect(headline[""]?.samples == 1)
                #expect(headline["app=checkout"]?.samples == 1)
                #expect(publisher.statuses("default/df").first != nil)
                group.cancelAll()
            }
        }
    }

    /// Polls `condition` every 50 ms for up to 10 s.
    @discardableResult
    static func waitUntil(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }
}
