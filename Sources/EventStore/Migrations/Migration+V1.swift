extension Migration {
    /// The seed tutorial's three tables, with the same names and columns so its SQL and dashboards keep
    /// working, plus what they lack: indexed CloudEvent attributes, (source, id) uniqueness, the commit
    /// order column the pipeline's cursor reads, and NOTIFY on insert.
    static let v1EventTables = Migration(
        version: 1, name: "event tables",
        statements: [
            """
            CREATE TABLE cloudevents_raw (
                event_id        bigserial PRIMARY KEY,
                event_timestamp timestamptz NOT NULL DEFAULT now(),
                content         jsonb NOT NULL,
                ce_id           text NOT NULL,
                ce_source       text NOT NULL,
                ce_type         text NOT NULL,
                ce_subject      text,
                ce_time         timestamptz,
                ingest_xid      xid8 NOT NULL DEFAULT pg_current_xact_id(),
                CONSTRAINT cloudevents_raw_source_id UNIQUE (ce_source, ce_id)
            )
            """,
            "CREATE INDEX cloudevents_raw_type ON cloudevents_raw (ce_type)",
            "CREATE INDEX cloudevents_raw_subject ON cloudevents_raw (ce_subject)",
            "CREATE INDEX cloudevents_raw_time ON cloudevents_raw (ce_time)",
            "CREATE INDEX cloudevents_raw_commit_order ON cloudevents_raw (ingest_xid, event_id)",
            """
            CREATE TABLE cdevents_raw (
                cd_id             text NOT NULL,
                cd_timestamp      timestamptz NOT NULL,
                cd_source         text NOT NULL,
                cd_type           text NOT NULL,
                cd_subject_id     text NOT NULL,
                cd_subject_source text,
                content           jsonb NOT NULL,
                seq               bigserial NOT NULL,
                received_at       timestamptz NOT NULL DEFAULT now(),
                ingest_xid        xid8 NOT NULL DEFAULT pg_current_xact_id(),
                PRIMARY KEY (cd_source, cd_id)
            )
            """,
            "CREATE INDEX cdevents_raw_type_time ON cdevents_raw (cd_type, cd_timestamp)",
            "CREATE INDEX cdevents_raw_subject ON cdevents_raw (cd_subject_id)",
            "CREATE INDEX cdevents_raw_commit_order ON cdevents_raw (ingest_xid, seq)",
            """
            CREATE TABLE deployments (
                deploy_id    text NOT NULL,
                time_created timestamptz NOT NULL,
                deploy_name  text NOT NULL,
                PRIMARY KEY (deploy_id, time_created, deploy_name)
            )
            """,
            """
            CREATE FUNCTION pacer_notify_insert() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify(TG_ARGV[0], '');
                RETURN NULL;
            END
            $$
            """,
            """
            CREATE TRIGGER cloudevents_raw_notify AFTER INSERT ON cloudevents_raw
            FOR EACH STATEMENT EXECUTE FUNCTION pacer_notify_insert('pacer_cloudevents')
            """,
            """
            CREATE TRIGGER cdevents_raw_notify AFTER INSERT ON cdevents_raw
            FOR EACH STATEMENT EXECUTE FUNCTION pacer_notify_insert('pacer_cdevents')
            """,
        ])

    /// Durable cursors for the pipeline's stages (the seed's "processed events mechanism").
    static let v2PipelineState = Migration(
        version: 2, name: "pipeline cursors",
        statements: [
            """
            CREATE TABLE pipeline_cursors (
                name        text PRIMARY KEY,
                last_xid    xid8 NOT NULL DEFAULT '0',
                last_id     bigint NOT NULL DEFAULT 0,
                updated_at  timestamptz NOT NULL DEFAULT now()
            )
            """
        ])
}
