extension MetricFactSQL {
    /// The metric families touch points are recorded for (the `metric` raw values of MetricDefinitionSpec).
    public enum Family: String, Sendable, CaseIterable {
        case deploymentFrequency, leadTimeForChanges, changeFailureRate, timeToRestore
    }

    /// The fact tables' secondary indexes (created by migration 5). A full rebuild drops them before the bulk
    /// inserts and builds them again afterwards: one sorted build is much cheaper than a million index insertions.
    static let secondaryIndexes = [
        "CREATE INDEX deployments_time ON deployments (time_created)",
        "CREATE INDEX deployments_app_env_time ON deployments (app, environment, time_created)",
        "CREATE INDEX deployments_app_commit ON deployments (app, commit) WHERE commit IS NOT NULL",
        "CREATE INDEX changes_app_sha ON changes (app, sha)",
        "CREATE INDEX incident_events_subject ON incident_events (subject_id, time_created)",
        "CREATE INDEX incident_events_open ON incident_events (app, environment, time_created) WHERE kind = 'open'",
        "CREATE INDEX incidents_subject ON incidents (subject_id)",
        "CREATE INDEX incidents_resolved ON incidents (resolved_at) WHERE resolved_at IS NOT NULL",
        "CREATE INDEX lead_times_deploy_time ON lead_times (deploy_time)",
    ]

    static var dropSecondaryIndexes: [String] {
        secondaryIndexes.compactMap { statement in
            statement.split(separator: " ").dropFirst(2).first.map { "DROP INDEX IF EXISTS \($0)" }
        }
    }

    /// Temporary tables of one incremental transaction (dropped at commit).
    static let temporaryTables = [
        "CREATE TEMP TABLE calc_touch (family text, t timestamptz, app text, environment text, team text, namespace text) ON COMMIT DROP",
        "CREATE TEMP TABLE calc_new_deploys (app text, environment text, team text, namespace text, commit text, t timestamptz) ON COMMIT DROP",
        "CREATE TEMP TABLE calc_new_changes (app text, sha text) ON COMMIT DROP",
        "CREATE TEMP TABLE calc_new_incidents (subject_id text, kind text, t timestamptz, app text, environment text) ON COMMIT DROP",
    ]

    private static func touch(_ family: Family, from relation: String, time: String = "t", where condition: String = "true") -> String {
        "INSERT INTO calc_touch SELECT '\(family.rawValue)', \(time), app, environment, team, namespace FROM \(relation) WHERE \(condition)"
    }

    /// Statements that add the facts of the rows in (`from`, `to`] and record touch points in `calc_touch`.
    public static func incremental(from: Position, to: Position) -> [String] {
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
            touch(.deploymentFrequency, from: "calc_new_deploys"),
            touch(.changeFailureRate, from: "calc_new_deploys"),
            // Change failure: a new deployment ends its predecessor's interval; a new incident fails the deployment
            // before it. Re-evaluate from the earliest affected deployment of each app and environment on.
            """
            WITH starts AS (
                SELECT n.app, n.environment, coalesce((SELECT max(d.time_created) FROM deployments d WHERE d.app = n.app
                    AND d.environment = n.environment AND d.time_created < n.t), n.t) AS since
                FROM calc_new_deploys n
                UNION ALL
                SELECT i.app, i.environment, (SELECT max(d.time_created) FROM deployments d WHERE d.app = i.app
                    AND d.environment = i.environment AND d.time_created <= i.t)
                FROM calc_new_incidents i WHERE i.kind = 'open'
            ), s AS (
                SELECT app, environment, min(since) AS since FROM starts WHERE since IS NOT NULL GROUP BY app, environment
            ), x AS (
                SELECT d.cd_source, d.cd_id, \(failedExpression) AS f
                FROM deployments d JOIN s ON d.app = s.app AND d.environment = s.environment AND d.time_created >= s.since
            ), upd AS (
                UPDATE deployments d SET failed = x.f FROM x
                WHERE d.cd_source = x.cd_source AND d.cd_id = x.cd_id AND d.failed <> x.f
                RETURNING d.time_created AS t, d.app, d.environment, d.team, d.namespace
            )
            \(touch(.changeFailureRate, from: "upd"))
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

    /// Statements that rebuild every fact table from the rows up to `to` (inclusive).
    public static func rebuild(upTo to: Position) -> [String] {
        let range = range(from: nil, to: to)
        return [
            "TRUNCATE deployments, changes, incident_events, incidents, lead_times",
        ] + dropSecondaryIndexes + [
            "INSERT INTO incident_events \(incidentEventsColumns) \(incidentEventsSelect(range))",
            "INSERT INTO changes \(changesColumns) \(changesSelect(range))",
            // `failed` in one ordered pass: per app and environment, rows in (time, deployment first, source, id) order
            // are numbered by the deployments so far, so an incident shares the number of the last deployment at or
            // before it; a deployment failed when its number has an incident.
            """
            INSERT INTO deployments \(deploymentsColumns), failed)
            WITH d AS (\(deploymentsSelect(range))),
            u AS (
                SELECT app, environment, time_created AS t, 0 AS k, cd_source AS s, cd_id AS i, deploy_id, deploy_name, deploy_type,
                       team, namespace, commit FROM d
                UNION ALL
                SELECT app, environment, time_created, 1, cd_source, cd_id, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text,
                       NULL::text FROM incident_events WHERE kind = 'open'
            ), o AS (
                SELECT u.*, count(*) FILTER (WHERE k = 0) OVER (PARTITION BY app, environment ORDER BY t, k, s, i) AS ord FROM u
            ), f AS (
                SELECT o.*, bool_or(k = 1) OVER (PARTITION BY app, environment, ord) AS failed FROM o
            )
            SELECT deploy_id, t, deploy_name, s, i, deploy_type, app, environment, team, namespace, commit, failed FROM f WHERE k = 0
            """,
            "INSERT INTO incidents \(incidentsColumns) \(incidentsSelect(subjectFilter: nil))",
            "INSERT INTO lead_times \(leadTimesColumns) \(leadTimesSelect(keyFilter: nil))",
        ] + secondaryIndexes
    }
}
