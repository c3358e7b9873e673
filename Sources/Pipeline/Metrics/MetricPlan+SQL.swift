import PacerRules

/// The result statements of a plan. Buckets are `date_trunc` in the transaction's time zone, which the calculator
/// sets to UTC (`MetricFactStore.lockCursor`): the same starts as `date_trunc(…, 'UTC')`, at half the cost.
/// A bucket's value is always aggregated from all of its samples in the fact
/// tables, whether all buckets are rebuilt (recompute, new definition) or only those listed in the temporary table
/// `calc_keys` (incremental), so both paths write identical rows; counts are summed (additive metrics update their
/// points by the batch's deltas, ``deltaUpsert(_:)``; deployment rework rate sums its weeks, months and years from its
/// day points, ``pointsFromDays()``), which gives the same counts.
extension MetricPlan {
    typealias Bucket = MetricDefinitionSpec.Bucket

    /// More than one bucket length: an upper bound for the index range scan (the exact test is the key list).
    static func span(_ bucket: Bucket) -> String {
        switch bucket {
        case .day: return "2 days"
        case .week: return "8 days"
        case .month: return "32 days"
        case .year: return "367 days"
        }
    }

    private var groupedKeySQL: String {
        groupColumns.isEmpty ? "''" : "CASE WHEN GROUPING(\(groupColumns[0])) = 1 THEN '' ELSE \(groupKeySQL()) END"
    }

    private var groupedLabelsSQL: String {
        groupColumns.isEmpty ? "'{}'::jsonb" : "CASE WHEN GROUPING(\(groupColumns[0])) = 1 THEN '{}'::jsonb ELSE \(labelsSQL()) END"
    }

    private func grouping(_ expression: String?) -> String {
        let base = expression.map { "(\($0))" } ?? "()"
        guard !groupColumns.isEmpty else { return expression.map { "GROUP BY \($0)" } ?? "" }
        let inner = ([expression].compactMap { $0 } + groupColumns).joined(separator: ", ")
        return "GROUP BY GROUPING SETS (\(base), (\(inner)))"
    }

    /// Rebuilds the points whose keys are in `calc_keys`, every bucket size in one statement, with the aggregates
    /// ``pointsInsertAll(into:)`` computes, so a touched point is the row a full computation writes.
    ///
    /// Each bucket size aggregates, overall and per group, the samples from its own earliest touched start to the end
    /// of its latest touched bucket, so every touched point aggregates all of its samples; the touched keys are then
    /// kept. One grouping over the earliest touched start of any size (a year's start when its year is touched) would
    /// aggregate every day, week and month of that year again: 2.1 s per batch for lead time at 400,000 deployments.
    /// The range of each size lets an index on the samples' time narrow its scan first.
    ///
    /// The two keys computed with windows over the histories (``windowed``) evaluate them once per statement, from the
    /// earliest touched start (``source(from:)``), into `src`, which every bucket size reads: per size, the windows
    /// would run again for each.
    ///
    /// Deployment rework rate (``composedFromDays``) aggregates only its touched days so; its touched weeks, months and
    /// years are then summed from its day points (``pointsFromDays()``), so a batch in a long history does not
    /// evaluate the windows over a whole year. The medians (``keepsDayValues``) likewise: their touched weeks, months
    /// and years take the median of their days' values (``mediansFromDays()``).
    func pointsInsertTouched() -> [SQLFragment] {
        if composedFromDays { return [pointsInsertTouched(buckets: [.day]), pointsFromDays()] }
        if keepsDayValues && metric.buckets.contains(where: { $0 != .day }) { return [pointsInsertTouched(buckets: [.day]), mediansFromDays()] }
        return [pointsInsertTouched(buckets: metric.buckets)]
    }

    /// The three medians (lead time, failed deployment recovery time, time to restore) with day points keep each day
    /// point's sample values in ascending order (`day_values`): a longer bucket's samples are its days' samples, so its
    /// median is `percentile_cont(0.5)` over its days' values, the same multiset of values a full computation sorts.
    var keepsDayValues: Bool {
        [.leadTimeForChanges, .failedDeploymentRecoveryTime, .timeToRestore].contains(metric.metric) && metric.buckets.contains(.day)
    }

    /// The `day_values` aggregate of a point: the samples' values in ascending order on a day point of a plan that
    /// ``keepsDayValues`` (`day`: whether the row is a day point, SQL), else NULL.
    private func dayValuesSQL(day: String) -> String {
        keepsDayValues ? "CASE WHEN \(day) THEN array_agg(s.x ORDER BY s.x) END" : "NULL::float8[]"
    }

    /// The touched keys of `calc_keys` longer than a day of a plan that ``keepsDayValues``, from its day points of the
    /// same group (written first): the median over the days' values and their count; a key with no value gets no point,
    /// as a full computation writes none.
    func mediansFromDays() -> SQLFragment {
        let (keys, days) = longKeysAndTheirDays
        return """
            INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples)
            SELECT \(ownerValues), k.bucket, k.bucket_start, k.group_key, m.labels, m.value, m.samples
            FROM \(keys) CROSS JOIN LATERAL (
                SELECT (SELECT p.labels FROM metric_points p WHERE \(days) LIMIT 1) AS labels,
                       percentile_cont(0.5) WITHIN GROUP (ORDER BY v) AS value, count(v) AS samples
                FROM metric_points p CROSS JOIN LATERAL unnest(p.day_values) v
                WHERE \(days)
            ) m
            WHERE m.samples > 0
            ORDER BY k.bucket, k.group_key, k.bucket_start
            """
    }

    /// For ``pointsFromDays()`` and ``mediansFromDays()``: the touched keys longer than a day, once each (`k`; a key
    /// pending from a deferred step can also be one the batch touched, so `calc_keys` may hold it twice), and the
    /// condition on a point `p` that it is a day point of the plan in key `k`'s group and bucket.
    private var longKeysAndTheirDays: (keys: SQLFragment, days: SQLFragment) {
        let long = metric.buckets.filter { $0 != .day }
        let lengths = long.map { "WHEN '\($0.rawValue)' THEN interval '1 \($0.rawValue)'" }.joined(separator: " ")
        let names = long.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        return (
            "(SELECT DISTINCT bucket, bucket_start, group_key FROM calc_keys WHERE bucket IN (\(names))) k",
            """
            (p.namespace, p.name, p.bucket, p.group_key) = (\(ownerValues), 'day', k.group_key)
                  AND p.bucket_start >= k.bucket_start AND p.bucket_start < k.bucket_start + CASE k.bucket \(lengths) END
            """
        )
    }

    /// Deployment rework rate's value is a rate of counted deployments (`avg` of 1.0 and 0.0: the flagged ones as a
    /// float8 over all as a float8), so a week, month or year is determined by the counts of its days.
    var composedFromDays: Bool {
        metric.metric == .deploymentReworkRate && metric.buckets.contains(.day) && metric.buckets.contains { $0 != .day }
    }

    /// The touched keys of `calc_keys` longer than a day (once each), from the plan's day points of the same group
    /// (written first): the deployments are the days' samples summed, the flagged ones each day's rate times its
    /// samples, rounded (exact: ``Additive/storedFailed``), summed; the value the same float8 division `avg` makes. A
    /// key with no day point gets no point, as a full computation writes none.
    func pointsFromDays() -> SQLFragment {
        let (keys, days) = longKeysAndTheirDays
        return """
            INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples)
            SELECT \(ownerValues), k.bucket, k.bucket_start, k.group_key, (array_agg(p.labels))[1],
                   sum(round(p.value * p.samples))::float8 / sum(p.samples)::float8, sum(p.samples)::int8
            FROM \(keys) CROSS JOIN LATERAL (SELECT p.labels, p.value, p.samples FROM metric_points p WHERE \(days)) p
            GROUP BY k.bucket, k.bucket_start, k.group_key
            ORDER BY k.bucket, k.group_key, k.bucket_start
            """
    }

    /// ``pointsInsertTouched()`` for the keys of `buckets` only.
    private func pointsInsertTouched(buckets: [Bucket]) -> SQLFragment {
        var parts: [SQLFragment] = []
        var prefix: SQLFragment = ""
        if windowed {
            let ofBuckets = "FROM calc_keys WHERE bucket IN (\(buckets.map { "'\($0.rawValue)'" }.joined(separator: ", ")))"
            let lower = "(SELECT min(bucket_start) \(ofBuckets))"
            let spans = buckets.map { "WHEN '\($0.rawValue)' THEN interval '\(Self.span($0))'" }.joined(separator: " ")
            let touched = buckets.map { "date_trunc('\($0.rawValue)', s.t) IN (SELECT bucket_start FROM calc_keys WHERE bucket = '\($0.rawValue)')" }
            prefix = """
                WITH src AS MATERIALIZED (
                    SELECT s.* FROM \(source(from: lower))
                    WHERE s.t IS NOT NULL AND \(selectorSQL()) AND s.t >= \(lower)
                      AND s.t < (SELECT max(bucket_start + CASE bucket \(spans) END) \(ofBuckets)) AND (\(touched.joined(separator: " OR ")))
                )

                """
        }
        for bucket in buckets {
            let keys = "FROM calc_keys WHERE bucket = '\(bucket.rawValue)'"
            let lower = "(SELECT min(bucket_start) \(keys))"
            let sets = groupColumns.isEmpty ? "(s.bs)" : "(s.bs), (s.bs, \(groupColumns.joined(separator: ", ")))"
            parts.append("""
                SELECT '\(bucket.rawValue)'::text AS bucket, s.bs, \(groupedKeySQL) AS gk, \(groupedLabelsSQL) AS labels,
                       \(valueSQL) AS value, \(samplesSQL) AS samples, \(dayValuesSQL(day: bucket == .day ? "true" : "false")) AS day_values
                FROM (
                    SELECT s.*, date_trunc('\(bucket.rawValue)', s.t) AS bs FROM \(windowed ? "src s" : source(from: lower))
                    WHERE s.t IS NOT NULL AND \(selectorSQL()) AND s.t >= \(lower)
                      AND s.t < (SELECT max(bucket_start) \(keys)) + interval '\(Self.span(bucket))'
                ) s
                GROUP BY GROUPING SETS (\(sets))
                """)
        }
        return """
            \(prefix)INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples, day_values)
            SELECT \(ownerValues), p.bucket, p.bs, p.gk, p.labels, p.value, p.samples, p.day_values
            FROM (\(SQLFragment(joining: parts, separator: "\nUNION ALL\n"))) p
            WHERE (p.bucket, p.bs, p.gk) IN (SELECT bucket, bucket_start, group_key FROM calc_keys)
            ORDER BY p.bucket, p.gk, p.bs
            """
    }

    /// `INSERT INTO table` the points of every bucket size aggregated from every sample (with the metric's own
    /// aggregates).
    private func aggregatedPointsInsert(into table: String, ordered: Bool) -> SQLFragment {
        """
        INSERT INTO \(table) (namespace, name, bucket, bucket_start, group_key, labels, value, samples, day_values)
        SELECT \(ownerValues), p.bucket, p.bs, p.gk, p.labels, p.value, p.samples, p.day_values
        FROM (\(allBucketsSelect(
            aggregates: "\(valueSQL) AS value, \(samplesSQL) AS samples, \(dayValuesSQL(day: "GROUPING(s.b_day) = 0")) AS day_values", from: source))) p
        \(ordered ? "ORDER BY p.bucket, p.gk, p.bs" : "")
        """
    }

    /// Groups the rows of `rows` (a relation of samples `s` with time `t`) by every bucket size of the metric, and
    /// by bucket size and group: `SELECT <bucket, bs, gk, labels> , <aggregates> FROM … GROUP BY GROUPING SETS …`.
    private func allBucketsSelect(aggregates: String, from rows: SQLFragment) -> SQLFragment {
        let buckets = metric.buckets.map(\.rawValue)
        let starts = buckets.map { "date_trunc('\($0)', s.t) AS b_\($0)" }.joined(separator: ", ")
        let bucketName = "CASE " + buckets.map { "WHEN GROUPING(s.b_\($0)) = 0 THEN '\($0)'" }.joined(separator: " ") + " END"
        let start = "coalesce(" + buckets.map { "s.b_\($0)" }.joined(separator: ", ") + ")"
        let sets = buckets.flatMap { bucket -> [String] in
            groupColumns.isEmpty ? ["(s.b_\(bucket))"] : ["(s.b_\(bucket))", "(" + (["s.b_\(bucket)"] + groupColumns).joined(separator: ", ") + ")"]
        }
        return """
            SELECT \(bucketName) AS bucket, \(start) AS bs, \(groupedKeySQL) AS gk, \(groupedLabelsSQL) AS labels, \(aggregates)
            FROM (SELECT s.*, \(starts) FROM \(rows) WHERE s.t IS NOT NULL AND \(selectorSQL())) s
            GROUP BY GROUPING SETS (\(sets.joined(separator: ", ")))
            """
    }

    /// Rebuilds every point of every bucket size in one statement: one pass over the samples, one grouping set per
    /// bucket size (and per bucket size and group). ``pointsInsertTouched()`` rebuilds some of them with the same aggregates.
    /// Additive metrics count per day (and group) once and sum the days into weeks, months and years.
    ///
    /// `into` another table than `metric_points` (the full recompute's unindexed staging table): the rows are written
    /// in no particular order (the order only keeps the primary key's insertions local).
    func pointsInsertAll(into table: String = "metric_points") -> SQLFragment {
        let ordered = table == "metric_points"
        if let additive { return pointsInsertAll(additive, into: table, ordered: ordered) }
        return aggregatedPointsInsert(into: table, ordered: ordered)
    }

    private func pointsInsertAll(_ additive: Additive, into table: String, ordered: Bool) -> SQLFragment {
        let buckets = metric.buckets.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let grouping = groupColumns.isEmpty ? "GROUP BY 1" : "GROUP BY GROUPING SETS ((1), (1, \(groupColumns.joined(separator: ", "))))"
        return """
            INSERT INTO \(table) (namespace, name, bucket, bucket_start, group_key, labels, value, samples)
            SELECT \(ownerValues), r.bucket, r.bs, r.gk, r.labels,
                   \(additive.value(deployments: "r.n", failed: "r.f")), r.n
            FROM (
                SELECT b.bucket, date_trunc(b.bucket, d.day) AS bs, d.gk, d.labels, sum(d.n)::int8 AS n, sum(d.f)::int8 AS f
                FROM (
                    SELECT date_trunc('day', s.t) AS day, \(groupedKeySQL) AS gk, \(groupedLabelsSQL) AS labels, count(*) AS n,
                           \(additive.failedAggregate) AS f
                    FROM \(source) WHERE s.t IS NOT NULL AND \(selectorSQL()) \(grouping)
                ) d CROSS JOIN unnest(ARRAY[\(buckets)]::text[]) AS b(bucket)
                GROUP BY 1, 2, 3, 4
            ) r
            \(ordered ? "ORDER BY r.bucket, r.gk, r.bs" : "")
            """
    }

    /// Additive metrics: adds this batch's signed deltas to the points they fall in, every bucket size, per group and
    /// overall; returns how many points changed. The deltas are the deployment rows the batch changed
    /// (`calc_deploy_delta`: -1 as they were, +1 as they are), counted with this plan's own rule (included, failed).
    /// A point's new counts are its stored counts plus the deltas, and its value is derived from the counts exactly
    /// as a recompute derives it. A point whose deployments drop to zero (a deployment became a rollback that the
    /// rate leaves out) is deleted, as a recompute would not write it.
    func deltaUpsert(_ additive: Additive) -> SQLFragment {
        // Summed per day and dimensions first: every longer bucket starts at a UTC midnight, so the grouping sets
        // then see a few rows per app instead of one per fact (the batch's rows mostly share a few days).
        let rows: SQLFragment = """
            (SELECT date_trunc('day', t) AS t, app, environment, team, namespace, cluster,
                    sum(sign * (\(deploymentIncluded))::int)::int8 AS dn,
                    sum(sign * (\(deploymentIncluded) AND \(additive == .failureRate ? deploymentFailed : "false"))::int)::int8 AS df
             FROM calc_deploy_delta GROUP BY 1, 2, 3, 4, 5, 6) s
            """
        return """
            WITH d AS (\(allBucketsSelect(aggregates: "sum(s.dn)::int8 AS dn, sum(s.df)::int8 AS df", from: rows))),
            n AS (
                SELECT d.bucket, d.bs, d.gk, d.labels, coalesce(p.samples, 0) + d.dn AS deployments, coalesce(\(additive.storedFailed), 0) + d.df AS failed
                FROM d LEFT JOIN LATERAL (
                    -- One primary-key lookup per touched point: LIMIT 1 (the key is unique) keeps the planner from
                    -- turning this into a hash join that reads all of the definition's points in every batch.
                    SELECT p.value, p.samples FROM metric_points p
                    WHERE (p.namespace, p.name, p.bucket, p.group_key, p.bucket_start) = (\(ownerValues), d.bucket, d.gk, d.bs)
                    LIMIT 1
                ) p ON true
                WHERE d.dn <> 0 OR d.df <> 0
            ), up AS (
                INSERT INTO metric_points AS p (namespace, name, bucket, bucket_start, group_key, labels, value, samples)
                SELECT \(ownerValues), n.bucket, n.bs, n.gk, n.labels, \(additive.value(deployments: "n.deployments", failed: "n.failed")), n.deployments
                FROM n WHERE n.deployments > 0 ORDER BY n.bucket, n.gk, n.bs
                ON CONFLICT (namespace, name, bucket, group_key, bucket_start) DO UPDATE SET value = EXCLUDED.value, samples = EXCLUDED.samples
                RETURNING 1
            ), gone AS (
                DELETE FROM metric_points p USING n
                WHERE n.deployments <= 0 AND (p.namespace, p.name, p.bucket, p.group_key, p.bucket_start) = (\(ownerValues), n.bucket, n.gk, n.bs)
                RETURNING 1
            ) SELECT (SELECT count(*) FROM up) + (SELECT count(*) FROM gone)
            """
    }

    /// Deletes the plan's points: all, or (`restricted`) those whose key is in `calc_keys`.
    func pointsDelete(restricted: Bool) -> SQLFragment {
        let owner: SQLFragment = "p.namespace = \(bind: namespace) AND p.name = \(bind: name)"
        guard restricted else { return "DELETE FROM metric_points p WHERE \(owner)" }
        return """
            DELETE FROM metric_points p USING calc_keys k
            WHERE \(owner) AND p.bucket = k.bucket AND p.bucket_start = k.bucket_start AND p.group_key = k.group_key
            """
    }

    /// The plan's `namespace, name` as bound values, and as a condition on a row of `metric_pending`.
    private var ownerValues: SQLFragment { "\(bind: namespace), \(bind: name)" }
    private var ownerCondition: SQLFragment { "namespace = \(bind: namespace) AND name = \(bind: name)" }

    /// Records the keys in `calc_keys` as pending (to be aggregated by a later step).
    func pendingInsert() -> SQLFragment {
        """
        INSERT INTO metric_pending (namespace, name, bucket, bucket_start, group_key)
        SELECT \(ownerValues), bucket, bucket_start, group_key FROM calc_keys
        ON CONFLICT DO NOTHING
        """
    }

    /// Moves the plan's pending keys into `calc_keys`; returns how many.
    func pendingTake() -> SQLFragment {
        """
        WITH moved AS (DELETE FROM metric_pending WHERE \(ownerCondition) RETURNING bucket, bucket_start, group_key),
        ins AS (INSERT INTO calc_keys (bucket, bucket_start, group_key) SELECT * FROM moved RETURNING 1)
        SELECT count(*) FROM ins
        """
    }

    /// Forgets the plan's pending keys (a full computation covers them).
    func pendingDelete() -> SQLFragment { "DELETE FROM metric_pending WHERE \(ownerCondition)" }

    /// Fills `calc_keys` with the (bucket, start, group) keys the touch points of this plan's family reach; returns
    /// how many.
    func keysInsert() -> SQLFragment {
        let buckets = metric.buckets.map { "'\($0.rawValue)'" }.joined(separator: ", ")
        let groups = groupColumns.isEmpty ? "('')" : "(''), (\(groupKeySQL()))"
        return """
            WITH ins AS (
                INSERT INTO calc_keys (bucket, bucket_start, group_key)
                SELECT DISTINCT b.bucket, date_trunc(b.bucket, s.t), g.gk
                FROM calc_touch s CROSS JOIN unnest(ARRAY[\(buckets)]::text[]) AS b(bucket) CROSS JOIN LATERAL (VALUES \(groups)) AS g(gk)
                WHERE s.family = \(bind: family) AND s.t IS NOT NULL AND \(selectorSQL())
                RETURNING 1
            ) SELECT count(*) FROM ins
            """
    }

    /// Custom metrics: touch points from the raw rows in the range.
    func customTouches(range: String) -> SQLFragment? {
        guard let customTypes else { return nil }
        return """
            INSERT INTO calc_touch SELECT \(bind: family), r.cd_timestamp, \(MetricFactSQL.app), \(MetricFactSQL.environment),
                \(MetricFactSQL.team), \(MetricFactSQL.namespace), \(MetricFactSQL.cluster)
            FROM cdevents_raw r WHERE \(range) AND \(customTypes)
            """
    }

    /// Facts stamped up to `futureTolerance` after `now` count as now: a source's clock a little ahead (or a
    /// timestamp rounded up to the second) must not keep a fresh deployment out of the headline.
    static let futureTolerance = "interval '5 minutes'"

    /// `now` is a timestamp literal, not a bound value: the frequency query groups by an expression containing
    /// it, and a grouped expression must be spelled the same in SELECT and GROUP BY (two binds would not be).
    private func windowFilter(now: String) -> SQLFragment {
        "s.t IS NOT NULL AND \(selectorSQL()) AND s.t > \(windowStart(now: now)) AND s.t <= \(now)::timestamptz + \(Self.futureTolerance)"
    }

    /// The start of the headline's window ending `now` (excluded from it).
    private func windowStart(now: String) -> String { "\(now)::timestamptz - interval '\(metric.windowSeconds) seconds'" }

    /// The headline per group over the window ending `now`: (group_key, labels, value, samples), from
    /// ``source(from:)`` at the window's start.
    func headlineQuery(now: String) -> SQLFragment {
        """
        SELECT \(groupedKeySQL), (\(groupedLabelsSQL))::text, \(valueSQL), \(samplesSQL)
        FROM \(source(from: windowStart(now: now))) WHERE \(windowFilter(now: now)) \(grouping(nil))
        """
    }

    /// Deployment frequency: per group and week of the window (counted back from `now`), the distinct days (24 h
    /// counted back from `now`) with a deployment and the deployments: (group_key, labels, week, days, deployments).
    func frequencyHeadlineQuery(now: String) -> SQLFragment {
        let week = "greatest(0, floor(extract(epoch FROM \(now)::timestamptz - s.t) / 604800))::int8"
        let day = "greatest(0, floor(extract(epoch FROM \(now)::timestamptz - s.t) / 86400))"
        return """
            SELECT \(groupedKeySQL), (\(groupedLabelsSQL))::text, \(week), count(DISTINCT \(day)), count(*)
            FROM \(source) WHERE \(windowFilter(now: now)) \(grouping(week))
            """
    }
}
