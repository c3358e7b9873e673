import Foundation
import OperatorAPI
import PacerRules
@testable import PacerApp
import Pipeline
import PostgresNIO
import Synchronization
import TestSupport
import Testing

/// Records every status write, as the PacerApp adapter would write it.
final class RecordingPublisher: MetricResultPublishing {
    let writes = Mutex<[(key: String, status: MetricDefinitionStatus)]>([])
    func publish(_ result: MetricResult) async throws {
        writes.withLock { $0.append((result.key, MetricDefinitionStatus(result))) }
    }
    func statuses(_ key: String) -> [MetricDefinitionStatus] { writes.withLock { $0.filter { $0.key == key }.map(\.status) } }
}

/// Holds the status write of `held` until `awaited`'s status has been written (at most `patience`), and records the
/// order the writes finished in.
final class GatedPublisher: MetricResultPublishing {
    let held: String
    let awaited: String
    let patience: Duration
    let finished = Mutex<[String]>([])

    init(held: String, awaited: String, patience: Duration = .seconds(30)) {
        self.held = held
        self.awaited = awaited
        self.patience = patience
    }

    func publish(_ result: MetricResult) async throws {
        if result.key == held {
            let deadline = ContinuousClock.now + patience
            while !finished.withLock({ $0.contains(awaited) }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
        }
        finished.withLock { $0.append(result.key) }
    }
}

@Suite("Calculator: MetricDefinition status", .enabled(if: TestDatabase.enabled))
struct MetricStatusTests {
    typealias Fixture = MetricFixture

    /// A calculator whose status writes are throttled to one per `statusInterval`.
    static func calculator(client: PostgresClient, publisher: any MetricResultPublishing, statusInterval: Duration) -> MetricCalculator {
        var configuration = MetricCalculator.Configuration()
        configuration.batchSize = 10
        configuration.statusInterval = statusInterval
        return MetricCalculator(client: client, configuration: configuration, publisher: publisher, logger: TestDatabase.logger, clock: { Fixture.now })
    }

    /// The throttle's timing (first change at once, the newest of later ones once the interval has passed) is
    /// checked with explicit instants in MetricStatusThrottleTests. Here the calculator uses it: with an interval
    /// longer than the test, a burst is exactly one write; with a zero interval the final status is written and
    /// an unchanged result is not written again.
    /// One step changes both definitions; `a` comes first in key order and its write is held until `b`'s is done.
    /// Written one after another, `b` would wait behind `a` (which waits for `b` until its patience runs out).
    @Test("the statuses of one step are written side by side: a slow write does not hold back the others")
    func writtenSideBySide() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("a", .deploymentFrequency, client: client)
            try await Fixture.define("b", .changeFailureRate, client: client)
            let publisher = GatedPublisher(held: "default/a", awaited: "default/b")
            let calculator = Self.calculator(client: client, publisher: publisher, statusInterval: .zero)
            try await Fixture.insert([Fixture.Event(id: "d1", kind: .deploy, time: Fixture.now.addingTimeInterval(-3_600), app: "web")], client: client)
            try await calculator.catchUp()
            #expect(publisher.finished.withLock { $0 } == ["default/b", "default/a"])
        }
    }

    @Test("a burst of 200 deployments in 20 transactions causes one status write; the final status is written once")
    func rateLimited() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("df", .deploymentFrequency, client: client)
            let publisher = RecordingPublisher()
            let calculator = Self.calculator(client: client, publisher: publisher, statusInterval: .seconds(3_600))
            var values: [Double?] = []
            for batch in 0..<20 {
                let events = (0..<10).map { index in
                    let n = batch * 10 + index
                    return Fixture.Event(id: "d\(n)", kind: .deploy, time: Fixture.now.addingTimeInterval(-Double(n) * 12_000), app: n % 2 == 0 ? "a" : "b")
                }
                try await Fixture.insert(events, client: client)
                try await calculator.catchUp()
                values.append(try await Fixture.headlines("df", client: client)[""]?.value)
            }
            // The first change is written at once, every later one is held back by the (hour-long) interval.
            let burst = publisher.statuses("default/df")
            #expect(burst.count == 1, "\(burst.count) writes")
            #expect(Set(values).count > 1, "the burst changed the value: \(values)")
            #expect(burst.first?.numericValue != 7, "the one write is the first result, not the final one")
            await calculator.flushStatuses()
            #expect(publisher.statuses("default/df").count == 1, "the newest result waits for the interval")

            // A calculator without a rate limit writes the final status at once …
            let unthrottled = RecordingPublisher()
            let fresh = Self.calculator(client: client, publisher: unthrottled, statusInterval: .zero)
            try await fresh.catchUp()
            let final = try #require(unthrottled.statuses("default/df").last)
            #expect(unthrottled.statuses("default/df").count == 1)
            #expect(final.unit == "days/week")
            #expect(final.window == "30d")
            #expect(final.groups?.map { $0.labels } == [["app": "a"], ["app": "b"]])
            // 200 deployments every 3 h 20 min: four weeks, every day has some.
            #expect(final.numericValue == 7)
            #expect(final.level == "Elite")
            #expect(final.lastComputedTime != nil)
            // … and, nothing new, writes nothing more: the interval is zero, so anything pending would be due.
            try await fresh.catchUp()
            await fresh.flushStatuses()
            #expect(unthrottled.writes.withLock { $0.count } == 1)
        }
    }
}
