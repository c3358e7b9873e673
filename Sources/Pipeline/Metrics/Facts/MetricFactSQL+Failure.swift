extension MetricFactSQL {
    /// The failure facts of deployments (docs/metrics.md, "Change failure rate"), for whole (app, environment)
    /// histories in one set-based statement:
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
    /// Deployments are ordered per app and environment by (time, CDEvent source, id); an opening at the same instant
    /// as a deployment comes after it. `deployments` is a relation aliased `d` with the columns of the
    /// `deployments` table (`carry` are copied through), `incidents` one aliased `i` over `incidents`; both must hold
    /// whole app-and-environment histories. Rows: `(``passColumns``, carry…, is_rollback, rolled_back,
    /// incident_failed, open_gap, incident_resolved_at, open_resolved_at)`.
    static func failurePass(deployments: String, incidents: String, carry: [String] = []) -> String {
        let carried = carry.map { ", d.\($0)" }.joined()
        let out = carry.map { ", v.\($0)" }.joined()
        let linked = "(i.link_artifact IS NOT NULL OR i.link_commit IS NOT NULL OR i.link_version IS NOT NULL OR i.link_deployment IS NOT NULL)"
        return """
            WITH fd AS (
                SELECT d.cd_source, d.cd_id, d.time_created, d.app, d.environment, d.deploy_type, d.deploy_id, d.commit,
                       d.version, d.version_key\(carried),
                       row_number() OVER (PARTITION BY d.app, d.environment ORDER BY d.time_created, d.cd_source, d.cd_id) AS rn
                FROM \(deployments)
            ), fv AS (
                SELECT fd.*, CASE WHEN fd.version_key IS NOT NULL THEN
                    lag(fd.rn) OVER (PARTITION BY fd.app, fd.environment, fd.version_key ORDER BY fd.rn) END AS prev_same
                FROM fd
            ), frb AS (
                SELECT app, environment, rn, CASE WHEN prev_same < rn - 1 THEN prev_same ELSE rn - 2 END AS restored
                FROM fv WHERE prev_same < rn - 1 OR (deploy_type = 'rolledback' AND rn > 1)
            ), frolled AS (
                SELECT DISTINCT m.cd_source, m.cd_id FROM fv m
                JOIN frb k ON k.app = m.app AND k.environment = m.environment AND k.restored < m.rn AND m.rn < k.rn
            ), fx AS (
                SELECT DISTINCT ON (i.open_source, i.open_id) i.open_source, i.open_id, i.resolved_at, f.cd_source, f.cd_id
                FROM \(incidents) JOIN fd f ON f.app = i.app AND f.environment = i.environment AND f.time_created <= i.opened_at
                    AND (f.deploy_id = i.link_artifact OR f.commit = i.link_commit OR f.version = i.link_version OR f.cd_id = i.link_deployment)
                WHERE \(linked)
                ORDER BY i.open_source, i.open_id, f.time_created DESC, f.cd_source DESC, f.cd_id DESC
            ), fo AS (
                SELECT u.*, count(*) FILTER (WHERE u.k = 0) OVER (PARTITION BY u.app, u.environment ORDER BY u.t, u.k, u.src, u.id) AS ord
                FROM (
                    SELECT app, environment, time_created AS t, 0 AS k, cd_source AS src, cd_id AS id, NULL::timestamptz AS res FROM fd
                    UNION ALL
                    SELECT i.app, i.environment, i.opened_at, 1, i.open_source, i.open_id, i.resolved_at FROM \(incidents)
                    WHERE NOT EXISTS (SELECT 1 FROM fx WHERE fx.open_source = i.open_source AND fx.open_id = i.open_id)
                ) u
            ), fg AS (
                SELECT DISTINCT ON (app, environment, ord) app, environment, ord, t AS first_open, res AS first_resolved
                FROM fo WHERE k = 1 AND ord > 0 ORDER BY app, environment, ord, t, src, id
            )
            SELECT v.cd_source, v.cd_id, v.time_created, v.app, v.environment, v.deploy_type, v.deploy_id, v.commit, v.version,
                   v.version_key\(out),
                   (coalesce(v.prev_same < v.rn - 1, false) OR v.deploy_type = 'rolledback') AS is_rollback,
                   (r.cd_id IS NOT NULL) AS rolled_back,
                   (x.cd_id IS NOT NULL) AS incident_failed,
                   (extract(epoch FROM g.first_open - v.time_created))::float8 AS open_gap,
                   x.resolved_at AS incident_resolved_at, g.first_resolved AS open_resolved_at
            FROM fv v
            LEFT JOIN frolled r ON r.cd_source = v.cd_source AND r.cd_id = v.cd_id
            LEFT JOIN (SELECT cd_source, cd_id, min(resolved_at) AS resolved_at FROM fx GROUP BY cd_source, cd_id) x
                ON x.cd_source = v.cd_source AND x.cd_id = v.cd_id
            LEFT JOIN fg g ON g.app = v.app AND g.environment = v.environment AND g.ord = v.rn
            """
    }

    /// The deployment columns every ``failurePass(deployments:incidents:carry:)`` row starts with.
    static let passColumns = "cd_source, cd_id, time_created, app, environment, deploy_type, deploy_id, commit, version, version_key"

    /// The columns of a deployment's failure facts, as recorded in `calc_deploy_delta` with the dimensions.
    static let failureColumns = "rollout_failed, is_rollback, rolled_back, incident_failed, open_gap"
}
