extension MetricFactSQL {
    /// The columns of `lead_times` (and `calc_lead`) as the rows of ``LeadTimePass`` fill them.
    static let leadTimesColumns = "(app, sha, environment, cluster, change_time, deploy_time, deploy_source, deploy_id, team, namespace, hours)"

    /// Incremental: ``MetricFactStore/rejudgeTouched(cache:position:on:)`` derived the lead times of every app in
    /// ``leadTimeApps`` again and left in `calc_lead` those that are new or differ from the stored row and in `calc_lead_gone` the keys
    /// of stored rows no longer carried; both kinds of stored row are deleted, `calc_lead` inserted, and those rows
    /// are the touch points.
    static func leadTimesIncremental(touch: (String) -> String) -> [String] {
        [
            """
            WITH del AS (
                DELETE FROM lead_times l USING (
                    SELECT app, sha, environment, cluster FROM calc_lead UNION ALL SELECT app, sha, environment, cluster FROM calc_lead_gone
                ) g WHERE l.app = g.app AND l.sha = g.sha AND l.environment = g.environment AND l.cluster = g.cluster
                RETURNING l.deploy_time AS t, l.app, l.environment, l.team, l.namespace, l.cluster)
            \(touch("del"))
            """,
            """
            WITH ins AS (INSERT INTO lead_times \(leadTimesColumns) SELECT * FROM calc_lead
                         RETURNING deploy_time AS t, app, environment, team, namespace, cluster)
            \(touch("ins"))
            """,
        ]
    }
}
