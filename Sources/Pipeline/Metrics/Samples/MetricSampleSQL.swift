import Foundation
import PacerCore
import PacerRules

/// The read statements behind `GET /api/v1/metrics/{namespace}/{name}/samples`: the facts a definition's point or
/// headline is computed from, one JSON item per sample, read from the stored fact tables (`deployments`,
/// `lead_times`, `incidents`; `cdevents_raw` for custom metrics). The failure decision is the plan's own
/// (``MetricPlan/deploymentFailed`` over the stored failure facts), so the listing follows the calculator's rules.
/// What the fact tables do not store (which rollback or incident failed a deployment, which failure a rework
/// deployment remediated) is derived here from the stored facts (``MetricSampleSQL+Deployments.swift``).
///
/// Every shape is a relation `s` with the sample's time `t` (the time the calculator buckets it by), a key `k`
/// unique within the metric (`t`, `k` order the listing and are the paging cursor), the five dimensions, and the
/// columns its item needs.
struct MetricSampleSQL {
    let plan: MetricPlan

    /// The relation of samples, and how a listed row `p` becomes its item.
    struct Shape {
        /// `(SELECT … t, k, app, environment, team, namespace, cluster, …) s`.
        var rows: SQLFragment
        /// Common table expressions after `page` (each starting with `, name AS (`), over `page`.
        var ctes: String = ""
        /// Joins after `FROM page p`.
        var joins: String = ""
        /// The item's JSON expression over `p` and the joins.
        var item: String
    }

    /// The attribution window in seconds (an integer from the compiled spec, spelled as SQL).
    var window: String { String(plan.metric.attributionWindowSeconds) }

    /// A timestamp as an RFC 3339 text in UTC with milliseconds (NULL stays NULL).
    static func ts(_ expression: String) -> String {
        "to_char((\(expression)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    }

    /// The key of a row: its identity columns joined by a unit separator, byte-ordered.
    static func key(_ columns: [String]) -> String {
        "(" + columns.joined(separator: " || chr(31) || ") + ") COLLATE \"C\""
    }

    func shape() throws -> Shape {
        switch plan.metric.metric {
        case .deploymentFrequency, .deploymentReworkRate:
            return deploymentShape(included: "true")
        case .changeFailureRate:
            return deploymentShape(included: plan.deploymentIncluded)
        case .failedDeploymentRecoveryTime:
            return recoveryShape()
        case .leadTimeForChanges:
            return leadTimeShape()
        case .timeToRestore:
            return incidentShape()
        case .custom:
            return try customShape()
        }
    }

    // MARK: - Statements

    /// The conditions every listed sample meets: selector, range, group.
    func filter(_ request: MetricSampleRequest) -> SQLFragment {
        let range: SQLFragment
        switch request.range {
        case .bucket(let start, let end):
            range = "s.t >= \(Self.time(start)) AND s.t < \(Self.time(end))"
        case .headline(let now):
            range = """
                s.t > \(Self.time(now)) - interval '\(String(plan.metric.windowSeconds)) seconds'
                AND s.t <= \(Self.time(now)) + \(MetricPlan.futureTolerance)
                """
        }
        let group: SQLFragment = request.group.isEmpty ? "true" : "\(plan.groupKeySQL(alias: "s")) = \(bind: request.group)"
        return "s.t IS NOT NULL AND \(plan.selectorSQL()) AND \(range) AND \(group)"
    }

    func countQuery(_ shape: Shape, _ request: MetricSampleRequest) -> SQLFragment {
        "SELECT count(*)::int8 FROM \(shape.rows) WHERE \(filter(request))"
    }

    /// Rows `(micros, key, item JSON text)` of one page: at most `limit` samples after the cursor.
    func pageQuery(_ shape: Shape, _ request: MetricSampleRequest) -> SQLFragment {
        var after: SQLFragment = "true"
        if let cursor = request.after {
            after = "(\(Self.micros("s.t")), s.k) > (\(String(cursor.micros))::int8, \(bind: cursor.key) COLLATE \"C\")"
        }
        return """
            WITH page AS MATERIALIZED (
                SELECT s.* FROM \(shape.rows) WHERE \(filter(request)) AND \(after) ORDER BY s.t, s.k LIMIT \(String(max(0, request.limit)))
            )\(shape.ctes)
            SELECT \(Self.micros("p.t")), p.k::text, (\(shape.item))::text FROM page p \(shape.joins)
            ORDER BY p.t, p.k
            """
    }

    static func micros(_ expression: String) -> String { "(extract(epoch FROM \(expression)) * 1000000)::int8" }

    /// A time as SQL: whole microseconds after the epoch (a number, not text; the caller keeps it in years 1…9999).
    static func time(_ date: Date) -> String {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        return "(timestamptz 'epoch' + \(micros)::int8 * interval '1 microsecond')"
    }

    // MARK: - Lead time, time to restore, custom

    /// Per change carried by a deployment (`lead_times`), at the deployment's time.
    func leadTimeShape() -> Shape {
        Shape(
            rows: """
                (SELECT l.*, l.deploy_time AS t, \(Self.key(["l.app", "l.sha", "l.environment", "l.cluster"])) AS k FROM lead_times l) s
                """,
            joins: "LEFT JOIN deployments d ON d.cd_source = p.deploy_source AND d.cd_id = p.deploy_id",
            item: """
                json_build_object('kind', 'change', 'time', \(Self.ts("p.t")), 'sha', p.sha, 'app', p.app, 'environment', p.environment,
                    'team', p.team, 'namespace', p.namespace, 'cluster', p.cluster, 'changeTime', \(Self.ts("p.change_time")), 'deployTime', \(Self.ts("p.deploy_time")),
                    'hours', p.hours, 'deployment', json_build_object('id', p.deploy_id, 'source', p.deploy_source, 'time', \(Self.ts("p.deploy_time")),
                        'name', d.deploy_name, 'artifact', d.deploy_id, 'commit', d.commit, 'version', d.version, 'type', d.deploy_type))
                """)
    }

    /// Per resolved incident (`incidents`), at its resolution.
    func incidentShape() -> Shape {
        Shape(
            rows: """
                (SELECT i.*, i.resolved_at AS t, \(Self.key(["i.open_source", "i.open_id"])) AS k FROM incidents i WHERE i.resolved_at IS NOT NULL) s
                """,
            item: """
                json_build_object('kind', 'incident', 'time', \(Self.ts("p.t")), 'subject', p.subject_id, 'id', p.open_id, 'source', p.open_source,
                    'app', p.app, 'environment', p.environment, 'team', p.team, 'namespace', p.namespace, 'cluster', p.cluster,
                    'openedAt', \(Self.ts("p.opened_at")), 'resolvedAt', \(Self.ts("p.resolved_at")), 'hours', p.hours,
                    'names', json_build_object('artifact', p.link_artifact, 'commit', p.link_commit, 'version', p.link_version,
                        'deployment', p.link_deployment))
                """)
    }

    /// Per CDEvent the custom metric aggregates (the same types, `where` and `field` as the plan), at its timestamp;
    /// only the events that count as samples (numeric aggregations: those whose `field` is a number).
    func customShape() throws -> Shape {
        guard let custom = plan.metric.custom, let types = plan.customTypes else {
            throw MetricSampleError.notComputable("spec.custom is missing")
        }
        let whereClause: SQLFragment = custom.computedWhere.map { condition -> SQLFragment in " AND (\(CustomFieldSQL.condition(condition)))" } ?? ""
        var fieldNumber: SQLFragment = "NULL::numeric"
        var fieldText: SQLFragment = "NULL::text"
        if let field = custom.computedField {
            (fieldNumber, fieldText) = CustomFieldSQL.field(field)
        }
        let counted: String
        switch custom.aggregation {
        case .count: counted = "true"
        case .countDistinct: counted = "xt IS NOT NULL"
        case .sum, .avg, .median, .p90: counted = "x IS NOT NULL"
        }
        return Shape(
            rows: """
                (SELECT * FROM (
                    SELECT r.cd_timestamp AS t, \(Self.key(["r.cd_source", "r.cd_id"])) AS k, r.cd_source, r.cd_id, r.cd_type,
                           \(MetricFactSQL.app) AS app, \(MetricFactSQL.environment) AS environment, \(MetricFactSQL.team) AS team,
                           \(MetricFactSQL.namespace) AS namespace, \(MetricFactSQL.cluster) AS cluster, \(fieldNumber) AS x, \(fieldText) AS xt
                    FROM cdevents_raw r WHERE \(types)\(whereClause)) e WHERE \(counted)) s
                """,
            item: """
                json_build_object('kind', 'event', 'time', \(Self.ts("p.t")), 'id', p.cd_id, 'source', p.cd_source, 'type', p.cd_type,
                    'app', p.app, 'environment', p.environment, 'team', p.team, 'namespace', p.namespace, 'cluster', p.cluster,
                    'value', CASE WHEN p.x IS NOT NULL THEN to_json(p.x::float8) ELSE to_json(p.xt) END)
                """)
    }
}
