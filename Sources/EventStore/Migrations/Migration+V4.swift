extension Migration {
    /// What the pipeline records beside the raw tables, and the read model the calculator writes:
    /// - `cdevents_raw` lineage: the `cloudevents_raw` row and the CDEventTransform (`namespace/name`) a CDEvent
    ///   came from (NULL for CDEvents posted to `/cdevents`);
    /// - `pipeline_errors`: one row per (CloudEvent, transform or route) that failed to evaluate, never retried;
    /// - `pipeline_transform_stats`: produced/failed counts per CDEventTransform, shown in its status;
    /// - `metric_points`: each MetricDefinition's series, one row per bucket, bucket start and group
    ///   (`group_key` is `''` for the ungrouped series, else `key=value` pairs joined by `,` in groupBy order);
    /// - `metric_headlines`: the value over the window (and its DORA level) per definition and group;
    /// - NOTIFY `pacer_config` when a pipeline configuration table changes, so stages reload at once.
    static let v4PipelineOutputs = Migration(
        version: 4, name: "pipeline outputs",
        statements: [
            "ALTER TABLE cdevents_raw ADD COLUMN origin_event_id bigint, ADD COLUMN origin_transform text",
            """
            CREATE TABLE pipeline_errors (
                id           bigserial PRIMARY KEY,
                occurred_at  timestamptz NOT NULL DEFAULT now(),
                stage        text NOT NULL,
                event_id     bigint,
                ce_source    text,
                ce_id        text,
                component    text NOT NULL,
                message      text NOT NULL
            )
            """,
            "CREATE INDEX pipeline_errors_component ON pipeline_errors (component, occurred_at)",
            """
            CREATE TABLE pipeline_transform_stats (
                namespace        text NOT NULL,
                name             text NOT NULL,
                produced         bigint NOT NULL DEFAULT 0,
                failed           bigint NOT NULL DEFAULT 0,
                last_error       text,
                last_error_event text,
                last_error_at    timestamptz,
                updated_at       timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (namespace, name)
            )
            """,
            """
            CREATE TABLE metric_points (
                namespace    text NOT NULL,
                name         text NOT NULL,
                bucket       text NOT NULL CHECK (bucket IN ('day', 'week', 'month', 'year')),
                bucket_start timestamptz NOT NULL,
                group_key    text NOT NULL,
                labels       jsonb NOT NULL DEFAULT '{}',
                value        double precision,
                samples      bigint NOT NULL DEFAULT 0,
                PRIMARY KEY (namespace, name, bucket, group_key, bucket_start)
            )
            """,
            """
            CREATE TABLE metric_headlines (
                namespace    text NOT NULL,
                name         text NOT NULL,
                group_key    text NOT NULL,
                labels       jsonb NOT NULL DEFAULT '{}',
                metric       text NOT NULL,
                value        double precision,
                level        text,
                unit         text NOT NULL,
                window_text  text NOT NULL,
                samples      bigint NOT NULL DEFAULT 0,
                computed_at  timestamptz NOT NULL,
                PRIMARY KEY (namespace, name, group_key)
            )
            """,
        ] + ["pacer_event_routes", "pacer_cdevent_transforms", "pacer_metric_definitions"].map { table in
            """
            CREATE TRIGGER \(table)_notify AFTER INSERT OR UPDATE OR DELETE ON \(table)
            FOR EACH STATEMENT EXECUTE FUNCTION pacer_notify_insert('pacer_config')
            """
        })
}
