extension MetricFactSQL {
    /// Lead times (docs/metrics.md, "Lead time for changes"): a change (app, sha; its earliest `change.merged`) is
    /// carried, per environment and cluster, by the first deployment of its app (by time, CDEvent source, id; duplicate reports
    /// left out) whose rollout did not fail, made at or after the change, whose deployed commit is a known change of the app merged at or after
    /// it, of the same repository when both repositories are known (the deployed change itself included). A
    /// deployment whose commit is no known change carries nothing.
    ///
    /// Set-based, without pairing every change with every later deployment: a deployment `d` whose commit is the
    /// change `c'` can carry the changes merged at or before `k(d) = least(d.time, c'.time)`, so a change merged at
    /// `x` is carried by the first deployment with `k ≥ x`. Only *records* can be first (a deployment whose `k`
    /// exceeds every earlier one's in its app, environment and repository view); their `k` grow with time, so the
    /// carrier is the record with the smallest `k ≥ x`: changes and records sorted together by that time, latest
    /// first (a record before a change at the same instant), each record opens a group, and each change takes its
    /// group's record (window functions only: no join between changes and deployments the planner could misjudge).
    ///
    /// Repository views: a change of repository `R` sees the deployments whose deployed change is of `R` or of no
    /// known repository (view `r:R`); a change of no known repository sees them all (view `*`).
    ///
    /// Partitions compare their text keys with `COLLATE "C"`: equality is the same under every deterministic
    /// collation, and the byte order spares the sorts the database collation's `strcoll`. (Its effect was not
    /// measured apart: on the busy machine of 2026-12-02 it was within the noise of a run.)
    ///
    /// Hours are the seconds as float8 divided by 3600 (two IEEE operations, which ``LeadTimePass/hours(from:to:)``
    /// repeats bit for bit; a numeric division rounded to float8 could differ from it in the last bit).
    ///
    /// `appFilter` (a query of app names) restricts it to whole apps. Rows: the columns of ``leadTimesColumns``.
    /// A rebuild computes the same rows with ``LeadTimePass``.
    static func leadTimesSelect(appFilter: String?) -> String {
        """
        WITH lc AS (
            SELECT app, sha, min(time_created) AS change_time,
                   (array_agg(repository ORDER BY time_created, cd_source, cd_id) FILTER (WHERE repository IS NOT NULL))[1] AS repository
            FROM changes \(appFilter.map { "WHERE app IN (\($0))" } ?? "") GROUP BY app, sha
        ), lk AS (
            SELECT d.app, d.environment, d.cluster, d.time_created, d.cd_source, d.cd_id, d.team, d.namespace,
                   least(d.time_created, c.change_time) AS k, c.repository
            FROM deployments d JOIN lc c ON c.app = d.app AND c.sha = d.commit
            WHERE NOT d.rollout_failed AND NOT d.duplicate
        ), lv AS (
            SELECT lk.*, '*' AS view FROM lk
            UNION ALL
            SELECT lk.*, r.view FROM lk
            JOIN (SELECT DISTINCT app, repository, 'r:' || repository AS view FROM lc WHERE repository IS NOT NULL) r
                ON r.app = lk.app AND (lk.repository IS NULL OR lk.repository = r.repository)
        ), lr AS (
            SELECT x.* FROM (
                SELECT lv.*, max(lv.k) OVER (PARTITION BY lv.app COLLATE "C", lv.environment COLLATE "C", lv.cluster COLLATE "C", lv.view COLLATE "C" ORDER BY lv.time_created, lv.cd_source, lv.cd_id
                                             ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before
                FROM lv
            ) x WHERE x.before IS NULL OR x.k > x.before
        ), lu AS (
            SELECT app, environment, cluster, view, k AS at, 1 AS kind, NULL::text AS sha, time_created, cd_source, cd_id, team, namespace FROM lr
            UNION ALL
            SELECT c.app, e.environment, e.cluster, coalesce('r:' || c.repository, '*'), c.change_time, 0, c.sha, NULL, NULL, NULL, NULL, NULL
            FROM lc c JOIN (SELECT DISTINCT app, environment, cluster FROM deployments \(appFilter.map { "WHERE app IN (\($0))" } ?? "")) e
                ON e.app = c.app
        ), lg AS (
            SELECT lu.*, count(*) FILTER (WHERE lu.kind = 1) OVER (
                PARTITION BY lu.app COLLATE "C", lu.environment COLLATE "C", lu.cluster COLLATE "C", lu.view COLLATE "C" ORDER BY lu.at DESC, lu.kind DESC) AS grp
            FROM lu
        ), lf AS (
            SELECT lg.app, lg.sha, lg.environment, lg.cluster, lg.at, lg.kind, first_value(lg.time_created) OVER w AS deploy_time,
                   first_value(lg.cd_source) OVER w AS deploy_source, first_value(lg.cd_id) OVER w AS deploy_id,
                   first_value(lg.team) OVER w AS team, first_value(lg.namespace) OVER w AS namespace
            FROM lg WHERE lg.grp > 0
            WINDOW w AS (PARTITION BY lg.app COLLATE "C", lg.environment COLLATE "C", lg.cluster COLLATE "C", lg.view COLLATE "C", lg.grp ORDER BY lg.at DESC, lg.kind DESC)
        )
        SELECT app, sha, environment, cluster, at, deploy_time, deploy_source, deploy_id, team, namespace,
               extract(epoch FROM deploy_time - at)::float8 / 3600
        FROM lf WHERE kind = 0
        """
    }
    static let leadTimesColumns = "(app, sha, environment, cluster, change_time, deploy_time, deploy_source, deploy_id, team, namespace, hours)"

    /// Incremental: the lead times of every app in ``leadTimeApps`` were derived again into `calc_lead`
    /// (``MetricFactStore/rejudgeTouched(on:)``); only the rows that differ are deleted and inserted, and those are
    /// the touch points.
    static func leadTimesIncremental(touch: (String) -> String) -> [String] {
        let apps = leadTimeApps
        let same = """
            (l.change_time, l.deploy_time, l.deploy_source, l.deploy_id, l.team, l.namespace, l.hours)
                IS NOT DISTINCT FROM (n.change_time, n.deploy_time, n.deploy_source, n.deploy_id, n.team, n.namespace, n.hours)
            """
        return [
            """
            WITH del AS (
                DELETE FROM lead_times l WHERE l.app IN (\(apps)) AND NOT EXISTS (
                    SELECT 1 FROM calc_lead n WHERE n.app = l.app AND n.sha = l.sha AND n.environment = l.environment AND n.cluster = l.cluster AND \(same))
                RETURNING deploy_time AS t, app, environment, team, namespace, cluster)
            \(touch("del"))
            """,
            """
            WITH ins AS (INSERT INTO lead_times \(leadTimesColumns) SELECT * FROM calc_lead ON CONFLICT DO NOTHING
                         RETURNING deploy_time AS t, app, environment, team, namespace, cluster)
            \(touch("ins"))
            """,
        ]
    }
}
