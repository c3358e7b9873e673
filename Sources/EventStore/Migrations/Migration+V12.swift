extension Migration {
    /// Namespace isolation (docs/security.md, "Namespace isolation"): each configuration record says whether its
    /// resource sees every namespace's events (`cluster_wide`, decided by the reconciler from the operator's
    /// namespace and `--cluster-wide-namespace`). Existing rows stay cluster-wide, as before this migration, until
    /// the reconciler writes them again (it does for every resource when it starts).
    static let v12NamespaceScope = Migration(
        version: 12, name: "namespace scope of routes, transforms and metric definitions",
        statements: ["pacer_event_routes", "pacer_cdevent_transforms", "pacer_metric_definitions"].map { table in
            "ALTER TABLE \(table) ADD COLUMN cluster_wide boolean NOT NULL DEFAULT true"
        })
}
