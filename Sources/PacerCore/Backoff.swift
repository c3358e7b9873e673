import Foundation

/// Exponential backoff with jitter and a cap (0.8 s, 1.6 s, ... up to 30 s by default), the one retry delay of
/// every retrying loop (the watcher, the event forwarder, the pipeline stages and their LISTEN, migrations).
/// Each delay is drawn from `[d × (1 − jitter), d]`, so competing clients spread out; ``reset()`` after a success.
public struct Backoff: Sendable, Hashable {
    public var initial: Duration
    public var maximum: Duration
    public var multiplier: Double
    /// 0 = no jitter, 1 = full jitter.
    public var jitter: Double
    /// Number of delays handed out since the last ``reset()``.
    public private(set) var attempts = 0

    public init(initial: Duration = .milliseconds(800), maximum: Duration = .seconds(30), multiplier: Double = 2, jitter: Double = 0.5) {
        self.initial = initial
        self.maximum = maximum
        self.multiplier = multiplier
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The un-jittered delay of the current attempt.
    public var currentCeiling: Duration {
        let factor = pow(multiplier, Double(min(attempts, 60)))
        let seconds = min(initial.seconds * factor, maximum.seconds)
        return .seconds(seconds)
    }

    /// The next delay; grows until ``maximum``.
    public mutating func next() -> Duration {
        let ceiling = currentCeiling.seconds
        attempts += 1
        let low = ceiling * (1 - jitter)
        return .seconds(low < ceiling ? Double.random(in: low...ceiling) : ceiling)
    }

    public mutating func reset() { attempts = 0 }
}
