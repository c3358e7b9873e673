import PacerCore

extension MetricCalculator {
    /// Tuning of a ``MetricCalculator`` (the reasoning behind the load-shaping values: docs/metrics.md, "Under load").
    public struct Configuration: Sendable {
        /// Poll for new rows this often even without a notification.
        public var pollInterval: Duration = .seconds(1)
        /// At most one status write per definition per interval (the first change is written at once).
        public var statusInterval: Duration = .seconds(1)
        /// Recompute headlines this often (the window ends now).
        public var headlineRefreshInterval: Duration = .seconds(60)
        /// cdevents_raw rows per transaction at most (large: under load a transaction's fixed work is shared by many rows).
        public var batchSize = 20_000
        /// Nothing calculated yet (a new database, or one a migration emptied) and more rows than this stored: the
        /// first transaction derives up to ``bulkMaxRows`` of them in bulk, as `pacer recompute` does, instead of batch
        /// by batch (docs/metrics.md, "Facts, incremental calculation and recompute").
        public var bulkStartRows = 100_000
        /// See ``bulkStartRows``: the rows after these are calculated in batches (the bulk path's memory grows with them).
        public var bulkMaxRows = 1_000_000
        /// While busy, the work that grows with history (aggregated points, headlines) runs at most this often and
        /// for at most `aggregateShare` of the time: after an aggregating transaction that took d, the next waits at
        /// least d × (1 / share − 1). An idle calculator's next event is computed in full at once.
        public var aggregateInterval: Duration = .seconds(1)
        /// See `aggregateInterval`; between 0.01 and 1.
        public var aggregateShare = 0.1
        /// While busy, consecutive transactions start at least this far apart.
        public var busyStepInterval: Duration = .milliseconds(500)
        /// Waits between retries while the database fails, and between LISTEN reconnects.
        public var retryBackoff = Backoff(initial: .seconds(1), maximum: .seconds(30), jitter: 0)
        /// A transaction that takes longer is abandoned and retried (a dead connection may never answer).
        public var stepTimeout: Duration = .seconds(300)
        /// The LISTEN session is renewed this often (a silently dead connection delivers nothing; the poll covers the gap).
        public var listenRenewInterval: Duration = .seconds(300)
        public init() {}
    }
}
