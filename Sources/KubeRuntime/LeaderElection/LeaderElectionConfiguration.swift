import PacerCore

/// client-go leader election timings. Defaults: lease 15 s, renew deadline 10 s, retry 2 s.
/// Requires `leaseDuration > renewDeadline > 1.2 × retryPeriod`.
public struct LeaderElectionConfiguration: Sendable, Hashable {
    /// How long a non-holder waits, after last seeing the record change, before taking over.
    public var leaseDuration: Duration
    /// How long the leader keeps retrying a failed renewal before it gives up leadership.
    public var renewDeadline: Duration
    /// Interval between acquire/renew attempts.
    public var retryPeriod: Duration
    /// On graceful shutdown (and best-effort on cancellation) write an empty holder with a 1 s
    /// lease, so a standby takes over at once.
    public var releaseOnCancel: Bool

    public init(leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10), retryPeriod: Duration = .seconds(2), releaseOnCancel: Bool = true) {
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
        self.releaseOnCancel = releaseOnCancel
    }

    /// Checks the client-go invariants; returns a description of the first violation.
    public func validate() -> String? {
        if leaseDuration <= renewDeadline { return "leaseDuration must be greater than renewDeadline" }
        if renewDeadline <= retryPeriod * 1.2 { return "renewDeadline must be greater than 1.2 × retryPeriod" }
        if retryPeriod <= .zero { return "retryPeriod must be positive" }
        return nil
    }

    /// `leaseDurationSeconds` written into the Lease (rounded up, at least 1).
    var leaseDurationSeconds: Int32 {
        Int32(max(1, leaseDuration.seconds.rounded(.up)))
    }
}
