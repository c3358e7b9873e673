import PacerRules

extension MetricSampleSQL {
    // The deployment items explain each deployment's failure. `failed` is the plan's rule over the stored facts;
    // the reasons come from the same stored facts (`rollout_failed`, `rolled_back`, `incident_failed`, `open_gap`),
    // and what they point at is derived here, with the rule docs/metrics.md states and `DeploymentHistoryPass`
    // applies (not stored there):
    // - rolled back by: the first later rollback (`is_rollback`) of the app and environment whose restored
    //   deployment (the latest earlier one with its version key, unless that is its predecessor; else the one two
    //   before it) comes before this one;
    // - the named incident: the first incident opening at or after it that names it (artifact, commit, version or
    //   CDEvent id) with no later deployment named by the incident at or before the opening;
    // - the incident in the attribution window: the first opening at or after it, before the next deployment, that
    //   names no deployment of the app and environment at or before it.

    /// A deployment as a JSON object, from columns `prefix`-named in the relation `a` (NULL when there is none).
    static func deploymentRef(_ a: String, prefix: String = "") -> String {
        let c = { (column: String) in "\(a).\(prefix)\(column)" }
        return """
            CASE WHEN \(c("cd_id")) IS NULL THEN NULL ELSE json_build_object('id', \(c("cd_id")), 'source', \(c("cd_source")),
                'time', \(ts(c("time_created"))), 'name', \(c("deploy_name")), 'artifact', \(c("deploy_id")), 'commit', \(c("commit")),
                'version', \(c("version")), 'type', \(c("deploy_type"))) END
            """
    }

    static func incidentRef(_ i: String) -> String {
        """
        CASE WHEN \(i).open_id IS NULL THEN NULL ELSE json_build_object('subject', \(i).subject_id, 'id', \(i).open_id,
            'source', \(i).open_source, 'openedAt', \(ts("\(i).opened_at")), 'resolvedAt', \(ts("\(i).resolved_at"))) END
        """
    }

    /// `i` names the deployment `f` (explicit attribution).
    static func names(_ i: String, _ f: String) -> String {
        "(\(f).deploy_id = \(i).link_artifact OR \(f).commit = \(i).link_commit OR \(f).version = \(i).link_version OR \(f).cd_id = \(i).link_deployment)"
    }

    /// Deployments as samples: every deployment the plan counts (`included`), with `failed` by the plan's rule.
    func deploymentShape(included: String) -> Shape {
        let rows = """
            (SELECT d.*, d.time_created AS t, \(Self.key(["d.cd_source", "d.cd_id"])) AS k, \(plan.deploymentFailed) AS failed
             FROM deployments d WHERE \(included)) s
            """
        var item = deploymentItem("p")
        var joins = explanationJoins
        if plan.metric.metric == .deploymentReworkRate {
            joins += "\n" + reworkJoin
            item = "jsonb_build_object('rework', \(reworkItem)) || (\(item))::jsonb"
        }
        return Shape(rows: SQLFragment(stringLiteral: rows), ctes: historyCTEs, joins: joins, item: item)
    }

    /// Failed deployments with a remediation: the first later deployment that did not fail, or the resolution of the
    /// incident that failed it, whichever is first (the plan's failedDeploymentRecoveryTime rule, over the deployments
    /// that are not duplicates, as the plan reads them).
    ///
    /// The first later deployment that did not fail is one index probe per failed deployment (`deployments_app_env_time`,
    /// stopping at the first match), not a window over the histories: the range, group and cursor conditions reach the
    /// failed deployments first, so a page costs what its rows and their successors cost, not what the history costs.
    /// (The window `min(…) OVER (PARTITION BY app, environment … ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)` ran
    /// over every deployment before any condition applied, and PostgreSQL aggregates such a frame again for every row,
    /// its start moving: quadratic in each history; docs/http-api.md has the timings.)
    func recoveryShape() -> Shape {
        let rows = """
            (SELECT * FROM (
                SELECT d.*, d.time_created AS t, \(Self.key(["d.cd_source", "d.cd_id"])) AS k, true AS failed, ngt.time_created AS next_good,
                       least(ngt.time_created, CASE WHEN d.incident_failed THEN d.incident_resolved_at END,
                             CASE WHEN d.open_gap <= \(window) THEN d.open_resolved_at END) AS recovered
                FROM deployments d
                LEFT JOIN LATERAL (
                    SELECT g.time_created FROM deployments g
                    WHERE g.app = d.app AND g.environment = d.environment AND g.cluster = d.cluster AND g.time_created >= d.time_created
                      AND (g.time_created, g.cd_source, g.cd_id) > (d.time_created, d.cd_source, d.cd_id)
                      -- unqualified fact columns resolve to g here, to d outside
                      AND NOT g.duplicate AND NOT \(plan.deploymentFailed)
                    ORDER BY g.time_created LIMIT 1
                ) ngt ON true
                WHERE NOT d.duplicate AND \(plan.deploymentFailed)
             ) r WHERE r.recovered IS NOT NULL) s
            """
        let next = """
            LEFT JOIN LATERAL (
                SELECT g.* FROM deployments g
                WHERE p.recovered = p.next_good AND g.app = p.app AND g.environment = p.environment AND g.cluster = p.cluster AND g.time_created = p.next_good
                  AND (g.time_created, g.cd_source, g.cd_id) > (p.time_created, p.cd_source, p.cd_id) AND NOT g.duplicate AND NOT \(plan.deploymentFailed)
                ORDER BY g.cd_source, g.cd_id LIMIT 1
            ) ng ON true
            """
        let item = """
            json_build_object('kind', 'recovery', 'time', \(Self.ts("p.t")), 'app', p.app, 'environment', p.environment, 'team', p.team,
                'namespace', p.namespace, 'cluster', p.cluster, 'hours', (extract(epoch FROM p.recovered - p.t) / 3600)::float8, 'deployment', \(deploymentItem("p")),
                'remediation', json_build_object(
                    'kind', CASE WHEN p.recovered = p.next_good THEN 'deployment' ELSE 'incidentResolved' END,
                    'time', \(Self.ts("p.recovered")), 'deployment', \(Self.deploymentRef("ng"))))
            """
        return Shape(rows: SQLFragment(stringLiteral: rows), ctes: historyCTEs, joins: explanationJoins + "\n" + next, item: item)
    }

    /// A listed deployment `p` (with `failed`) and why it failed (`rbk`, `ni`, `wi` from ``explanationJoins``).
    func deploymentItem(_ p: String) -> String {
        """
        json_build_object('kind', 'deployment', 'time', \(Self.ts("\(p).time_created")), 'id', \(p).cd_id, 'source', \(p).cd_source,
            'name', \(p).deploy_name, 'type', \(p).deploy_type, 'app', \(p).app, 'environment', \(p).environment, 'team', \(p).team,
            'namespace', \(p).namespace, 'cluster', \(p).cluster, 'artifact', \(p).deploy_id, 'commit', \(p).commit, 'version', \(p).version,
            'rollback', \(p).is_rollback, 'failed', \(p).failed,
            'why', (SELECT coalesce(json_agg(w.j ORDER BY w.o), '[]'::json) FROM (VALUES
                (1, CASE WHEN \(p).rollout_failed THEN json_build_object('reason', 'rolloutFailed') END),
                (2, CASE WHEN \(p).rolled_back THEN json_build_object('reason', 'rolledBack', 'by', \(Self.deploymentRef("rbk"))) END),
                (3, CASE WHEN \(p).incident_failed THEN
                    json_build_object('reason', 'incident', 'attribution', 'named', 'incident', \(Self.incidentRef("ni"))) END),
                (4, CASE WHEN \(p).open_gap <= \(window) THEN
                    json_build_object('reason', 'incident', 'attribution', 'window', 'afterSeconds', \(p).open_gap,
                        'incident', \(Self.incidentRef("wi"))) END)
            ) w(o, j) WHERE w.j IS NOT NULL))
        """
    }

    /// The histories of the apps and environments with a rolled-back deployment on the page (whole histories: a
    /// rollback can restore a deployment of any age), numbered as the failure pass numbers them, and their rollbacks
    /// with the position each restores. Both are computed once per page (MATERIALIZED): inlined into the per-row
    /// lateral join, the window over the histories ran again for every listed row.
    var historyCTEs: String {
        """
        , hist AS MATERIALIZED (
            SELECT h.*, row_number() OVER (PARTITION BY h.app, h.environment, h.cluster ORDER BY h.time_created, h.cd_source, h.cd_id) AS rn
            FROM deployments h WHERE (h.app, h.environment, h.cluster) IN (SELECT app, environment, cluster FROM page WHERE rolled_back)
        ), rbs AS MATERIALIZED (
            SELECT v.*, CASE WHEN v.prev_same < v.rn - 1 THEN v.prev_same ELSE v.rn - 2 END AS restored FROM (
                SELECT hist.*, CASE WHEN version_key IS NOT NULL THEN
                    lag(rn) OVER (PARTITION BY app, environment, cluster, version_key ORDER BY rn) END AS prev_same
                FROM hist) v
            WHERE v.is_rollback
        )
        """
    }

    /// `rbk`: the rollback that rolled `p` back; `ni`: the incident that names it; `wi`: the incident in the window.
    var explanationJoins: String {
        """
        LEFT JOIN LATERAL (
            SELECT r.* FROM rbs r JOIN hist me ON me.cd_source = p.cd_source AND me.cd_id = p.cd_id
            WHERE p.rolled_back AND r.app = p.app AND r.environment = p.environment AND r.cluster = p.cluster AND r.restored < me.rn AND me.rn < r.rn
            ORDER BY r.rn LIMIT 1
        ) rbk ON true
        LEFT JOIN LATERAL (
            SELECT i.* FROM incidents i
            WHERE p.incident_failed AND i.app = p.app AND i.environment = p.environment AND i.opened_at >= p.time_created
              AND \(Self.names("i", "p"))
              AND NOT EXISTS (
                SELECT 1 FROM deployments f WHERE f.app = i.app AND f.environment = i.environment AND f.time_created <= i.opened_at
                  AND f.time_created >= p.time_created AND (f.time_created, f.cd_source, f.cd_id) > (p.time_created, p.cd_source, p.cd_id) AND \(Self.names("i", "f")))
            ORDER BY i.opened_at, i.open_source, i.open_id LIMIT 1
        ) ni ON true
        LEFT JOIN LATERAL (
            SELECT i.* FROM incidents i
            WHERE p.open_gap <= \(window) AND i.app = p.app AND i.environment = p.environment AND i.cluster = p.cluster AND i.opened_at >= p.time_created
              AND i.opened_at <= p.time_created + (p.open_gap + 1) * interval '1 second'
              AND NOT EXISTS (
                SELECT 1 FROM deployments f WHERE f.app = i.app AND f.environment = i.environment AND f.cluster = i.cluster
                  AND f.time_created <= i.opened_at AND f.time_created >= p.time_created
                  AND (f.time_created, f.cd_source, f.cd_id) > (p.time_created, p.cd_source, p.cd_id))
              AND (num_nonnulls(i.link_artifact, i.link_commit, i.link_version, i.link_deployment) = 0 OR NOT EXISTS (
                SELECT 1 FROM deployments f WHERE f.app = i.app AND f.environment = i.environment AND f.time_created <= i.opened_at
                  AND \(Self.names("i", "f"))))
            ORDER BY i.opened_at, i.open_source, i.open_id LIMIT 1
        ) wi ON true
        """
    }

    /// `rw`: the latest earlier failed deployment of the app and environment whose failure was still open at `p`
    /// (not ended by the resolution of its incident, else by the first later deployment that did not fail).
    var reworkJoin: String {
        """
        LEFT JOIN LATERAL (
            SELECT f.* FROM deployments f
            WHERE f.app = p.app AND f.environment = p.environment AND f.cluster = p.cluster AND \(plan.deploymentFailed) AND f.time_created <= p.time_created
              AND (f.time_created, f.cd_source, f.cd_id) < (p.time_created, p.cd_source, p.cd_id)
              AND coalesce(CASE WHEN f.incident_failed THEN f.incident_resolved_at
                                WHEN f.open_gap <= \(window) THEN f.open_resolved_at
                                ELSE (SELECT min(g.time_created) FROM deployments g
                                      WHERE g.app = f.app AND g.environment = f.environment AND g.cluster = f.cluster AND g.time_created >= f.time_created
                                        AND (g.time_created, g.cd_source, g.cd_id) > (f.time_created, f.cd_source, f.cd_id)
                                        AND NOT \(plan.deploymentFailed)) END,
                           'infinity'::timestamptz) >= p.time_created
            ORDER BY f.time_created DESC, f.cd_source DESC, f.cd_id DESC LIMIT 1
        ) rw ON true
        """
    }

    var reworkItem: String {
        """
        json_build_object('value', p.is_rollback OR rw.cd_id IS NOT NULL,
            'reason', CASE WHEN p.is_rollback THEN 'rollback' WHEN rw.cd_id IS NOT NULL THEN 'openFailure' END,
            'openFailure', \(Self.deploymentRef("rw")))
        """
    }
}
