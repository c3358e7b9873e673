import PacerCore
import Testing

@Suite("Backoff")
struct BackoffTests {
    @Test("without jitter the delays double from the initial one up to the cap, and reset starts over")
    func doublesUpToTheCap() {
        var backoff = Backoff(initial: .milliseconds(250), maximum: .seconds(1), jitter: 0)
        #expect((0..<5).map { _ in backoff.next() } == [.milliseconds(250), .milliseconds(500), .seconds(1), .seconds(1), .seconds(1)])
        #expect(backoff.attempts == 5)
        backoff.reset()
        #expect(backoff.attempts == 0)
        #expect(backoff.next() == .milliseconds(250))
    }

    @Test("with jitter every delay lies in [ceiling × (1 − jitter), ceiling]")
    func jitterStaysInRange() {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(8), jitter: 0.5)
        for ceiling in [1.0, 2, 4, 8, 8] {
            let delay = backoff.next().seconds
            #expect(delay >= ceiling * 0.5 && delay <= ceiling)
        }
    }
}
