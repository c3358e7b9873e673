import Foundation
import OperatorAPI
import PacerRules
@testable import PacerApp
import Pipeline
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

@Suite("Calculator: MetricDefinition status", .enabled(if: TestDatabase.enabled))
struct MetricStatusTests {
    typealias Fixture = MetricFixture

    @Test("a burst of 200 deployments in 20 transactions causes few status writes; the last one has the final value")
    func rateLimited() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("df", .deploymentFrequency, client: client)
            let publisher = RecordingPublisher()
            let calculator = Fixture.calculator(client: client, publisher: publisher, batchSize: 10)
            let started = ContinuousClock.now
            for batch in 0..<20 {
                let events = (0..<10).map { index in
                    let n = batch * 10 + index
                    return Fixture.Event(id: "d\(n)", kind: .deploy, time: Fixture.now.addingTimeInterval(-Double(n) * 12_000), app: n % 2 == 0 ? "a" : "b")
                }
                try await Fixture.insert(events, client: client)
                try await calculator.catchUp()
            }
            let elapsed = ContinuousClock.now - started
            let burst = publisher.statuses("default/df")
            // First change at once, then at most one write per second.
            let seconds = Int(elapsed.components.seconds) + 1
            #expect(burst.count >= 1 && burst.count <= 1 + seconds, "\(burst.count) writes in \(elapsed)")
            #expect(burst.count < 20)
            // The coalesced newest status is written once the interval has passed.
            try await Task.sleep(for: .milliseconds(1_100))
            await calculator.flushStatuses()
            let final = try #require(publisher.statuses("default/df").last)
            #expect(final.unit == "days/week")
            #expect(final.window == "30d")
            #expect(final.groups?.map { $0.labels } == [["app": "a"], ["app": "b"]])
            // 200 deployments every 3 h 20 min: four weeks, every day has some.
            #expect(final.numericValue == 7)
            #expect(final.level == "Elite")
            #expect(final.lastComputedTime != nil)
            // Nothing new: no further writes.
            let count = publisher.writes.withLock { $0.count }
            try await calculator.catchUp()
            try await Task.sleep(for: .milliseconds(1_100))
            await calculator.flushStatuses()
            #expect(publisher.writes.withLock { $0.count } == count)
        }
    }
}
