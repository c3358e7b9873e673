extension Migration {
    /// `metric_points.day_values`: a day point of a median (lead time, failed deployment recovery time, time to
    /// restore) keeps its samples' values in ascending order, so a batch takes a touched week's, month's or year's
    /// median over its days' values instead of aggregating every sample of that bucket again (docs/metrics.md,
    /// "Incremental calculation"). NULL for every other point.
    ///
    /// The points computed before lack the values: every definition is computed in full again from the kept facts at
    /// the calculator's next step (its `metric_computed` row removed), without re-deriving the facts.
    static let v14DayValues = Migration(
        version: 14, name: "median day values",
        statements: [
            "ALTER TABLE metric_points ADD COLUMN day_values double precision[]",
            // Sample values hardly compress: stored out of line as they are, without trying (pglz) on every write.
            "ALTER TABLE metric_points ALTER COLUMN day_values SET STORAGE EXTERNAL",
            "DELETE FROM metric_pending",
            "DELETE FROM metric_computed",
        ])
}
