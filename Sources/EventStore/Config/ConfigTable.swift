/// A configuration table the reconcilers write; the raw value names the custom resource kind.
public enum ConfigTable: String, Sendable, Hashable, CaseIterable {
    case eventRoutes
    case cdEventTransforms
    case metricDefinitions

    /// The PostgreSQL table name.
    public var tableName: String {
        switch self {
        case .eventRoutes: "pacer_event_routes"
        case .cdEventTransforms: "pacer_cdevent_transforms"
        case .metricDefinitions: "pacer_metric_definitions"
        }
    }
}
