import Foundation
import PacerCore

/// A CloudEvents v1.0 event, as received or produced by Pacer.
///
/// Context attributes are stored as their canonical strings (CloudEvents type system); `time` keeps the
/// sender's text so re-serialising an event never changes it, and `timestamp` gives the parsed value.
public struct CloudEvent: Sendable, Hashable {
    public var id: String
    public var source: String
    public var specversion: String
    public var type: String
    public var datacontenttype: String?
    public var dataschema: String?
    public var subject: String?
    /// RFC 3339 text as sent.
    public var time: String?
    /// Extension attributes by (lower-case alphanumeric) name. JSON-format events keep their JSON type
    /// (string, number, boolean); binary-mode headers always give strings.
    public var extensions: [String: JSONValue]
    public var data: CloudEventData?

    public init(
        id: String, source: String, type: String, specversion: String = "1.0", datacontenttype: String? = nil,
        dataschema: String? = nil, subject: String? = nil, time: String? = nil, extensions: [String: JSONValue] = [:],
        data: CloudEventData? = nil
    ) {
        self.id = id
        self.source = source
        self.specversion = specversion
        self.type = type
        self.datacontenttype = datacontenttype
        self.dataschema = dataschema
        self.subject = subject
        self.time = time
        self.extensions = extensions
        self.data = data
    }

    /// `time` parsed as RFC 3339 (nil when absent; validation rejects unparsable values).
    public var timestamp: Date? { time.flatMap(RFC3339.parse) }

    /// The context attribute names defined by the spec (everything else is an extension).
    public static let contextAttributeNames: Set<String> = [
        "id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time",
    ]
}

/// The payload of a CloudEvent.
public enum CloudEventData: Sendable, Hashable {
    /// JSON data (`data` member of the JSON format, or a JSON body in binary mode).
    case json(JSONValue)
    /// Raw bytes (`data_base64`, or a non-JSON body in binary mode).
    case binary([UInt8])

    /// The data as JSON when it is JSON (or JSON text in bytes), else nil.
    public var jsonValue: JSONValue? {
        switch self {
        case .json(let value): return value
        case .binary(let bytes): return try? JSONValue.parse(bytes)
        }
    }
}
