extension Migration {
    /// Deployment failure as docs/metrics.md defines it since issue 11 (own rollout failed, rolled back, or an
    /// incident opening attributed to it), replacing the single `failed` flag:
    /// - `deployments`: `version` (`customData.version`), `version_key` (commit ?? version ?? artifactId: what a
    ///   rollback returns to), `rollout_failed`, `is_rollback`, `rolled_back`, `incident_failed` (an incident names
    ///   it) and `open_gap` (seconds to the first other incident opening while it was the latest deployment; the
    ///   MetricDefinition's `spec.failure.attributionWindow` decides whether that fails it), and the resolution times of
    ///   the incidents that fail it (`incident_resolved_at`: the first named one; `open_resolved_at`: that opening's),
    ///   for failed deployment recovery time;
    /// - `incident_events`, `incidents`: the deployment an incident names (`link_artifact`, `link_commit`,
    ///   `link_version`, `link_deployment`).
    ///
    /// Upgrade in place: the facts and results are derived data, so they are emptied and the `calculate` cursor
    /// removed; the calculator then derives everything again from `cdevents_raw` with the new rules (the same rows
    /// as `pacer recompute`).
    static let v8DeploymentFailure = Migration(
        version: 8, name: "deployment failure",
        statements: emptyDerivedFacts + [
            """
            ALTER TABLE deployments
                DROP COLUMN failed,
                ADD COLUMN version         text,
                ADD COLUMN version_key     text,
                ADD COLUMN rollout_failed  boolean NOT NULL DEFAULT false,
                ADD COLUMN is_rollback     boolean NOT NULL DEFAULT false,
                ADD COLUMN rolled_back     boolean NOT NULL DEFAULT false,
                ADD COLUMN incident_failed boolean NOT NULL DEFAULT false,
                ADD COLUMN open_gap        double precision,
                ADD COLUMN incident_resolved_at timestamptz,
                ADD COLUMN open_resolved_at     timestamptz
            """,
            """
            ALTER TABLE incident_events
                ADD COLUMN link_artifact   text,
                ADD COLUMN link_commit     text,
                ADD COLUMN link_version    text,
                ADD COLUMN link_deployment text
            """,
            """
            ALTER TABLE incidents
                ADD COLUMN link_artifact   text,
                ADD COLUMN link_commit     text,
                ADD COLUMN link_version    text,
                ADD COLUMN link_deployment text
            """,
            "CREATE INDEX incidents_app_env_opened ON incidents (app, environment, opened_at)",
        ])
}

extension Migration {
    /// The statements with which migrations 8, 10, 11 and 13 upgrade in place: the facts and results are derived
    /// data, so they are emptied and the `calculate` cursor removed; the calculator then derives everything again
    /// from `cdevents_raw` (the same rows as `pacer recompute`). Applied migrations ran exactly these statements:
    /// never change them (a future migration that needs others lists its own).
    static let emptyDerivedFacts = [
        "TRUNCATE deployments, changes, incident_events, incidents, lead_times",
        "DELETE FROM metric_points",
        "DELETE FROM metric_headlines",
        "DELETE FROM metric_pending",
        "DELETE FROM metric_computed",
        "DELETE FROM pipeline_cursors WHERE name = 'calculate'",
    ]
}
