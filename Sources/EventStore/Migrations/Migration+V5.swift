extension Migration {
    /// The calculator's fact tables (owned by the calculator; see docs/metrics.md).
    static let v5MetricFacts = Migration(version: 5, name: "metric facts", statements: [])
}
