import Foundation
@testable import Pipeline
import Testing

@Suite("Calculator: status throttle")
struct MetricStatusThrottleTests {
    static func result(value: Double, samples: Int64 = 1, at: Date = Date(timeIntervalSince1970: 0)) -> MetricResult {
        MetricResult(
            namespace: "default", name: "df", headlines: [MetricHeadline(groupKey: "", labels: [:], value: value, level: nil, samples: samples)],
            unit: "days/week", window: "30d", computedAt: at)
    }

    @Test("the first change is written at once, later ones are coalesced per interval, the newest wins")
    func coalesces() {
        var throttle = MetricStatusThrottle(interval: .seconds(1))
        let start = ContinuousClock.now
        #expect(throttle.submit(Self.result(value: 1), now: start) != nil)
        #expect(throttle.submit(Self.result(value: 2), now: start + .milliseconds(100)) == nil)
        #expect(throttle.submit(Self.result(value: 3), now: start + .milliseconds(200)) == nil)
        #expect(throttle.due(now: start + .milliseconds(500)).isEmpty)
        #expect(throttle.due(now: start + .seconds(1)).map { $0.headlines[0].value } == [3])
    }

    @Test("a result that differs only in computedAt is not written again, one with other sample counts is; a failed write is retried")
    func unchangedAndFailed() {
        var throttle = MetricStatusThrottle(interval: .seconds(1))
        let start = ContinuousClock.now
        let first = Self.result(value: 1)
        #expect(throttle.submit(first, now: start) != nil)
        #expect(throttle.submit(Self.result(value: 1, at: Date()), now: start + .seconds(2)) == nil)
        #expect(throttle.due(now: start + .seconds(3)).isEmpty)
        // status.samples shows the count: 1 → 5 deployments with the same value is a new status.
        let more = Self.result(value: 1, samples: 5, at: Date())
        #expect(throttle.submit(more, now: start + .seconds(4)) == more)
        throttle.failed(more)
        #expect(throttle.due(now: start + .seconds(5)).map(\.key) == ["default/df"])
    }
}
