/// A generated history for the recompute benchmark and scale test (test data, so it lives in TestSupport, not in
/// Pipeline): 40 % deployments, 40 % changes, 10 % incidents opened, 10 % resolved, over 2025, `apps` apps in
/// production, as SQL that writes `cdevents_raw` directly. Deployments spread over 2025 per app; change g merged
/// 1–72 h before deployment g; every 4th deployment has an incident (one subject per app) opened 10 min after it and
/// resolved 0.1–12 h later.
public enum RecomputeWorkload {
    public static func statements(events: Int, apps: Int) -> [String] {
        let deployments = events * 4 / 10
        let incidents = events / 10
        let perApp = max(1, deployments / apps)
        let seconds = "((g / \(apps)) * (365 * 86400 / \(perApp)) + (g::bigint * 7919) % 3600)"
        let time = "(timestamptz '2025-01-01 00:00:00+00' + make_interval(secs => \(seconds)))"
        let app = "'app' || (g % \(apps))"
        let custom = """
            jsonb_build_object('app', \(app), 'team', 'team' || (g % \(apps) % 20), 'environment', 'production', 'namespace', 'default',
                               'name', \(app), 'commit', 'sha' || g)
            """
        func event(_ prefix: String, _ type: String, _ at: String, _ subject: String, _ content: String, count: Int, offset: String = "n") -> String {
            Self.event(prefix, type, at, subject, content, custom: custom, count: count, offset: offset)
        }
        let incidentOffset = "(n / \(apps)) * \(4 * apps) + n % \(apps)"
        return [
            event(
                "d", "dev.cdevents.service.deployed.0.3.0", time, "'default/' || \(app)",
                "jsonb_build_object('artifactId', 'pkg:generic/default/' || \(app) || '@sha' || g, 'environment', jsonb_build_object('id', 'production'))",
                count: deployments),
            event(
                "c", "dev.cdevents.change.merged.0.3.0", "\(time) - make_interval(hours => 1 + (g * 31) % 72)", "'sha' || g",
                "jsonb_build_object('repository', jsonb_build_object('id', \(app)))", count: events - deployments - 2 * incidents),
            event(
                "o", "dev.cdevents.incident.detected.0.3.0", "\(time) + interval '10 minutes'", "'default/' || \(app)",
                "jsonb_build_object('environment', jsonb_build_object('id', 'production'))", count: incidents, offset: incidentOffset),
            event(
                "r", "dev.cdevents.incident.resolved.0.3.0", "\(time) + make_interval(mins => 16 + (g * 13) % 720)", "'default/' || \(app)",
                "jsonb_build_object('environment', jsonb_build_object('id', 'production'))", count: incidents, offset: incidentOffset),
            "VACUUM (ANALYZE) cdevents_raw",
        ]
    }

    /// One small batch after the history (`pacer-bench recompute`'s incremental step on top of it): a deployment of
    /// app0 in production on 2025-12-31 at 21:00 plus `index` minutes (after every deployment of the history, in its
    /// year: the year's points aggregate the whole history again), the change it carries (merged an hour before), an
    /// incident of app0 opened a minute after it and resolved ten minutes after it (subject `batch/<index>`, so it pairs
    /// with no other incident). Its CDEvents' ids start with `batch-<index>-`; ``removeBatches``
    /// deletes them and the facts extracted from them.
    public static func batch(_ index: Int) -> [String] {
        let at = "timestamptz '2025-12-31 21:00:00+00' + make_interval(mins => \(index))"
        let custom = """
            jsonb_build_object('app', 'app0', 'team', 'team0', 'environment', 'production', 'namespace', 'default', 'name', 'app0',
                               'commit', 'batch-\(index)')
            """
        let incident = "jsonb_build_object('environment', jsonb_build_object('id', 'production'))"
        return [
            event(
                "batch-\(index)-d", "dev.cdevents.service.deployed.0.3.0", at, "'default/app0'",
                "jsonb_build_object('artifactId', 'pkg:generic/default/app0@batch-\(index)', 'environment', jsonb_build_object('id', 'production'))",
                custom: custom, count: 1),
            event(
                "batch-\(index)-c", "dev.cdevents.change.merged.0.3.0", "\(at) - interval '1 hour'", "'batch-\(index)'",
                "jsonb_build_object('repository', jsonb_build_object('id', 'app0'))", custom: custom, count: 1),
            event("batch-\(index)-o", "dev.cdevents.incident.detected.0.3.0", "\(at) + interval '1 minute'", "'batch/\(index)'", incident, custom: custom, count: 1),
            event("batch-\(index)-r", "dev.cdevents.incident.resolved.0.3.0", "\(at) + interval '10 minutes'", "'batch/\(index)'", incident, custom: custom, count: 1),
        ]
    }

    /// Deletes the CDEvents of every ``batch(_:)`` and the facts extracted from them (a recompute keeping the
    /// extracted facts then rebuilds the rest as before the batches).
    public static let removeBatches = [
        "DELETE FROM cdevents_raw WHERE cd_id LIKE 'batch-%'",
        "DELETE FROM deployments WHERE cd_id LIKE 'batch-%'",
        "DELETE FROM changes WHERE cd_id LIKE 'batch-%'",
        "DELETE FROM incident_events WHERE cd_id LIKE 'batch-%'",
        "DELETE FROM incidents WHERE subject_id LIKE 'batch/%'",
    ]

    private static func event(
        _ prefix: String, _ type: String, _ at: String, _ subject: String, _ content: String, custom: String, count: Int, offset: String = "n"
    ) -> String {
        """
        INSERT INTO cdevents_raw (cd_id, cd_source, cd_type, cd_timestamp, cd_subject_id, cd_subject_source, content)
        SELECT '\(prefix)' || g, '/bench', '\(type)', ts, \(subject), '/bench',
               jsonb_build_object('context', jsonb_build_object('specversion', '0.5.0', 'id', '\(prefix)' || g, 'source', '/bench',
                                  'type', '\(type)', 'timestamp', ts),
                                  'subject', jsonb_build_object('id', \(subject), 'source', '/bench', 'content', \(content)),
                                  'customData', \(custom))
        FROM (SELECT g, \(at) AS ts FROM (SELECT \(offset) AS g FROM generate_series(0, \(count - 1)) AS s(n)) y) x
        """
    }
}
