import PacerRules

/// The sources of the two keys whose samples come from window functions over each (app, environment, cluster)
/// history of deployments: failed deployment recovery time (looks forward from a failed deployment to its recovery)
/// and deployment rework rate (looks back at the failures still open). PostgreSQL cannot push a condition on the
/// samples' time through a window function, so over the whole `source` a headline or a batch's touched buckets would
/// evaluate the windows over every deployment ever made (0.9–1.2 s at 400,000 deployments). ``source(from:)`` gives
/// the same samples at or after a lower bound from the deployments the windows need there.
extension MetricPlan {
    /// Whether ``source`` computes its samples with window functions over the histories (``source(from:)`` bounds them).
    var windowed: Bool { metric.metric == .failedDeploymentRecoveryTime || metric.metric == .deploymentReworkRate }

    /// ``source``, exact for the samples whose time is at or after `lower` (a `timestamptz` SQL expression; NULL
    /// selects none); samples before it may be missing or differ, so the caller keeps only those at or after it.
    func source(from lower: String) -> SQLFragment {
        switch metric.metric {
        case .failedDeploymentRecoveryTime:
            return Self.recoverySource(failed: deploymentFailed, window: metric.attributionWindowSeconds, from: lower)
        case .deploymentReworkRate:
            return Self.reworkSource(failed: deploymentFailed, window: metric.attributionWindowSeconds, from: lower)
        default:
            // No window function: the caller's condition on `s.t` reaches the table.
            return source
        }
    }

    /// Per failed deployment (the definition's rule `failed`), at its time: hours to the first later deployment of its
    /// app, environment and cluster that did not fail, or to the resolution of the incident that failed it, whichever
    /// is first; not yet recovered: no sample.
    ///
    /// `lower`: the windows look only forward, so the deployments at or after it are all a sample at or after it needs.
    static func recoverySource(failed: String, window: Int64, from lower: String?) -> SQLFragment {
        let columns = sampleDimensions
        let window = String(window)
        let bound = lower.map { " AND time_created >= \($0)" } ?? ""
        return """
            (SELECT r.failed_at AS t, \(columns), (extract(epoch FROM r.recovered - r.failed_at) / 3600)::float8 AS x FROM (
                SELECT time_created AS failed_at, \(columns), failed, least(
                    \(nextGoodDeployment),
                    CASE WHEN incident_failed THEN incident_resolved_at END,
                    CASE WHEN open_gap <= \(window) THEN open_resolved_at END) AS recovered
                FROM (SELECT *, \(failed) AS failed FROM deployments WHERE NOT duplicate\(bound)) d
             ) r WHERE r.failed AND r.recovered IS NOT NULL) s
            """
    }

    /// Per deployment: 1 when it is a rollback, or made while a failure of its app, environment and cluster was open
    /// (after a failed deployment and not after its end: the resolution of the incident attributed to it, else the
    /// first later deployment that did not fail; none yet: still open), else 0. A failure is open at a deployment
    /// when some earlier failed deployment's end is not before it: the latest such end over the earlier rows (a
    /// window whose frame only grows) is not before it.
    ///
    /// `lower`: a failure before it can be open at a later deployment, so per history the deployments before it are
    /// summed up (`c`, one aggregate, no sort): the last one that did not fail, and the latest end of the failures
    /// ended by an incident. A failure ended by the next deployment that did not fail is still open after `lower`
    /// only if it follows the last such deployment before it: the windows run over the deployments from that one on
    /// (`i`, one range of the `(app, environment, time_created)` index per history), and the incidents' ends are
    /// compared as a constant. A 30-day headline at 400,000 deployments: 0.25 s, against 1.19 s over every deployment.
    static func reworkSource(failed: String, window: Int64, from lower: String?) -> SQLFragment {
        let columns = sampleDimensions
        let window = String(window)
        let openUntil = """
            CASE
                WHEN incident_failed THEN incident_resolved_at
                WHEN open_gap <= \(window) THEN open_resolved_at
                ELSE \(nextGoodDeployment) END AS open_until
            """
        let openBefore = """
            coalesce(max(CASE WHEN f.failed THEN coalesce(f.open_until, 'infinity'::timestamptz) END) OVER (
                PARTITION BY f.app, f.environment, f.cluster ORDER BY f.t, f.cd_source, f.cd_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
            ) >= f.t, false)
            """
        guard let lower else {
            return """
                (SELECT f.t, \(columns), CASE WHEN f.is_rollback OR \(openBefore) THEN 1.0 ELSE 0.0 END::float8 AS x
                 FROM (
                    SELECT time_created AS t, cd_source, cd_id, \(columns), is_rollback, failed, \(openUntil)
                    FROM (SELECT *, \(failed) AS failed FROM deployments WHERE NOT duplicate) d
                 ) f) s
                """
        }
        return """
            (WITH d AS NOT MATERIALIZED (SELECT *, \(failed) AS failed FROM deployments WHERE NOT duplicate),
             c AS MATERIALIZED (
                SELECT app, environment, cluster, max(time_created) FILTER (WHERE NOT failed) AS last_good,
                       max(coalesce(CASE WHEN incident_failed THEN incident_resolved_at ELSE open_resolved_at END, 'infinity'::timestamptz))
                           FILTER (WHERE failed AND (incident_failed OR coalesce(open_gap <= \(window), false))) AS open_end
                FROM d WHERE time_created < \(lower) GROUP BY app, environment, cluster
             ),
             i AS (
                SELECT * FROM d WHERE time_created >= \(lower)
                UNION ALL
                -- OFFSET 0 keeps the lateral subquery a range read per history (the index); joined, the planner
                -- hashes every earlier deployment instead (0.50 s against 0.25 s for a 30-day headline at 400,000).
                SELECT l.* FROM c CROSS JOIN LATERAL (
                    SELECT * FROM d WHERE d.app = c.app AND d.environment = c.environment AND d.cluster = c.cluster
                        AND d.time_created < \(lower) AND d.time_created >= coalesce(c.last_good, '-infinity'::timestamptz) OFFSET 0
                ) l
             )
             SELECT f.t, f.app, f.environment, f.team, f.namespace, f.cluster,
                    CASE WHEN f.is_rollback OR \(openBefore) OR coalesce(c.open_end >= f.t, false) THEN 1.0 ELSE 0.0 END::float8 AS x
             FROM (SELECT time_created AS t, cd_source, cd_id, \(columns), is_rollback, failed, \(openUntil) FROM i) f
             LEFT JOIN c ON c.app = f.app AND c.environment = f.environment AND c.cluster = f.cluster) s
            """
    }
}
