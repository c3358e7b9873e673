import KubeCore
import PacerRules

extension CDEventTransformSpec: CustomResourceSpec {
    public static var resource: ResourceDescriptor { .cdEventTransforms }
}

/// `CDEventTransform.status`.
public struct CDEventTransformStatus: Codable, Sendable, Hashable {
    /// The most recent transform failure.
    public struct LastError: Codable, Sendable, Hashable {
        public var message: String
        /// The id of the CloudEvent that failed.
        public var eventId: String?
        public var time: KubeTime?
        public init(message: String, eventId: String? = nil, time: KubeTime? = nil) {
            self.message = message
            self.eventId = eventId
            self.time = time
        }
    }

    public var conditions: [Condition]?
    public var observedGeneration: Int64?
    /// CDEvents produced since the transform was created.
    public var produced: Int64?
    /// CloudEvents this transform failed on.
    public var failed: Int64?
    public var lastError: LastError?

    public init(
        conditions: [Condition]? = nil, observedGeneration: Int64? = nil, produced: Int64? = nil, failed: Int64? = nil,
        lastError: LastError? = nil
    ) {
        self.conditions = conditions
        self.observedGeneration = observedGeneration
        self.produced = produced
        self.failed = failed
        self.lastError = lastError
    }
}
