import KubeCore
import PacerRules

extension EventRouteSpec: CustomResourceSpec {
    public static var resource: ResourceDescriptor { .eventRoutes }
}

/// `EventRoute.status`.
public struct EventRouteStatus: Codable, Sendable, Hashable {
    public var conditions: [Condition]?
    public var observedGeneration: Int64?
    /// Events that passed the filters and `when` since the route was created.
    public var matchedEvents: Int64?
    public var lastMatchTime: KubeTime?

    public init(
        conditions: [Condition]? = nil, observedGeneration: Int64? = nil, matchedEvents: Int64? = nil,
        lastMatchTime: KubeTime? = nil
    ) {
        self.conditions = conditions
        self.observedGeneration = observedGeneration
        self.matchedEvents = matchedEvents
        self.lastMatchTime = lastMatchTime
    }
}
