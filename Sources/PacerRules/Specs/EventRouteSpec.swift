import PacerCore

/// `EventRoute.spec`: which stored CloudEvents go to which transforms.
public struct EventRouteSpec: Codable, Sendable, Hashable {
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
