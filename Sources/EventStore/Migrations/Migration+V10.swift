extension Migration {
    /// Lead time counts every change (docs/metrics.md, "Lead time for changes", issue 11): a change is carried by
    /// the first deployment of its app whose deployed commit is that change or a change of the same app (and the
    /// same repository, when both are known) merged after it. `changes` gets the change's `repository`
    /// (`customData.repository`, else `subject.content.repository.source`).
    ///
    /// Upgrade in place, as migration 8: the facts and results are derived data, so they are emptied and the
    /// `calculate` cursor removed; the calculator then derives everything again from `cdevents_raw` with the new rule
    /// (the same rows as `pacer recompute`).
    static let v10ChangeRepository = Migration(
        version: 10, name: "every change counted",
        statements: emptyDerivedFacts + [
            "ALTER TABLE changes ADD COLUMN repository text",
        ])
}
