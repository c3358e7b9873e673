/// Which custom resource a configuration record comes from (one configuration table each).
///
/// The raw values equal `EventStore.ConfigTable`'s, so the app adapts with `ConfigTable(rawValue: kind.rawValue)`.
public enum PipelineConfigKind: String, Sendable, Hashable, CaseIterable {
    case eventRoutes
    case cdEventTransforms
    case metricDefinitions
}
