import PacerCore

/// `CDEventTransform.spec`: how a CloudEvent becomes a CDEvent. Every field except `output.type` is an
/// expression over the CloudEvent (see docs/expressions.md).
public struct CDEventTransformSpec: Codable, Sendable, Hashable {
    /// What is produced.
    public struct Output: Codable, Sendable, Hashable {
        /// A CDEvents type with version, e.g. `dev.cdevents.service.deployed.0.3.0`.
        public var type: String
        public init(type: String) { self.type = type }
    }

    /// Expressions for the CDEvent subject.
    public struct Subject: Codable, Sendable, Hashable {
        /// Expression for `subject.id` (string).
        public var id: String
        /// Expression for `subject.source`; when absent the CDEvent has no subject source.
        public var source: String?
        /// Field name → expression string, or → an object of field name → expression (e.g. `environment: {id, source}`).
        public var content: [String: JSONValue]?

        public init(id: String, source: String? = nil, content: [String: JSONValue]? = nil) {
            self.id = id
            self.source = source
            self.content = content
        }
    }

    public var output: Output
    /// Expression for `context.source`; default: the CloudEvent's `source`.
    public var source: String?
    public var subject: Subject
    /// Expression for `customData` (any JSON value).
    public var customData: String?
    /// Expression for `context.timestamp` (a timestamp or RFC 3339 string); default: the CloudEvent's `time`.
    public var timestamp: String?
    /// Expression for the CDEvent's identity (a string): the CDEvent id is derived from it and the transform instead
    /// of from the CloudEvent's source and id, so several CloudEvents about the same change (a Knative
    /// ApiServerSource `update` per status change, a webhook redelivered with a new id) give one CDEvent.
    public var id: String?
    /// Fan-out: an expression yielding a list; the transform then makes one CDEvent per element, with the element
    /// bound to the variable `item` and its position (from 0) to `itemIndex` in every other expression (e.g.
    /// `data.commits` of a GitHub push: one `change.merged` per commit). Nil: one CDEvent per CloudEvent.
    public var forEach: String?

    public init(
        output: Output, source: String? = nil, subject: Subject, customData: String? = nil, timestamp: String? = nil,
        id: String? = nil, forEach: String? = nil
    ) {
        self.output = output
        self.source = source
        self.subject = subject
        self.customData = customData
        self.timestamp = timestamp
        self.id = id
        self.forEach = forEach
    }
}
