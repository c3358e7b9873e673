import EventStore
import Foundation

/// The SQL that derives the calculator's fact tables (migration 5) from `cdevents_raw`.
///
/// Everything is set-based: each statement reads a range of `cdevents_raw` (or the whole table) and writes one
/// fact table. The incremental statements also record *touch points* in the temporary table `calc_touch`
/// (metric family, time, dimensions): the facts whose contribution to a metric may have changed, from which the
/// calculator derives the (bucket, bucket start, group) results to rebuild.
enum MetricFactSQL {
    /// Dimension expressions over a `cdevents_raw` row `r` (docs/metrics.md, "Dimensions"). Paths (`#>>`) rather than
    /// `->` chains: each `->` copies the nested object out of the document, which made extraction the largest cost
    /// of a rebuild (a third faster over a million rows).
    static let app = "coalesce(r.content #>> '{customData,app}', r.content #>> '{subject,content,service,id}', r.content #>> '{subject,id}', '')"
    static let environment = "coalesce(r.content #>> '{customData,environment}', r.content #>> '{subject,content,environment,id}', '')"
    static let team = "coalesce(r.content #>> '{customData,team}', '')"
    static let namespace = "coalesce(r.content #>> '{customData,namespace}', '')"
    /// The cluster (docs/metrics.md, "Clusters"): `customData.cluster`, which Pacer sets on every CDEvent it stores
    /// (the CloudEvent's `cluster` extension attribute, else the receiving Pacer's `--cluster-name`).
    static let cluster = "coalesce(r.content #>> '{customData,cluster}', '')"
    static var dimensions: String { "\(app), \(environment), \(team), \(namespace), \(cluster)" }

    /// `r.cd_type` is `dev.cdevents.<name>.<version>` for one of `names` (any version); uses the (cd_type, …)
    /// index: the database collation orders `.` right before `/`.
    static func typeCondition(_ names: [String], prefix: String = "dev.cdevents.") -> SQLFragment {
        let parts = names.map { name -> SQLFragment in
            "(r.cd_type >= \(bind: prefix + name + ".") AND r.cd_type < \(bind: prefix + name + "/"))"
        }
        return parts.isEmpty ? "false" : "(\(SQLFragment(joining: parts, separator: " OR ")))"
    }

    // The fact statements are built as text (fixed type names, no CRD strings): their conditions are inlined.
    static let deploymentTypes = typeCondition(["service.deployed", "service.upgraded", "service.rolledback"]).inlined
    static let changeTypes = typeCondition(["change.merged"]).inlined
    static let incidentTypes = typeCondition(["incident.detected", "incident.reported", "incident.resolved"]).inlined
    static let resolvedType = typeCondition(["incident.resolved"]).inlined

    /// Rows of `r` after `from` (exclusive) up to `to` (inclusive).
    static func range(from: CursorPosition?, to: CursorPosition) -> String {
        let upper = "(r.ingest_xid, r.seq) <= \(to.sql)"
        guard let from else { return upper }
        return "(r.ingest_xid, r.seq) > \(from.sql) AND \(upper)"
    }

    /// The deployment an incident names (explicit attribution, docs/metrics.md): `subject.content.artifactId`,
    /// `customData.commit`, `customData.version`, `customData.deployment` (a deployment CDEvent's id).
    static let incidentLinks = """
        nullif(r.content #>> '{subject,content,artifactId}', ''), nullif(r.content #>> '{customData,commit}', ''),
        nullif(r.content #>> '{customData,version}', ''), nullif(r.content #>> '{customData,deployment}', '')
        """

    static func incidentEventsSelect(_ range: String) -> String {
        """
        SELECT r.cd_source, r.cd_id, r.cd_subject_id, CASE WHEN \(resolvedType) THEN 'resolved' ELSE 'open' END,
               r.cd_timestamp, \(dimensions), \(incidentLinks)
        FROM cdevents_raw r WHERE \(range) AND \(incidentTypes)
        """
    }
    static let incidentEventsColumns = "(cd_source, cd_id, subject_id, kind, time_created, app, environment, team, namespace, cluster, link_artifact, link_commit, link_version, link_deployment)"

    /// A change's repository (docs/metrics.md, "Lead time for changes"): `customData.repository`, else
    /// `subject.content.repository.source` (CDEvents' repository reference); unknown when neither is set.
    static let repository = """
        coalesce(nullif(r.content #>> '{customData,repository}', ''), nullif(r.content #>> '{subject,content,repository,source}', ''))
        """

    static func changesSelect(_ range: String) -> String {
        """
        SELECT r.cd_source, r.cd_id, r.cd_subject_id, r.cd_timestamp, \(dimensions), \(repository)
        FROM cdevents_raw r WHERE \(range) AND \(changeTypes)
        """
    }
    static let changesColumns = "(cd_source, cd_id, sha, time_created, app, environment, team, namespace, cluster, repository)"

    /// A deployment CDEvent's facts. `version_key` is what a rollback returns to: the commit, else
    /// `customData.version`, else the artifact id. `rollout_failed`: `customData.outcome` is `failed` (the default
    /// transforms send a failed rollout as a deployment with that outcome). `revision`: `customData.revision` (the
    /// Deployment source's rollout number), for the identity rule.
    static func deploymentsSelect(_ range: String) -> String {
        """
        SELECT coalesce(r.content #>> '{subject,content,artifactId}', r.cd_subject_id) AS deploy_id, r.cd_timestamp AS time_created,
               coalesce(r.content #>> '{customData,name}', r.cd_subject_id) AS deploy_name, r.cd_source, r.cd_id,
               split_part(r.cd_type, '.', 4) AS deploy_type, \(app) AS app, \(environment) AS environment, \(team) AS team,
               \(namespace) AS namespace, \(cluster) AS cluster, nullif(r.content #>> '{customData,commit}', '') AS commit,
               nullif(r.content #>> '{customData,version}', '') AS version,
               coalesce(nullif(r.content #>> '{customData,commit}', ''), nullif(r.content #>> '{customData,version}', ''),
                        nullif(r.content #>> '{subject,content,artifactId}', '')) AS version_key,
               coalesce(r.content #>> '{customData,outcome}' = 'failed', false) AS rollout_failed,
               nullif(r.content #>> '{customData,revision}', '') AS revision
        FROM cdevents_raw r WHERE \(range) AND \(deploymentTypes)
        """
    }
    /// The columns `deploymentsSelect` fills, in its order.
    static let deploymentsColumns = "(deploy_id, time_created, deploy_name, cd_source, cd_id, deploy_type, app, environment, team, namespace, cluster, commit, version, version_key, rollout_failed, revision)"

    /// Pairs incident events into incidents per subject and cluster (the default transforms' subject ids,
    /// `<namespace>/<name>`, repeat across clusters): an `open` event starts an incident unless one is open,
    /// the first `resolved` after it closes it; a resolution with nothing open is ignored.
    static func incidentsSelect(subjectFilter: String?) -> String {
        """
        WITH e AS (
            SELECT *, coalesce(count(*) FILTER (WHERE kind = 'resolved') OVER (
                PARTITION BY subject_id, cluster ORDER BY time_created, kind, cd_source, cd_id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS seg
            FROM incident_events \(subjectFilter.map { "WHERE subject_id IN (\($0))" } ?? "")
        ), op AS (
            SELECT DISTINCT ON (subject_id, cluster, seg) * FROM e WHERE kind = 'open' ORDER BY subject_id, cluster, seg, time_created, kind, cd_source, cd_id
        ), rs AS (
            SELECT subject_id, cluster, seg, time_created FROM e WHERE kind = 'resolved'
        )
        SELECT op.subject_id, op.time_created, rs.time_created, op.cd_source, op.cd_id, op.app, op.environment, op.team, op.namespace, op.cluster,
               CASE WHEN rs.time_created IS NULL THEN NULL ELSE (extract(epoch FROM rs.time_created - op.time_created) / 3600)::float8 END,
               op.link_artifact, op.link_commit, op.link_version, op.link_deployment
        FROM op LEFT JOIN rs USING (subject_id, cluster, seg)
        """
    }
    static let incidentsColumns = "(subject_id, opened_at, resolved_at, open_source, open_id, app, environment, team, namespace, cluster, hours, link_artifact, link_commit, link_version, link_deployment)"

}

extension CursorPosition {
    /// The position as a row value to compare `(r.ingest_xid, r.seq)` with; two integers, so spliced as text.
    var sql: String { "('\(xid)'::xid8, \(id))" }
}
