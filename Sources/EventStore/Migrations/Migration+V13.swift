extension Migration {
    /// The `cluster` dimension (docs/metrics.md, "Clusters", issue 13): every fact table gets the cluster of its
    /// CDEvent (`customData.cluster`), deployments' histories are judged per app, environment and cluster, and a
    /// change is carried once per environment and cluster (the lead-time key gains the cluster).
    ///
    /// Upgrade in place, as migrations 8, 10 and 11: the facts and results are derived data, so they are emptied and
    /// the `calculate` cursor removed; the calculator derives everything again from `cdevents_raw`. CDEvents stored
    /// before this version name no cluster: their cluster is the empty string.
    static let v13Cluster = Migration(
        version: 13, name: "cluster dimension",
        statements: emptyDerivedFacts + ["deployments", "changes", "incident_events", "incidents", "lead_times"].map { table in
            "ALTER TABLE \(table) ADD COLUMN cluster text NOT NULL DEFAULT ''"
        } + [
            "ALTER TABLE lead_times DROP CONSTRAINT lead_times_pkey, ADD PRIMARY KEY (app, sha, environment, cluster)",
        ])
}
