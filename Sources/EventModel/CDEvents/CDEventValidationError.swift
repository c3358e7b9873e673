/// Why a CDEvent was refused: the JSON path of the offending field and the reason.
///
/// `description` is `"<path>: <reason>"`, for example
/// `subject.content.artifactId: required by dev.cdevents.service.deployed.0.3.0`. The path uses dots between
/// object keys and `[n]` for array positions (`context.links[0].linkType`); it is empty when the error is about
/// the event as a whole (for example when it is not a JSON object).
public struct CDEventValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem it is, so callers can map errors to responses without parsing the text.
    public enum Kind: String, Sendable, Hashable {
        /// Not the shape of a CDEvent (not an object, a field of the wrong JSON type).
        case malformed
        /// A required field is absent.
        case missing
        /// A field is present but its value is not allowed (empty, bad format, not in the enum).
        case invalidValue
        /// A field the schema does not define (strict validation only, or envelope fields).
        case unknownField
        /// `context.type` is not a CDEvents type Pacer knows (unknown subject/predicate, or bad grammar).
        case unknownType
        /// The subject/predicate is known but the version in `context.type` is not one Pacer accepts.
        case unsupportedVersion
    }

    public var kind: Kind
    /// JSON path of the field (`subject.content.environment.id`); empty for the whole event.
    public var path: String
    public var reason: String

    public init(_ kind: Kind, path: String, _ reason: String) {
        self.kind = kind
        self.path = path
        self.reason = reason
    }

    public var description: String { path.isEmpty ? reason : "\(path): \(reason)" }
}
