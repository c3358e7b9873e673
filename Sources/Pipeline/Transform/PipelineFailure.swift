import Foundation

/// A `pipeline_errors` row: one (CloudEvent, route or transform) that failed; never retried.
public struct PipelineFailure: Sendable, Hashable {
    /// Which stage failed (`route`, `transform`). Errors of stage `transform` count as failures of the
    /// transform named by `component` in `pipeline_transform_stats`.
    public var stage: String
    public var eventId: Int64?
    public var cloudEventSource: String?
    public var cloudEventId: String?
    /// `namespace/name` of the route or transform.
    public var component: String
    public var message: String
    public var occurredAt: Date

    public init(
        stage: String, eventId: Int64?, cloudEventSource: String?, cloudEventId: String?, component: String, message: String,
        occurredAt: Date = Date()
    ) {
        self.stage = stage
        self.eventId = eventId
        self.cloudEventSource = cloudEventSource
        self.cloudEventId = cloudEventId
        self.component = component
        self.message = message
        self.occurredAt = occurredAt
    }
}
