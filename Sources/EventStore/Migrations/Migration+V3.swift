extension Migration {
    /// The pipeline configuration the reconcilers write from the `EventRoute`, `CDEventTransform` and
    /// `MetricDefinition` custom resources, one row per resource keyed by (namespace, name). `ready` is false
    /// when the spec did not compile (`message` says why); the pipeline reads only ready rows.
    static let v3PipelineConfig = Migration(
        version: 3, name: "pipeline configuration",
        statements: ["pacer_event_routes", "pacer_cdevent_transforms", "pacer_metric_definitions"].map { table in
            """
            CREATE TABLE \(table) (
                namespace  text NOT NULL,
                name       text NOT NULL,
                uid        text NOT NULL,
                generation bigint NOT NULL,
                spec       jsonb NOT NULL,
                ready      boolean NOT NULL,
                message    text,
                updated_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (namespace, name)
            )
            """
        })
}
