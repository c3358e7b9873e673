import EventStore

extension MetricFactSQL {
    /// The metric families touch points are recorded for (the `metric` raw values of MetricDefinitionSpec).
    enum Family: String, Sendable, CaseIterable {
        case deploymentFrequency, leadTimeForChanges, changeFailureRate, timeToRestore
    }

    /// Temporary tables of one incremental transaction (dropped at commit).
    static let temporaryTables = [
        "CREATE TEMP TABLE calc_touch (family text, t timestamptz, app text, environment text, team text, namespace text) ON COMMIT DROP",
        "CREATE TEMP TABLE calc_new_deploys (app text, environment text, team text, namespace text, commit text, t timestamptz) ON COMMIT DROP",
        "CREATE TEMP TABLE calc_new_changes (app text, sha text) ON COMMIT DROP",
        "CREATE TEMP TABLE calc_new_incidents (subject_id text, kind text, t timestamptz, app text, environment text) ON COMMIT DROP",
        "CREATE TEMP TABLE calc_delta (family text, t timestamptz, app text, environment text, team text, namespace text, dn int8, df int8) ON COMMIT DROP",
    ]

    private static func touch(_ family: Family, from relation: String, time: String = "t", where condition: String = "true") -> String {
        "INSERT INTO calc_touch SELECT '\(family.rawValue)', \(time), app, environment, team, namespace FROM \(relation) WHERE \(condition)"
    }

    /// Whether each deployment failed (an incident opened in its app and environment at or after it and before the
    /// next deployment there), in one ordered pass: per app and environment, deployments and incident openings in
    /// (time, deployments first, source, id) order are numbered by the deployments so far, so an opening shares the
    /// number of the last deployment at or before it; a deployment failed when its number has one.
    ///
    /// `deployments` is a relation aliased `d` (app, environment, time_created, cd_source, cd_id and the text columns
    /// `carry`), `openings` one aliased `i` over `incident_events`. They must cover the same time range, starting at a
    /// deployment's time, so every opening in range has its deployment in range. Rows: `(cd_source, cd_id,
    /// time_created, app, environment, carry…, f)`.
    static func failedPass(deployments: String, openings: String, carry: [String] = []) -> String {
        let carried = carry.map { ", d.\($0)" }.joined()
        let empty = carry.map { _ in ", NULL::text" }.joined()
        let out = carry.map { ", \($0)" }.joined()
        return """
            SELECT src AS cd_source, id AS cd_id, t AS time_created, app, environment\(out), f FROM (
                SELECT o.*, bool_or(o.k = 1) OVER (PARTITION BY o.app, o.environment, o.ord) AS f FROM (
                    SELECT u.*, count(*) FILTER (WHERE u.k = 0) OVER (PARTITION BY u.app, u.environment ORDER BY u.t, u.k, u.src, u.id) AS ord
                    FROM (
                        SELECT d.app, d.environment, d.time_created AS t, 0 AS k, d.cd_source AS src, d.cd_id AS id\(carried) FROM \(deployments)
                        UNION ALL
                        SELECT i.app, i.environment, i.time_created, 1, i.cd_source, i.cd_id\(empty) FROM \(openings) WHERE i.kind = 'open'
                    ) u
                ) o
            ) p WHERE k = 0
            """
    }

    /// Signed changes of the additive families (deployment frequency, change failure rate): `dn` deployments and `df`
    /// failed deployments at time `t` with the dimensions of `relation`.
    private static func delta(_ family: Family, from relation: String, deployments: String, failures: String) -> String {
        "INSERT INTO calc_delta SELECT '\(family.rawValue)', t, app, environment, team, namespace, \(deployments), \(failures) FROM \(relation)"
    }

    /// Statements that add the facts of the rows in (`from`, `to`] and record what changed: touch points in
    /// `calc_touch` (lead time, time to restore), signed deltas in `calc_delta` (deployment frequency, change failure
    /// rate, whose points are counts and are updated in place).
    static func incremental(from: CursorPosition, to: CursorPosition) -> [String] {
        let range = range(from: from, to: to)
        let subjects = "SELECT subject_id FROM calc_new_incidents"
        let leadKeys = "SELECT app, sha FROM calc_new_changes UNION SELECT app, commit FROM calc_new_deploys WHERE commit IS NOT NULL"
        return temporaryTables + [
            """
            WITH ins AS (INSERT INTO incident_events \(incidentEventsColumns) \(incidentEventsSelect(range))
                         ON CONFLICT DO NOTHING RETURNING subject_id, kind, time_created, app, environment)
            INSERT INTO calc_new_incidents SELECT * FROM ins
            """,
            """
            WITH ins AS (INSERT INTO changes \(changesColumns) \(changesSelect(range)) ON CONFLICT DO NOTHING RETURNING app, sha)
            INSERT INTO calc_new_changes SELECT DISTINCT app, sha FROM ins
            """,
            """
            WITH ins AS (INSERT INTO deployments \(deploymentsColumns)) \(deploymentsSelect(range))
                         ON CONFLICT DO NOTHING RETURNING app, environment, team, namespace, commit, time_created)
            INSERT INTO calc_new_deploys SELECT * FROM ins
            """,
            "ANALYZE calc_new_incidents, calc_new_changes, calc_new_deploys",
            delta(.deploymentFrequency, from: "calc_new_deploys", deployments: "1", failures: "0"),
            delta(.changeFailureRate, from: "calc_new_deploys", deployments: "1", failures: "0"),
            // Change failure: a new deployment ends its predecessor's interval; a new incident fails the deployment
            // before it. Re-evaluate from the earliest affected deployment of each app and environment on (found
            // from the earliest new deployment and opening of each: the start only moves earlier with time).
            """
            WITH starts AS (
                SELECT n.app, n.environment, coalesce((SELECT max(d.time_created) FROM deployments d WHERE d.app = n.app
                    AND d.environment = n.environment AND d.time_created < n.t), n.t) AS since
                FROM (SELECT app, environment, min(t) AS t FROM calc_new_deploys GROUP BY app, environment) n
                UNION ALL
                SELECT i.app, i.environment, (SELECT max(d.time_created) FROM deployments d WHERE d.app = i.app
                    AND d.environment = i.environment AND d.time_created <= i.t)
                FROM (SELECT app, environment, min(t) AS t FROM calc_new_incidents WHERE kind = 'open' GROUP BY app, environment) i
            ), s AS (
                SELECT app, environment, min(since) AS since FROM starts WHERE since IS NOT NULL GROUP BY app, environment
            ), x AS (
                \(failedPass(
                    deployments: "deployments d JOIN s ON d.app = s.app AND d.environment = s.environment AND d.time_created >= s.since",
                    openings: "incident_events i JOIN s ON i.app = s.app AND i.environment = s.environment AND i.time_created >= s.since"))
            ), upd AS (
                UPDATE deployments d SET failed = x.f FROM x
                WHERE d.cd_source = x.cd_source AND d.cd_id = x.cd_id AND d.failed <> x.f
                RETURNING d.time_created AS t, d.app, d.environment, d.team, d.namespace, d.failed
            )
            \(delta(.changeFailureRate, from: "upd", deployments: "0", failures: "CASE WHEN failed THEN 1 ELSE -1 END"))
            """,
            // Incidents of the subjects that got events are paired again from all their events.
            """
            WITH del AS (DELETE FROM incidents WHERE subject_id IN (\(subjects))
                         RETURNING resolved_at AS t, app, environment, team, namespace)
            \(touch(.timeToRestore, from: "del", where: "t IS NOT NULL"))
            """,
            """
            WITH ins AS (INSERT INTO incidents \(incidentsColumns) \(incidentsSelect(subjectFilter: subjects))
                         RETURNING resolved_at AS t, app, environment, team, namespace)
            \(touch(.timeToRestore, from: "ins", where: "t IS NOT NULL"))
            """,
            // Lead times of the changes whose change or deployments arrived are derived again.
            """
            WITH del AS (DELETE FROM lead_times WHERE (app, sha) IN (\(leadKeys))
                         RETURNING deploy_time AS t, app, environment, team, namespace)
            \(touch(.leadTimeForChanges, from: "del"))
            """,
            """
            WITH ins AS (INSERT INTO lead_times \(leadTimesColumns) \(leadTimesSelect(keyFilter: leadKeys))
                         RETURNING deploy_time AS t, app, environment, team, namespace)
            \(touch(.leadTimeForChanges, from: "ins"))
            """,
        ]
    }

    /// Statements that fill the (truncated, unindexed) fact tables from the rows up to `to` (inclusive); see
    /// ``MetricFactStore/rebuild(upTo:on:)``.
    static func load(upTo to: CursorPosition) -> [String] {
        let range = range(from: nil, to: to)
        return [
            "INSERT INTO incident_events \(incidentEventsColumns) \(incidentEventsSelect(range))",
            "INSERT INTO changes \(changesColumns) \(changesSelect(range))",
            """
            INSERT INTO deployments (cd_source, cd_id, time_created, app, environment, deploy_id, deploy_name, deploy_type, team, namespace, commit, failed)
            \(failedPass(
                deployments: "(\(deploymentsSelect(range))) d", openings: "incident_events i",
                carry: ["deploy_id", "deploy_name", "deploy_type", "team", "namespace", "commit"]))
            """,
            "INSERT INTO incidents \(incidentsColumns) \(incidentsSelect(subjectFilter: nil))",
            "INSERT INTO lead_times \(leadTimesColumns) \(leadTimesSelect(keyFilter: nil))",
        ]
    }
}
