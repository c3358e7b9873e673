extension Migration {
    /// One deployment, one count (docs/metrics.md, "One deployment, one count", issue 11): `deployments.duplicate`
    /// marks a report of a rollout that another source (or replica) reported first; it counts for nothing.
    /// `deployments.revision` (`customData.revision`) keeps two rollouts numbered apart by one source distinct.
    ///
    /// Upgrade in place, as migrations 8 and 10: the facts and results are derived data, so they are emptied and the
    /// `calculate` cursor removed; the calculator derives everything again from `cdevents_raw` (the same rows as
    /// `pacer recompute`).
    static let v11DeploymentIdentity = Migration(
        version: 11, name: "one deployment, one count",
        statements: emptyDerivedFacts + [
            "ALTER TABLE deployments ADD COLUMN duplicate boolean NOT NULL DEFAULT false, ADD COLUMN revision text",
        ])
}
