import PacerCore

/// Tuning of an ``EventPipeline``.
public struct EventPipelineConfiguration: Sendable {
    /// CloudEvents read, routed, transformed and committed per transaction.
    public var batchSize = 500
    /// How often the pipeline looks for new events and reloads its configuration without being notified
    /// (NOTIFY `pacer_cloudevents` / `pacer_config` normally wake it at once).
    public var pollInterval: Duration = .seconds(5)
    /// The LISTEN session is renewed this often (a silently dead connection delivers nothing; the poll covers the gap).
    public var listenRenewInterval: Duration = .seconds(300)
    /// Waits after failed rounds (database unreachable) and between LISTEN reconnects.
    public var retryBackoff = Backoff(initial: .milliseconds(250), maximum: .seconds(10), jitter: 0)
    /// The longest one database call (read a batch, commit a batch, …) may take; a call stuck on an unreachable server
    /// is abandoned and the round retried. A commit that lands after all is harmless: the retry finds the cursor moved.
    /// A long catch-up is never cut short (the limit is per call, not per round).
    public var stallTimeout: Duration = .seconds(60)
    /// When rows exist after the cursor but are not readable yet (an older transaction is still open), look again
    /// after this long instead of waiting for the next poll (doubling, up to 1 s, while nothing becomes readable).
    public var heldBackRetry: Duration = .milliseconds(50)
    /// How often transform counters are read and offered to the ``TransformStatusPublishing`` (and the lag gauges set).
    public var statusInterval: Duration = .seconds(1)
    /// The `pipeline_cursors` row of this stage.
    public var cursorName = "transform"

    public init() {}

    public init(batchSize: Int = 500, pollInterval: Duration = .seconds(5)) {
        self.batchSize = batchSize
        self.pollInterval = pollInterval
    }
}
