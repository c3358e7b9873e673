import PacerCore

extension TransformStage {
    /// Tuning of a ``TransformStage`` (the reasoning behind the values: docs/pipeline.md).
    public struct Configuration: Sendable {
        /// CloudEvents read, routed, transformed and committed per transaction.
        public var batchSize = 500
        /// Look for new events and reload the configuration this often without a NOTIFY.
        public var pollInterval: Duration = .seconds(5)
        /// The LISTEN session is renewed this often (a silently dead connection delivers nothing; the poll covers the gap).
        public var listenRenewInterval: Duration = .seconds(300)
        /// Waits after failed rounds (database unreachable) and between LISTEN reconnects.
        public var retryBackoff = Backoff(initial: .milliseconds(250), maximum: .seconds(10), jitter: 0)
        /// The longest one database call may take (per call, not per round); a stuck call is abandoned and retried.
        public var stallTimeout: Duration = .seconds(60)
        /// Rows after the cursor not readable yet (an older transaction is open): look again after this long,
        /// doubling up to 1 s while nothing becomes readable.
        public var heldBackRetry: Duration = .milliseconds(50)
        /// How often transform and route counters are offered to the ``TransformStatusPublishing`` and
        /// ``RouteStatusPublishing`` (and the lag gauges set).
        public var statusInterval: Duration = .seconds(1)
        /// The `pipeline_cursors` row of this stage.
        public var cursorName = "transform"
        /// The cluster of the CDEvents produced from CloudEvents that name none (``EventRouter/clusterName``).
        public var clusterName = "default"

        public init() {}

        public init(batchSize: Int = 500, pollInterval: Duration = .seconds(5)) {
            self.batchSize = batchSize
            self.pollInterval = pollInterval
        }
    }
}
