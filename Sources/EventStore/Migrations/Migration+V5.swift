extension Migration {
    /// The calculator's fact tables (owned by the calculator; see docs/metrics.md). All of them are derived from
    /// `cdevents_raw` (cursor `calculate`) and can be rebuilt by `pacer recompute`:
    /// - `deployments`: the seed table (deploy_id = artifactId, deploy_name, time_created) extended with the
    ///   CDEvent identity, dimensions, commit, deploy type and `failed` (an incident in the same app and environment
    ///   before the next deployment);
    /// - `changes`: `change.merged` CDEvents (sha = subject.id);
    /// - `incident_events`: `incident.detected|reported` (kind `open`) and `incident.resolved` (kind `resolved`);
    /// - `incidents`: incidents paired from those events per subject (opened → first resolution after it);
    /// - `lead_times`: per (app, sha, environment) the first deployment carrying the change;
    /// - `metric_computed`: which MetricDefinition spec the stored results belong to.
    ///
    /// CDEvent identities (`cd_source`, `cd_id` and their copies) use the "C" collation: they are keys and
    /// tie-breakers only, and byte order makes their indexes and sorts several times cheaper.
    static let v5MetricFacts = Migration(
        version: 5, name: "metric facts",
        statements: [
            // Rows written by earlier tools are rebuilt from cdevents_raw (the `calculate` cursor starts at 0).
            "DELETE FROM deployments",
            "ALTER TABLE deployments DROP CONSTRAINT deployments_pkey",
            """
            ALTER TABLE deployments
                ADD COLUMN cd_source   text COLLATE "C" NOT NULL DEFAULT '',
                ADD COLUMN cd_id       text COLLATE "C" NOT NULL DEFAULT '',
                ADD COLUMN deploy_type text NOT NULL DEFAULT '',
                ADD COLUMN app         text NOT NULL DEFAULT '',
                ADD COLUMN environment text NOT NULL DEFAULT '',
                ADD COLUMN team        text NOT NULL DEFAULT '',
                ADD COLUMN namespace   text NOT NULL DEFAULT '',
                ADD COLUMN commit      text,
                ADD COLUMN failed      boolean NOT NULL DEFAULT false,
                ADD PRIMARY KEY (cd_source, cd_id)
            """,
            """
            CREATE TABLE changes (
                cd_source    text COLLATE "C" NOT NULL,
                cd_id        text COLLATE "C" NOT NULL,
                sha          text NOT NULL,
                time_created timestamptz NOT NULL,
                app          text NOT NULL,
                environment  text NOT NULL,
                team         text NOT NULL,
                namespace    text NOT NULL,
                PRIMARY KEY (cd_source, cd_id)
            )
            """,
            """
            CREATE TABLE incident_events (
                cd_source    text COLLATE "C" NOT NULL,
                cd_id        text COLLATE "C" NOT NULL,
                subject_id   text NOT NULL,
                kind         text NOT NULL CHECK (kind IN ('open', 'resolved')),
                time_created timestamptz NOT NULL,
                app          text NOT NULL,
                environment  text NOT NULL,
                team         text NOT NULL,
                namespace    text NOT NULL,
                PRIMARY KEY (cd_source, cd_id)
            )
            """,
            """
            CREATE TABLE incidents (
                subject_id   text NOT NULL,
                opened_at    timestamptz NOT NULL,
                resolved_at  timestamptz,
                open_source  text COLLATE "C" NOT NULL,
                open_id      text COLLATE "C" NOT NULL,
                app          text NOT NULL,
                environment  text NOT NULL,
                team         text NOT NULL,
                namespace    text NOT NULL,
                hours        double precision,
                PRIMARY KEY (open_source, open_id)
            )
            """,
            """
            CREATE TABLE lead_times (
                app           text NOT NULL,
                sha           text NOT NULL,
                environment   text NOT NULL,
                change_time   timestamptz NOT NULL,
                deploy_time   timestamptz NOT NULL,
                deploy_source text COLLATE "C" NOT NULL,
                deploy_id     text COLLATE "C" NOT NULL,
                team          text NOT NULL,
                namespace     text NOT NULL,
                hours         double precision NOT NULL,
                PRIMARY KEY (app, sha, environment)
            )
            """,
            """
            CREATE TABLE metric_computed (
                namespace   text NOT NULL,
                name        text NOT NULL,
                spec        text NOT NULL,
                computed_at timestamptz NOT NULL DEFAULT now(),
                PRIMARY KEY (namespace, name)
            )
            """,
            // The fact tables' secondary indexes. A full rebuild reads them (and the primary keys) from the catalog,
            // drops them around the bulk load and creates them again (Pipeline's `FactTableIndexes`).
            "CREATE INDEX deployments_time ON deployments (time_created)",
            "CREATE INDEX deployments_app_env_time ON deployments (app, environment, time_created)",
            "CREATE INDEX deployments_app_commit ON deployments (app, commit) WHERE commit IS NOT NULL",
            "CREATE INDEX changes_app_sha ON changes (app, sha)",
            "CREATE INDEX incident_events_subject ON incident_events (subject_id, time_created)",
            "CREATE INDEX incident_events_open ON incident_events (app, environment, time_created) WHERE kind = 'open'",
            "CREATE INDEX incidents_subject ON incidents (subject_id)",
            "CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE resolved_at IS NOT NULL",
            "CREATE INDEX lead_times_deploy_time ON lead_times (deploy_time)",
        ])
}
