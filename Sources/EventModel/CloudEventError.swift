/// Why an incoming CloudEvent (or a request carrying CloudEvents) was refused.
///
/// Every error names the offending attribute (or HTTP header) and says why, so that a sender can fix the event
/// without reading Pacer's source. In a batch, `index` is the position of the offending event.
public struct CloudEventError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        /// The body could not be read as the declared format (not JSON, wrong top-level type).
        case malformed
        /// An attribute is missing or has an invalid value.
        case invalid
        /// The content type is not one Pacer reads (for example `application/cloudevents+xml`).
        case unsupportedMediaType
    }

    public var kind: Kind
    /// The attribute (`id`, `time`, an extension name) or header the error is about, if any.
    public var attribute: String?
    public var reason: String
    /// Position of the event in a batch.
    public var index: Int?

    public init(_ kind: Kind, attribute: String? = nil, _ reason: String, index: Int? = nil) {
        self.kind = kind
        self.attribute = attribute
        self.reason = reason
        self.index = index
    }

    public var description: String {
        var text = ""
        if let index { text += "event [\(index)]: " }
        if let attribute { text += "\(attribute): " }
        return text + reason
    }

    func at(index: Int) -> CloudEventError {
        var copy = self
        copy.index = index
        return copy
    }
}
