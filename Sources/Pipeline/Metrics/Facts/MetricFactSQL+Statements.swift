import EventStore

extension MetricFactSQL {
    /// The metric families touch points are recorded for (the `metric` raw values of MetricDefinitionSpec).
    enum Family: String, Sendable, CaseIterable {
        case deploymentFrequency, leadTimeForChanges, changeFailureRate, timeToRestore, failedDeploymentRecoveryTime, deploymentReworkRate
    }

    /// The columns of a deployment's failure facts, as recorded in `calc_deploy_delta` with the dimensions.
    static let failureColumns = "rollout_failed, is_rollback, rolled_back, incident_failed, open_gap, duplicate"

    /// Temporary tables of an incremental transaction: created once per database session and emptied at every commit
    /// (creating and dropping twelve tables in every transaction cost about 10 ms of catalog writes per step, a
    /// sixth of a small step's time in the pipeline benchmark's latency phase), all in one statement (one round trip
    /// where fourteen `CREATE … IF NOT EXISTS` took about 2 ms per step).
    static let temporaryTables = "DO $$ BEGIN " + temporaryTableDefinitions.map { $0 + "; " }.joined() + "END $$"

    /// The (bucket, start, group) keys of one definition's points a step rebuilds.
    static let calcKeysTable = "CREATE TEMP TABLE IF NOT EXISTS calc_keys (bucket text, bucket_start timestamptz, group_key text) ON COMMIT DELETE ROWS"

    private static let temporaryTableDefinitions = [
        "CREATE TEMP TABLE IF NOT EXISTS calc_touch (family text, t timestamptz, app text, environment text, team text, namespace text, cluster text) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS calc_new_deploys (app text, environment text, team text, namespace text, cluster text, commit text, t timestamptz, cd_source text COLLATE \"C\", cd_id text COLLATE \"C\") ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS calc_new_changes (app text, sha text) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS calc_new_incidents (subject_id text, kind text, t timestamptz, app text, environment text, cluster text) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS calc_pair_subjects (subject_id text) ON COMMIT DELETE ROWS",
        """
        CREATE TEMP TABLE IF NOT EXISTS calc_deploy_delta (sign int8, t timestamptz, app text, environment text, team text, namespace text, cluster text,
            rollout_failed bool, is_rollback bool, rolled_back bool, incident_failed bool, open_gap float8, duplicate bool) ON COMMIT DELETE ROWS
        """,
        "CREATE TEMP TABLE IF NOT EXISTS calc_fail_parts (app text, environment text) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS calc_judge_parts (app text, environment text) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS calc_read_parts (app text, environment text) ON COMMIT DELETE ROWS",
        "CREATE TEMP TABLE IF NOT EXISTS calc_read_apps (app text) ON COMMIT DELETE ROWS",
        """
        CREATE TEMP TABLE IF NOT EXISTS calc_judged (cd_source text, cd_id text, is_rollback bool, rolled_back bool, incident_failed bool, open_gap float8,
            incident_resolved_at timestamptz, open_resolved_at timestamptz, duplicate bool) ON COMMIT DELETE ROWS
        """,
        """
        CREATE TEMP TABLE IF NOT EXISTS calc_lead (app text, sha text, environment text, cluster text, change_time timestamptz, deploy_time timestamptz,
            deploy_source text COLLATE "C", deploy_id text COLLATE "C", team text, namespace text, hours float8) ON COMMIT DELETE ROWS
        """,
        "CREATE TEMP TABLE IF NOT EXISTS calc_lead_gone (app text, sha text, environment text, cluster text) ON COMMIT DELETE ROWS",
        calcKeysTable,
    ]

    private static func touch(_ family: Family, from relation: String, time: String = "t", where condition: String = "true") -> String {
        "INSERT INTO calc_touch SELECT '\(family.rawValue)', \(time), app, environment, team, namespace, cluster FROM \(relation) WHERE \(condition)"
    }

    /// Records deployment rows (`relation`, with the dimensions and ``failureColumns``) in `calc_deploy_delta` with
    /// `sign`: +1 for a row as it is now, -1 for a row as it was.
    private static func deployDelta(sign: Int, from relation: String) -> String {
        "INSERT INTO calc_deploy_delta SELECT \(sign), time_created, app, environment, team, namespace, cluster, \(failureColumns) FROM \(relation)"
    }

    /// The apps whose lead times an incremental batch derives again: those that got a change or a deployment (a
    /// change can re-carry older changes of its app: a late `change.merged`, an earlier merge of a known sha, a
    /// deployment arriving late, a report that makes another one a duplicate).
    static let leadTimeApps = "SELECT app FROM calc_new_changes UNION SELECT app FROM calc_new_deploys"

    /// The histories an incremental batch judges again (``MetricFactStore/rejudgeTouched(cache:position:on:)``): those
    /// whose failure facts may change and every environment of the apps whose lead times are derived again.
    ///
    /// An app's environments are found by skipping through `deployments_app_env_time` (one index probe per
    /// environment, a recursive query) rather than reading every deployment of the app: a `SELECT DISTINCT` over the
    /// app's rows took 8 ms per batch in the pipeline benchmark and grew with the history.
    static let judgedPartitionsInsert = """
        INSERT INTO calc_judge_parts SELECT app, environment FROM calc_fail_parts
        UNION
        SELECT a.app, e.environment FROM (\(leadTimeApps)) a CROSS JOIN LATERAL (
            WITH RECURSIVE envs(environment) AS (
                (SELECT d.environment FROM deployments d WHERE d.app = a.app ORDER BY d.environment LIMIT 1)
                UNION ALL
                SELECT (SELECT d.environment FROM deployments d WHERE d.app = a.app AND d.environment > envs.environment
                        ORDER BY d.environment LIMIT 1)
                FROM envs WHERE envs.environment IS NOT NULL
            ) SELECT environment FROM envs WHERE environment IS NOT NULL
        ) e
        """

    /// The columns of `calc_judged`: a deployment's identity and its failure facts as judged again.
    static let judgedColumns = ["cd_source", "cd_id"] + judgedFactColumns
    /// A deployment's failure facts as the in-memory pass judges them (the columns `deploymentsSelect` leaves to it).
    static let judgedFactColumns = ["is_rollback", "rolled_back", "incident_failed", "open_gap", "incident_resolved_at", "open_resolved_at", "duplicate"]
    /// `SET` assignments of the judged facts from `calc_judged` (`x`) to `deployments` (`d`).
    private static var judgedAssignments: String { judgedFactColumns.map { "\($0) = x.\($0)" }.joined(separator: ", ") }

    /// Applies `calc_judged` to `deployments` (a recompute that keeps the extracted facts: only the rows judged
    /// otherwise are there).
    static var applyJudged: String {
        "UPDATE deployments d SET \(judgedAssignments) FROM calc_judged x WHERE d.cd_source = x.cd_source AND d.cd_id = x.cd_id"
    }

    /// Statements that add the facts of the rows in (`from`, `to`]: the new incident events, changes and deployment
    /// reports, the incidents paired again, and `calc_fail_parts` (the histories whose failure facts may change).
    /// Then ``MetricFactStore/rejudgeTouched(cache:position:on:)`` judges the histories, and ``incrementalResults()``
    /// applies what changed and records it.
    static func incrementalFacts(from: CursorPosition, to: CursorPosition) -> [String] {
        let range = range(from: from, to: to)
        let subjects = "SELECT subject_id FROM calc_pair_subjects"
        return [temporaryTables] + [
            """
            WITH ins AS (INSERT INTO incident_events \(incidentEventsColumns) \(incidentEventsSelect(range))
                         ON CONFLICT DO NOTHING RETURNING subject_id, kind, time_created, app, environment, cluster)
            INSERT INTO calc_new_incidents SELECT * FROM ins
            """,
            """
            WITH ins AS (INSERT INTO changes \(changesColumns) \(changesSelect(range)) ON CONFLICT DO NOTHING RETURNING app, sha)
            INSERT INTO calc_new_changes SELECT DISTINCT app, sha FROM ins
            """,
            """
            WITH ins AS (INSERT INTO deployments \(deploymentsColumns) \(deploymentsSelect(range))
                         ON CONFLICT DO NOTHING RETURNING *),
            log AS (\(deployDelta(sign: 1, from: "ins")))
            INSERT INTO calc_new_deploys SELECT app, environment, team, namespace, cluster, commit, time_created, cd_source, cd_id FROM ins
            """,
            "ANALYZE calc_new_incidents, calc_new_changes, calc_new_deploys",
            // Incidents of the subjects that got events are paired again from all their events, unless every new
            // event of the subject (and cluster) is a resolution while none of its incidents was open: a resolution
            // closes the incident open before it, so one with nothing open changes no pairing (the default pipeline
            // sends one per completed rollout that may follow a failed one, and other kinds one per completed rollout;
            // re-pairing each subject's whole history for them cost 120 ms per batch in the pipeline benchmark). "Open" is judged loosely, over the span of the new resolutions and
            // with ties counted, so a doubtful case is paired again.
            """
            INSERT INTO calc_pair_subjects
            SELECT DISTINCT n.subject_id FROM (
                SELECT subject_id, cluster, bool_and(kind = 'resolved') AS only_resolved, min(t) AS first, max(t) AS last
                FROM calc_new_incidents GROUP BY subject_id, cluster
            ) n
            WHERE NOT n.only_resolved OR EXISTS (
                SELECT 1 FROM incidents i WHERE i.subject_id = n.subject_id AND i.cluster = n.cluster AND i.opened_at <= n.last
                    AND (i.resolved_at IS NULL OR i.resolved_at >= n.first))
            """,
            """
            WITH del AS (DELETE FROM incidents WHERE subject_id IN (\(subjects))
                         RETURNING resolved_at AS t, app, environment, team, namespace, cluster),
            parts AS (INSERT INTO calc_fail_parts SELECT DISTINCT app, environment FROM del)
            \(touch(.timeToRestore, from: "del", where: "t IS NOT NULL"))
            """,
            """
            WITH ins AS (INSERT INTO incidents \(incidentsColumns) \(incidentsSelect(subjectFilter: subjects))
                         RETURNING resolved_at AS t, app, environment, team, namespace, cluster),
            parts AS (INSERT INTO calc_fail_parts SELECT DISTINCT app, environment FROM ins)
            \(touch(.timeToRestore, from: "ins", where: "t IS NOT NULL"))
            """,
            // Deployment failure: the histories of the apps and environments that got a deployment or whose incident
            // openings changed are judged again as a whole (MetricFactStore.rejudgeTouched).
            "INSERT INTO calc_fail_parts SELECT DISTINCT app, environment FROM calc_new_deploys",
        ]
    }

    /// Statements that apply the histories judged again (`calc_judged`, `calc_lead`) and record what changed: touch
    /// points in `calc_touch` (lead time, time to restore, recovery time, rework rate), changed deployment rows in
    /// `calc_deploy_delta` (deployment frequency, change failure rate, whose points are counts and are updated in place).
    static func incrementalResults() -> [String] {
        [
            // Sizes for the joins below; a small sample does (the default one took 85 ms per batch for 60,000 lead times).
            "SET LOCAL default_statistics_target = 10",
            "ANALYZE calc_judged, calc_lead, calc_lead_gone",
            "RESET default_statistics_target",
            // Every deployment whose facts changed is recorded as -1 (as it was) and +1 (as it is) in calc_deploy_delta.
            """
            WITH x AS (SELECT * FROM calc_judged), old AS (
                SELECT d.* FROM deployments d JOIN x ON d.cd_source = x.cd_source AND d.cd_id = x.cd_id
                WHERE (d.is_rollback, d.rolled_back, d.incident_failed, d.open_gap, d.incident_resolved_at, d.open_resolved_at, d.duplicate)
                    IS DISTINCT FROM (x.is_rollback, x.rolled_back, x.incident_failed, x.open_gap, x.incident_resolved_at, x.open_resolved_at, x.duplicate)
            ), upd AS (
                UPDATE deployments d SET \(judgedAssignments)
                FROM x WHERE d.cd_source = x.cd_source AND d.cd_id = x.cd_id
                    AND (d.is_rollback, d.rolled_back, d.incident_failed, d.open_gap, d.incident_resolved_at, d.open_resolved_at, d.duplicate)
                    IS DISTINCT FROM (x.is_rollback, x.rolled_back, x.incident_failed, x.open_gap, x.incident_resolved_at, x.open_resolved_at, x.duplicate)
                RETURNING d.*
            ), was AS (\(deployDelta(sign: -1, from: "old")))
            \(deployDelta(sign: 1, from: "upd"))
            """,
            // Failed deployment recovery time (by the failed deployment's time): a failed deployment's recovery reads
            // only deployment rows (its failure facts, the resolution of its incident among them, and the first later
            // deployment that did not fail), so it can change only for those at or after the last deployment before
            // the earliest new or re-judged one of their app, environment and cluster that failed by no rule (no
            // failure fact, not a duplicate, so good for every definition's attribution window): an earlier one is
            // recovered by then, by deployments that are all earlier and unchanged. Every deployment from there with a
            // failure fact is touched, and those that just lost one. (Touching every failure of a re-judged history
            // made each batch aggregate again a year of its buckets: 1.3 s per batch at 400,000 deployments.)
            """
            WITH \(sinceCTE), parts AS (
                SELECT DISTINCT d.app, d.environment, d.cluster, s.t FROM since s
                JOIN deployments d ON d.app = s.app AND d.environment = s.environment AND d.time_created >= s.t
            ), bound AS (
                SELECT p.app, p.environment, p.cluster, coalesce((
                    SELECT max(g.time_created) FROM deployments g
                    WHERE g.app = p.app AND g.environment = p.environment AND g.cluster = p.cluster AND g.time_created < p.t
                      AND NOT \(failureFact("g"))
                ), '-infinity'::timestamptz) AS t
                FROM parts p
            )
            \(touch(.failedDeploymentRecoveryTime,
                from: """
                    (SELECT d.* FROM bound b JOIN deployments d
                        ON d.app = b.app AND d.environment = b.environment AND d.cluster = b.cluster AND d.time_created >= b.t) d
                    """,
                time: "d.time_created", where: failureFact("d")))
            """,
            touch(.failedDeploymentRecoveryTime, from: "calc_deploy_delta", where: "sign < 0"),
            // Deployment rework rate: whether a deployment was made while a failure was open reads only deployment
            // rows (their failure facts, and the first later deployment that did not fail), so it can change only for
            // deployments at or after the earliest new or re-judged deployment of their app and environment: an earlier
            // one's failures, and the first non-failed deployment after each, are all earlier and unchanged.
            """
            WITH \(sinceCTE)
            \(touch(.deploymentReworkRate,
                from: "(SELECT d.* FROM deployments d JOIN since s ON d.app = s.app AND d.environment = s.environment AND d.time_created >= s.t) d",
                time: "d.time_created"))
            """,
            // Lead times of the apps that got a change or a deployment were derived again; changed rows are touched.
        ] + leadTimesIncremental { touch(.leadTimeForChanges, from: $0) }
    }

    /// Whether the deployment row `alias` has a failure fact (or is a duplicate): false only for a deployment that
    /// did not fail under any definition's attribution window.
    private static func failureFact(_ alias: String) -> String {
        "(\(alias).rollout_failed OR \(alias).rolled_back OR \(alias).incident_failed OR \(alias).open_gap IS NOT NULL OR \(alias).duplicate)"
    }

    /// `since`: per app and environment, the time of the earliest deployment the batch added or judged otherwise.
    private static let sinceCTE = """
        since AS (
            SELECT app, environment, min(t) AS t FROM (
                SELECT app, environment, t FROM calc_new_deploys
                UNION ALL
                SELECT d.app, d.environment, d.time_created FROM calc_judged j JOIN deployments d ON d.cd_source = j.cd_source AND d.cd_id = j.cd_id
            ) c GROUP BY app, environment
        )
        """

    /// Whether the tables extracted one row per CDEvent (`deployments`, `changes`, `incident_events`) hold as many rows
    /// as `cdevents_raw` has CDEvents of their types up to `to`. Not so after the raw tables alone were restored with
    /// the cursors (docs/operations.md), or after CDEvents were deleted: then a recompute extracts everything again.
    static func extractedFactsComplete(upTo to: CursorPosition) -> String {
        """
        WITH types AS (
            -- Every CDEvent per type, less those after `to` (few: the cursor is near the end): counted on the
            -- (cd_type, cd_timestamp) index without reading the table, where filtering on the position read all of
            -- it (0.11 s against 0.2 s of three processes for 1,000,000 CDEvents).
            SELECT r.cd_type, count(*) AS n FROM cdevents_raw r GROUP BY r.cd_type
            UNION ALL
            SELECT r.cd_type, -count(*) FROM cdevents_raw r WHERE (r.ingest_xid, r.seq) > \(to.sql) GROUP BY r.cd_type
        ), raw AS (
            -- The type conditions over the few distinct types, not over every row.
            SELECT coalesce(sum(r.n) FILTER (WHERE \(deploymentTypes)), 0) AS deployments,
                   coalesce(sum(r.n) FILTER (WHERE \(changeTypes)), 0) AS changes,
                   coalesce(sum(r.n) FILTER (WHERE \(incidentTypes)), 0) AS incident_events
            FROM types r
        )
        SELECT raw.deployments = (SELECT count(*) FROM deployments) AND raw.changes = (SELECT count(*) FROM changes)
               AND raw.incident_events = (SELECT count(*) FROM incident_events)
        FROM raw
        """
    }

    /// Statements that fill the (truncated, unindexed) fact tables other than `deployments` and `lead_times` from the
    /// rows up to `to` (inclusive); ``MetricFactStore/loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)`` then fills those two from
    /// the incidents and changes these make (see ``MetricFactStore/rebuild(upTo:keeping:samples:readers:on:)``).
    static func load(upTo to: CursorPosition) -> [String] {
        let range = range(from: nil, to: to)
        return [
            "INSERT INTO incident_events \(incidentEventsColumns) \(incidentEventsSelect(range))",
            "INSERT INTO changes \(changesColumns) \(changesSelect(range))",
            "INSERT INTO incidents \(incidentsColumns) \(incidentsSelect(subjectFilter: nil))",
            // The planner needs the sizes to read them by a sort and group the changes by hashing.
            "ANALYZE incidents, changes",
        ]
    }

    /// Fresh statistics for the incremental statements that follow a rebuild (of the tables written whole).
    static func analyze(_ tables: [String]) -> String { "ANALYZE " + tables.joined(separator: ", ") }
}
