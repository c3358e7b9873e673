import PacerCore

/// Per-key exponential requeue delay (controller-runtime `ItemExponentialFailureRateLimiter`):
/// `base × 2^(failures−1)`, capped at `maximum`.
public struct RateLimiter: Sendable, Hashable {
    public var base: Duration
    public var maximum: Duration

    public init(base: Duration = .milliseconds(5), maximum: Duration = .seconds(300)) {
        self.base = base
        self.maximum = maximum
    }

    /// The delay after the given number of consecutive failures (1 = first failure).
    public func delay(failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let exponent = min(failures - 1, 62)
        let seconds = base.seconds * Double(1 << UInt64(exponent))
        return seconds >= maximum.seconds ? maximum : .seconds(seconds)
    }
}
