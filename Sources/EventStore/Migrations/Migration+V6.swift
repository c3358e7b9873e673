extension Migration {
    /// `metric_pending`: result keys (bucket, bucket start, group) of aggregated metrics whose facts changed while
    /// the calculator was behind. Under load the calculator records them here instead of aggregating them again
    /// in every batch, and aggregates them at most once per interval (docs/metrics.md, "Under load"). The keys are
    /// written in the transaction that advances the cursor, so a crash loses none.
    static let v6MetricPending = Migration(
        version: 6, name: "metric pending keys",
        statements: [
            """
            CREATE TABLE metric_pending (
                namespace    text NOT NULL,
                name         text NOT NULL,
                bucket       text NOT NULL,
                bucket_start timestamptz NOT NULL,
                group_key    text NOT NULL,
                PRIMARY KEY (namespace, name, bucket, group_key, bucket_start)
            )
            """,
        ])
}
