import EventModel
import Foundation
import Expressions
import PacerRules
import PacerCore

/// A Ready MetricDefinition turned into the SQL pieces the calculator runs: where its samples come from, how a
/// bucket's value and sample count aggregate, its selector and groups.
struct MetricPlan: Sendable {
    let namespace: String
    let name: String
    /// The spec as stored (canonical JSON text), recorded in `metric_computed` with the results; for a namespaced
    /// definition followed by its scope, so a definition whose scope changes is computed again in full.
    let specText: String
    /// Whether the definition sees every namespace's facts; false: only those whose `namespace` dimension is its own
    /// namespace (docs/security.md, "Namespace isolation"), as if its selector also held `namespace: <its namespace>`.
    let clusterWide: Bool
    let metric: CompiledMetric
    /// `(SELECT … AS t, app, environment, team, namespace, cluster[, x][, failed]) s`: one row per sample.
    let source: SQLFragment
    /// Touch family in `calc_touch` (the metric, or `custom:<namespace>/<name>` for custom metrics).
    let family: String
    /// Aggregate expressions over `s` for a bucket's value and samples.
    let valueSQL: String
    let samplesSQL: String
    /// Custom metrics: the type condition over `cdevents_raw r` (their touches come from the raw rows).
    let customTypes: SQLFragment?
    /// Counting metrics whose points the incremental path updates in place from signed deltas (`calc_delta`), so a
    /// batch costs the same whatever the history behind it; nil: touched points are aggregated again from the facts.
    let additive: Additive?
    /// Over the columns of `deployments` (or a `calc_deploy_delta` row): whether a deployment counts as a sample
    /// (change failure rate leaves rollbacks out unless `spec.failure.includeRollbacks`), and whether it failed.
    let deploymentIncluded: String
    let deploymentFailed: String
    /// The built-in keys whose points a full computation derives in memory from the deployments pass's samples
    /// (``MemoryPoints``), by the rule ``source`` and ``valueSQL`` state in SQL; nil: computed in SQL.
    let inMemory: InMemory?

    /// What ``MemoryPoints`` computes for a plan, from which samples.
    enum InMemory: Sendable {
        /// ``Additive`` points of the deployments ``includes(_:)`` keeps (failed: ``failed(_:)``).
        case deployments(Additive)
        /// The median of the hours of the `lead_times` rows, or of the resolved `incidents` rows.
        case median(HoursSource)
        /// The median of the hours from each failed deployment to its recovery (``source``'s windows, walked in
        /// memory per history).
        case recoveryTime
        /// The share of deployments that are rework (``source``'s windows, walked in memory per history).
        case reworkRate
    }

    enum HoursSource: Sendable { case leadTimes, restores }

    /// ``deploymentIncluded`` over a sample of the deployments pass: the same rule.
    func includes(_ deployment: PointSamples.Deployment) -> Bool {
        !deployment.facts.duplicate && (metric.metric != .changeFailureRate || metric.includeRollbacks || !deployment.facts.isRollback)
    }

    /// ``deploymentFailed`` over a sample of the deployments pass: the same rule (`open_gap <= window` compares a
    /// float8 with an integer, as a float8).
    func failed(_ deployment: PointSamples.Deployment) -> Bool {
        deployment.failed || withinWindow(deployment.facts.openGap)
    }

    /// `coalesce(open_gap <= <attribution window>, false)`: the opening is attributed to the deployment.
    func withinWindow(_ openGap: Double?) -> Bool {
        openGap.map { $0 <= Double(metric.attributionWindowSeconds) } ?? false
    }

    /// A point of an additive metric is determined by two counts: its deployments (`samples`) and failed ones.
    enum Additive: Sendable {
        /// value = deployments.
        case count
        /// value = failed / deployments.
        case failureRate

        /// The value of a point from its counts: the same float8 expression as the metric's aggregate
        /// (``MetricPlan/valueSQL``), so updated points are byte-identical to recomputed ones.
        func value(deployments: String, failed: String) -> String {
            switch self {
            case .count: return "(\(deployments))::float8"
            case .failureRate: return "(\(failed))::float8 / nullif(\(deployments), 0)::float8"
            }
        }

        /// The failed deployments among the samples `s` of a group (an aggregate).
        var failedAggregate: String {
            switch self {
            case .count: return "0"
            case .failureRate: return "count(*) FILTER (WHERE s.failed)"
            }
        }

        /// The failed deployments of a stored point `p`: a rate times its deployments rounds back to the exact count
        /// (the error of f/n·n is far below one half for any count that fits a float8 mantissa).
        var storedFailed: String {
            switch self {
            case .count: return "0"
            case .failureRate: return "round(p.value * p.samples)::int8"
            }
        }
    }

    var key: String { "\(namespace)/\(name)" }

    /// The dimension columns every source selects after the sample's time.
    static let sampleDimensions = "app, environment, team, namespace, cluster"

    /// Over `deployments` rows with `failed`: the time of the first later deployment of the same app, environment and
    /// cluster that did not fail (NULL: none yet). Its frame is every row after the current one, written in reverse
    /// order so that the frame's start stays at the partition's start: PostgreSQL then extends one running `min` per
    /// history, where a frame whose start moves (`ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING`) is aggregated
    /// again for every row, quadratic in the history (42 s per batch in `hack/bench/pipeline`, 2026-12-03).
    static let nextGoodDeployment = """
        min(time_created) FILTER (WHERE NOT failed) OVER (PARTITION BY app, environment, cluster
            ORDER BY time_created DESC, cd_source DESC, cd_id DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        """

    /// Why a definition cannot be calculated (reported in the log; the definition gets no results).
    struct Unsupported: Error, CustomStringConvertible {
        var description: String
    }

    init(namespace: String, name: String, spec: JSONValue, clusterWide: Bool) throws {
        self.namespace = namespace
        self.name = name
        self.clusterWide = clusterWide
        self.specText = clusterWide ? spec.jsonString() : spec.jsonString() + "\nscope: namespace " + namespace
        let compiled: CompiledMetric
        switch MetricDefinitionSpec.compile(json: spec) {
        case .success(let value): compiled = value
        case .failure(let errors): throw Unsupported(description: "the spec does not compile: \(errors)")
        }
        self.metric = compiled
        let columns = Self.sampleDimensions
        // A duplicate report of a rollout (docs/metrics.md, "One deployment, one count") is never a sample.
        deploymentIncluded = compiled.metric == .changeFailureRate && !compiled.includeRollbacks ? "(NOT duplicate AND NOT is_rollback)" : "(NOT duplicate)"
        deploymentFailed = """
            (rollout_failed OR rolled_back OR incident_failed OR coalesce(open_gap <= \(compiled.attributionWindowSeconds), false))
            """
        switch compiled.metric {
        case .deploymentFrequency:
            source = "(SELECT time_created AS t, \(columns) FROM deployments WHERE NOT duplicate) s"
            valueSQL = "count(*)::float8"
            samplesSQL = "count(*)"
            customTypes = nil
            additive = .count
            inMemory = .deployments(.count)
        case .changeFailureRate:
            source = "(SELECT time_created AS t, \(columns), \(deploymentFailed) AS failed FROM deployments WHERE \(deploymentIncluded)) s"
            valueSQL = "(count(*) FILTER (WHERE s.failed))::float8 / nullif(count(*), 0)::float8"
            samplesSQL = "count(*)"
            customTypes = nil
            additive = .failureRate
            inMemory = .deployments(.failureRate)
        case .leadTimeForChanges:
            source = "(SELECT deploy_time AS t, \(columns), hours AS x FROM lead_times) s"
            valueSQL = "percentile_cont(0.5) WITHIN GROUP (ORDER BY s.x)"
            samplesSQL = "count(*)"
            customTypes = nil
            additive = nil
            inMemory = .median(.leadTimes)
        case .failedDeploymentRecoveryTime:
            source = Self.recoverySource(failed: deploymentFailed, window: compiled.attributionWindowSeconds, from: nil)
            valueSQL = "percentile_cont(0.5) WITHIN GROUP (ORDER BY s.x)"
            samplesSQL = "count(*)"
            customTypes = nil
            additive = nil
            inMemory = .recoveryTime
        case .deploymentReworkRate:
            source = Self.reworkSource(failed: deploymentFailed, window: compiled.attributionWindowSeconds, from: nil)
            valueSQL = "avg(s.x)::float8"
            samplesSQL = "count(*)"
            customTypes = nil
            additive = nil
            inMemory = .reworkRate
        case .timeToRestore:
            // `hours` is NULL exactly when `resolved_at` is (MetricFactSQL's incidents statement).
            source = "(SELECT resolved_at AS t, \(columns), hours AS x FROM incidents WHERE resolved_at IS NOT NULL) s"
            valueSQL = "percentile_cont(0.5) WITHIN GROUP (ORDER BY s.x)"
            samplesSQL = "count(*)"
            customTypes = nil
            additive = nil
            inMemory = .median(.restores)
        case .custom:
            guard let compiledCustom = compiled.custom else {
                throw Unsupported(description: "spec.custom is missing")
            }
            let types = Self.customTypeCondition(compiledCustom.types)
            // compile() accepted where and field only in the subset the calculator computes (ComputedExpression).
            let whereSQL = compiledCustom.computedWhere.map(CustomFieldSQL.condition)
            var fieldNumber: SQLFragment = "NULL::numeric"
            var fieldText: SQLFragment = "NULL::text"
            if let field = compiledCustom.computedField {
                (fieldNumber, fieldText) = CustomFieldSQL.field(field)
            }
            let whereClause: SQLFragment = whereSQL.map { condition -> SQLFragment in " AND (\(condition))" } ?? ""
            source = """
                (SELECT r.cd_timestamp AS t, \(MetricFactSQL.app) AS app, \(MetricFactSQL.environment) AS environment,
                        \(MetricFactSQL.team) AS team, \(MetricFactSQL.namespace) AS namespace, \(MetricFactSQL.cluster) AS cluster, \(fieldNumber) AS x, \(fieldText) AS xt
                 FROM cdevents_raw r WHERE \(types)\(whereClause)) s
                """
            customTypes = types
            additive = nil
            inMemory = nil
            switch compiledCustom.aggregation {
            case .count:
                valueSQL = "count(*)::float8"
                samplesSQL = "count(*)"
            case .countDistinct:
                valueSQL = "count(DISTINCT s.xt)::float8"
                samplesSQL = "count(s.xt)"
            case .sum:
                valueSQL = "sum(s.x)::float8"
                samplesSQL = "count(s.x)"
            case .avg:
                valueSQL = "avg(s.x)::float8"
                samplesSQL = "count(s.x)"
            case .median:
                valueSQL = "percentile_cont(0.5) WITHIN GROUP (ORDER BY s.x::float8)"
                samplesSQL = "count(s.x)"
            case .p90:
                valueSQL = "percentile_cont(0.9) WITHIN GROUP (ORDER BY s.x::float8)"
                samplesSQL = "count(s.x)"
            }
        }
        family = compiled.metric == .custom ? "custom:\(namespace)/\(name)" : compiled.metric.rawValue
    }

    static func customTypeCondition(_ types: [CDEventType]) -> SQLFragment {
        var official: [String] = []
        var custom: [String] = []
        for type in types {
            if type.isCustom {
                custom.append(type.name)
            } else {
                official.append(type.name)
            }
        }
        let parts = [
            official.isEmpty ? nil : MetricFactSQL.typeCondition(official),
            custom.isEmpty ? nil : MetricFactSQL.typeCondition(custom, prefix: CDEventType.customPrefix),
        ].compactMap { $0 }
        return parts.isEmpty ? "false" : "(\(SQLFragment(joining: parts, separator: " OR ")))"
    }

    /// `s.environment = $1 AND …` (the values bound); a selector key that is not a dimension matches nothing. A
    /// namespaced definition adds `s.namespace = <its namespace>` (its own selector may narrow it, never widen it).
    func selectorSQL(alias: String = "s") -> SQLFragment {
        var parts = metric.selector.sorted { $0.key < $1.key }.map { key, value -> SQLFragment in
            guard MetricDefinitionSpec.GroupBy(rawValue: key) != nil else { return "false" }
            return "\(alias).\(key) = \(bind: value)"
        }
        if !clusterWide { parts.append("\(alias).namespace = \(bind: namespace)") }
        return parts.isEmpty ? "true" : SQLFragment(joining: parts, separator: " AND ")
    }

    /// ``selectorSQL(alias:)`` over a sample's dimensions: the same rule.
    func selects(_ dimensions: PointSamples.Dimensions) -> Bool {
        for (key, value) in metric.selector {
            guard let dimension = MetricDefinitionSpec.GroupBy(rawValue: key), dimensions.value(of: dimension) == value else { return false }
        }
        return clusterWide || dimensions.namespace == namespace
    }

    /// ``groupKeySQL(alias:)`` and ``labelsSQL(alias:)`` (as JSON text) over a sample's dimensions.
    func group(of dimensions: PointSamples.Dimensions) -> (key: String, labels: String) {
        guard !metric.groupBy.isEmpty else { return ("", "{}") }
        let values = metric.groupBy.map { ($0.rawValue, dimensions.value(of: $0)) }
        let key = values.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        return (key, Self.jsonbText(values))
    }

    /// An object of string values as PostgreSQL's `jsonb` prints it (`jsonb_build_object(…)::text`): keys ordered by
    /// length, then bytes, the last value of a repeated key kept, `": "` and `", "` between them, strings escaped as
    /// its `escape_json` does. The labels of the points a full computation writes, so that what it computes can be
    /// compared byte for byte with what `metric_points` holds (``MemoryPoints``).
    static func jsonbText(_ pairs: [(String, String)]) -> String {
        var byKey: [String: String] = [:]
        for (key, value) in pairs { byKey[key] = value }
        let keys = byKey.keys.sorted { a, b in
            a.utf8.count != b.utf8.count ? a.utf8.count < b.utf8.count : a.utf8.lexicographicallyPrecedes(b.utf8)
        }
        return "{" + keys.map { jsonbString($0) + ": " + jsonbString(byKey[$0]!) }.joined(separator: ", ") + "}"
    }

    private static func jsonbString(_ string: String) -> String {
        var text = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\u{08}": text += "\\b"
            case "\u{0C}": text += "\\f"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        return text + "\""
    }

    // The group key and labels name fixed dimensions (`GroupBy` cases, not CRD text), spelled as literals: they
    // appear in grouped SELECT lists, where a bound value would not match the same expression elsewhere.

    /// The group key (`app=checkout,environment=prod`) of a sample row; `''` when not grouped.
    func groupKeySQL(alias: String = "s") -> String {
        guard !metric.groupBy.isEmpty else { return "''" }
        return metric.groupBy.enumerated().map { index, dimension in
            "\(SQLFragment.literal((index == 0 ? "" : ",") + dimension.rawValue + "=")) || \(alias).\(dimension.rawValue)"
        }.joined(separator: " || ")
    }

    func labelsSQL(alias: String = "s") -> String {
        guard !metric.groupBy.isEmpty else { return "'{}'::jsonb" }
        let pairs = metric.groupBy.map { "\(SQLFragment.literal($0.rawValue)), \(alias).\($0.rawValue)" }
        return "jsonb_build_object(\(pairs.joined(separator: ", ")))"
    }

    var groupColumns: [String] { metric.groupBy.map { "s.\($0.rawValue)" } }
}
