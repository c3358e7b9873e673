/// Why a CDEventTransform could not turn a CloudEvent into a CDEvent: the spec field that failed and the reason.
///
/// `description` is `"<field>: <reason>"`, e.g. `spec.subject.id: 1:6: no such key: name` or
/// `subject.content.environment.id: must not be empty`; it is what `pipeline_errors.message` and the
/// transform's `status.lastError` show.
public struct TransformError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is.
    public enum Kind: String, Sendable, Hashable {
        /// An expression failed to evaluate (missing key, bad overload, …).
        case evaluation
        /// An expression produced a value of the wrong type for its field.
        case wrongType
        /// A required field came out empty or null.
        case missing
        /// The timestamp is not a timestamp or an RFC 3339 date-time.
        case badTimestamp
        /// The assembled CDEvent fails CDEvents v0.5.1 validation.
        case invalidCDEvent
        /// The CloudEvent itself could not be read.
        case badCloudEvent
    }

    public var kind: Kind
    /// The spec field (`spec.subject.id`, `spec.customData`) or CDEvent path (`subject.content.artifactId`).
    public var field: String
    public var reason: String

    public init(_ kind: Kind, field: String, _ reason: String) {
        self.kind = kind
        self.field = field
        self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "\(field): \(reason)" }
}
