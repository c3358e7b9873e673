extension Migration {
    /// `pipeline_route_stats`: per EventRoute (`namespace`, `name`), how many stored CloudEvents matched its filters
    /// and `when` (`matched`), and the `event_timestamp` (when Pacer stored it) of the latest of them
    /// (`last_match_at`). The transform stage adds to it in the transaction that advances its cursor, so a batch
    /// is counted exactly once; shown in `EventRoute.status.{matchedEvents, lastMatchTime}` (docs/pipeline.md).
    static let v7RouteStats = Migration(
        version: 7, name: "route stats",
        statements: [
            """
            CREATE TABLE pipeline_route_stats (
                namespace     text NOT NULL,
                name          text NOT NULL,
                matched       bigint NOT NULL DEFAULT 0,
                last_match_at timestamptz,
                updated_at    timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (namespace, name)
            )
            """,
        ])
}
