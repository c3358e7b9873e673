extension MetricFactSQL {
    /// The failure facts of deployments (docs/metrics.md, "Change failure rate"), for whole (app, environment,
    /// cluster) histories in one set-based statement (an incident that names its deployment names it in any cluster of
    /// the app and environment; the other rules stay within one cluster):
    /// - `is_rollback`: a `service.rolledback` CDEvent, or its `version_key` equals an earlier deployment's while the
    ///   deployment right before it has another one;
    /// - `rolled_back`: a later rollback returns to a deployment before it (every deployment between the restored one
    ///   and the rollback); a `service.rolledback` whose version matches nothing restores the one before its
    ///   predecessor (its predecessor is rolled back);
    /// - `incident_failed`: an incident opening names it (artifact, commit, version or CDEvent id; the latest such
    ///   deployment of the app and environment at or before the opening);
    /// - `open_gap`: seconds from it to the first other opening in its app and environment while it was the latest
    ///   deployment (a definition's attribution window decides whether that fails it).
    ///
    /// - `duplicate`: another report of the same rollout came first (``duplicateWindow``); a duplicate takes part in
    ///   nothing (its other facts are false or NULL), and an incident naming its CDEvent id names the report kept.
    ///
    /// Deployments are ordered per app and environment by (time, CDEvent source, id); an opening at the same instant
    /// as a deployment comes after it. `deployments` is a relation aliased `d` with the columns of the
    /// `deployments` table, `incidents` one aliased `i` over `incidents`; both must hold whole app-and-environment
    /// histories. The incremental path runs it; a rebuild runs ``DeploymentHistoryPass`` (the same rules in memory).
    /// Rows: `(``passColumns``, is_rollback, rolled_back,
    /// incident_failed, open_gap, incident_resolved_at, open_resolved_at, duplicate)`.
    static func failurePass(deployments: String, incidents: String) -> String {
        let linked = "(i.link_artifact IS NOT NULL OR i.link_commit IS NOT NULL OR i.link_version IS NOT NULL OR i.link_deployment IS NOT NULL)"
        return """
            WITH fa0 AS (
                SELECT d.cd_source, d.cd_id, d.time_created, d.app, d.environment, d.cluster, d.deploy_type, d.deploy_id, d.commit,
                       d.version, d.version_key,
                       coalesce(lag(d.version_key) OVER fw = d.version_key AND lag(d.rollout_failed) OVER fw = d.rollout_failed
                                AND d.time_created - lag(d.time_created) OVER fw <= \(duplicateWindow)
                                AND NOT coalesce(lag(d.cd_source) OVER fw = d.cd_source AND lag(d.revision) OVER fw <> d.revision, false),
                                false) AS duplicate
                FROM \(deployments)
                WINDOW fw AS (PARTITION BY d.app, d.environment, d.cluster ORDER BY d.time_created, d.cd_source, d.cd_id)
            ), fa AS (
                SELECT fa0.*, count(*) FILTER (WHERE NOT fa0.duplicate) OVER (
                    PARTITION BY fa0.app, fa0.environment, fa0.cluster ORDER BY fa0.time_created, fa0.cd_source, fa0.cd_id) AS grp
                FROM fa0
            ), fd AS (
                SELECT fa.*, fa.grp AS rn FROM fa WHERE NOT fa.duplicate
            ), fv AS (
                SELECT fd.*, CASE WHEN fd.version_key IS NOT NULL THEN
                    lag(fd.rn) OVER (PARTITION BY fd.app, fd.environment, fd.cluster, fd.version_key ORDER BY fd.rn) END AS prev_same
                FROM fd
            ), frb AS (
                SELECT app, environment, cluster, rn, CASE WHEN prev_same < rn - 1 THEN prev_same ELSE rn - 2 END AS restored
                FROM fv WHERE prev_same < rn - 1 OR (deploy_type = 'rolledback' AND rn > 1)
            ), frolled AS (
                SELECT DISTINCT m.cd_source, m.cd_id FROM fv m
                JOIN frb k ON k.app = m.app AND k.environment = m.environment AND k.cluster = m.cluster AND k.restored < m.rn AND m.rn < k.rn
            ), fi AS (
                SELECT i.open_source, i.open_id, i.opened_at, i.resolved_at, i.app, i.environment, i.link_artifact, i.link_commit,
                       i.link_version, i.link_deployment
                FROM \(incidents) WHERE \(linked)
            ), fx AS (
                SELECT DISTINCT ON (m.open_source, m.open_id) m.open_source, m.open_id, m.resolved_at, m.cd_source, m.cd_id
                FROM (
                    \(explicitLinks.map { """
                        SELECT i.open_source, i.open_id, i.opened_at, i.resolved_at, f.cd_source, f.cd_id, f.time_created
                        FROM fi i JOIN fd f ON f.app = i.app AND f.environment = i.environment AND f.\($0.deployment) = i.\($0.incident)
                        """ }.joined(separator: "\nUNION ALL\n"))
                    UNION ALL
                    SELECT i.open_source, i.open_id, i.opened_at, i.resolved_at, f.cd_source, f.cd_id, f.time_created
                    FROM fi i JOIN fa a ON a.duplicate AND a.app = i.app AND a.environment = i.environment AND a.cd_id = i.link_deployment
                    JOIN fd f ON f.app = a.app AND f.environment = a.environment AND f.cluster = a.cluster AND f.grp = a.grp
                ) m WHERE m.time_created <= m.opened_at
                ORDER BY m.open_source, m.open_id, m.time_created DESC, m.cd_source DESC, m.cd_id DESC
            ), fo AS (
                SELECT u.*, count(*) FILTER (WHERE u.k = 0) OVER (PARTITION BY u.app, u.environment, u.cluster ORDER BY u.t, u.k, u.src, u.id) AS ord
                FROM (
                    SELECT app, environment, cluster, time_created AS t, 0 AS k, cd_source AS src, cd_id AS id, NULL::timestamptz AS res FROM fd
                    UNION ALL
                    SELECT i.app, i.environment, i.cluster, i.opened_at, 1, i.open_source, i.open_id, i.resolved_at FROM \(incidents)
                    WHERE NOT EXISTS (SELECT 1 FROM fx WHERE fx.open_source = i.open_source AND fx.open_id = i.open_id)
                ) u
            ), fg AS (
                SELECT DISTINCT ON (app, environment, cluster, ord) app, environment, cluster, ord, t AS first_open, res AS first_resolved
                FROM fo WHERE k = 1 AND ord > 0 ORDER BY app, environment, cluster, ord, t, src, id
            )
            SELECT v.cd_source, v.cd_id, v.time_created, v.app, v.environment, v.cluster, v.deploy_type, v.deploy_id, v.commit, v.version,
                   v.version_key,
                   (coalesce(v.prev_same < v.rn - 1, false) OR v.deploy_type = 'rolledback') AS is_rollback,
                   (r.cd_id IS NOT NULL) AS rolled_back,
                   (x.cd_id IS NOT NULL) AS incident_failed,
                   (extract(epoch FROM g.first_open - v.time_created))::float8 AS open_gap,
                   x.resolved_at AS incident_resolved_at, g.first_resolved AS open_resolved_at, false AS duplicate
            FROM fv v
            LEFT JOIN frolled r ON r.cd_source = v.cd_source AND r.cd_id = v.cd_id
            LEFT JOIN (SELECT cd_source, cd_id, min(resolved_at) AS resolved_at FROM fx GROUP BY cd_source, cd_id) x
                ON x.cd_source = v.cd_source AND x.cd_id = v.cd_id
            LEFT JOIN fg g ON g.app = v.app AND g.environment = v.environment AND g.cluster = v.cluster AND g.ord = v.rn
            UNION ALL
            SELECT a.cd_source, a.cd_id, a.time_created, a.app, a.environment, a.cluster, a.deploy_type, a.deploy_id, a.commit, a.version,
                   a.version_key, false, false, false, NULL::float8, NULL::timestamptz, NULL::timestamptz, true
            FROM fa a WHERE a.duplicate
            """
    }

    /// Two reports of one rollout (docs/metrics.md, "One deployment, one count"): a deployment CDEvent is a duplicate
    /// when the report right before it in its app and environment has the same version key and rollout outcome and is
    /// at most this much older, unless both come from the same CDEvent source with different revisions
    /// (`customData.revision`: two rollouts that source numbered apart). Kubernetes' default progress deadline
    /// (`progressDeadlineSeconds: 600`).
    static let duplicateWindow = "interval '10 minutes'"

    /// How an incident names a deployment (docs/metrics.md, "Change failure rate"): (deployment column, incident
    /// column). Each is its own equi-join in ``failurePass(deployments:incidents:)``: one join with the four
    /// alternatives OR-ed together (and a correlated lookup of duplicates) cannot be hashed, and made the pass
    /// quadratic in each app's history (141 s instead of 37 s for 400,000 deployments and 100,000 linked incidents).
    static let explicitLinks: [(deployment: String, incident: String)] = [
        ("deploy_id", "link_artifact"), ("commit", "link_commit"), ("version", "link_version"), ("cd_id", "link_deployment"),
    ]

    /// The deployment columns every ``failurePass(deployments:incidents:)`` row starts with.
    static let passColumns = "cd_source, cd_id, time_created, app, environment, cluster, deploy_type, deploy_id, commit, version, version_key"

    /// The columns of a deployment's failure facts, as recorded in `calc_deploy_delta` with the dimensions.
    static let failureColumns = "rollout_failed, is_rollback, rolled_back, incident_failed, open_gap, duplicate"
}
