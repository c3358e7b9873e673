/// One forward-only schema change. Each statement runs as its own query (PostgresNIO's extended protocol takes
/// one statement per query); all statements of a migration and its bookkeeping row commit in one transaction.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

extension Migration {
    /// Every migration Pacer knows, in order. Append only: never edit or reorder a released migration.
    public static let all: [Migration] = [
        .v1EventTables, .v2PipelineState, .v3PipelineConfig, .v4PipelineOutputs, .v5MetricFacts, .v6MetricPending, .v7RouteStats,
        .v8DeploymentFailure, .v9RouteCatchUps, .v10ChangeRepository, .v11DeploymentIdentity,
        .v12NamespaceScope, .v13Cluster, .v14DayValues, .v15HistoryOrder,
    ]
}
