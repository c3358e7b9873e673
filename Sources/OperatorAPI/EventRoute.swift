import KubeCore
import PacerCore

/// `EventRoute.spec`: which stored CloudEvents go to which transforms.
public struct EventRouteSpec: CustomResourceSpec {
    public static var resource: ResourceDescriptor { .eventRoutes }

    /// CloudEvents Subscriptions API filters (`exact`, `prefix`, `suffix`, `all`, `any`, `not`), ANDed together.
    /// Kept as raw JSON because the dialects nest; ``EventFilter/init(json:path:)`` parses them.
    public var filters: [JSONValue]?
    /// An optional bool expression over the whole CloudEvent, including `data`.
    public var when: String?
    /// Names of CDEventTransforms (same namespace) each matching event is handed to.
    public var transforms: [String]

    public init(filters: [JSONValue]? = nil, when: String? = nil, transforms: [String]) {
        self.filters = filters
        self.when = when
        self.transforms = transforms
    }
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
