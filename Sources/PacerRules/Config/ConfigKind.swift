import PacerCore

/// Which of Pacer's custom resources a configuration record comes from (one configuration table each).
public enum ConfigKind: String, Sendable, Hashable, CaseIterable {
    case eventRoutes
    case cdEventTransforms
    case metricDefinitions

    /// Decodes and compiles a `spec` of this kind, as the reconciler does before it marks a resource Ready:
    /// nil when it is valid, otherwise every problem with its field path.
    public func check(_ spec: JSONValue) -> SpecErrors? {
        let result: Result<Void, SpecErrors> =
            switch self {
            case .eventRoutes: EventRouteSpec.compile(json: spec).map { _ in () }
            case .cdEventTransforms: CDEventTransformSpec.compile(json: spec).map { _ in () }
            case .metricDefinitions: MetricDefinitionSpec.compile(json: spec).map { _ in () }
            }
        if case .failure(let errors) = result { return errors }
        return nil
    }
}
