import Foundation
import PacerCore

/// Builds activations (variable name → value) the way Pacer's resources document them, so every caller
/// binds the same names with the same types.
public enum Activation {
    /// The variables of an EventRoute `when` and of CDEventTransform fields: the CloudEvent context
    /// attributes and `data`. Extension attributes are bound by name too, but they vary per event, so
    /// compile these expressions with `variables: nil` if extensions are to be usable.
    public static let cloudEventVariables: Set<String> = [
        "id", "source", "type", "specversion", "subject", "time", "datacontenttype", "dataschema", "data",
    ]

    /// The variables of a MetricDefinition `where`: the CDEvent's `context`, `subject` and `customData`.
    public static let cdEventVariables: Set<String> = ["context", "subject", "customData"]

    /// A CloudEvent activation. Absent optional attributes (and absent `data`) are bound to `null`, so
    /// `subject == 'x'` is simply false for an event without a subject; `time` is a `timestamp`; `data` is
    /// the JSON payload; each extension attribute is bound under its own name unless it would hide a
    /// standard one.
    public static func cloudEvent(
        id: String, source: String, type: String, specversion: String = "1.0",
        subject: String? = nil, time: Date? = nil, datacontenttype: String? = nil, dataschema: String? = nil,
        extensions: [String: Value] = [:], data: JSONValue? = nil
    ) -> [String: Value] {
        var activation: [String: Value] = [:]
        activation.reserveCapacity(cloudEventVariables.count + extensions.count)
        for (name, value) in extensions where !cloudEventVariables.contains(name) { activation[name] = value }
        activation["id"] = .string(id)
        activation["source"] = .string(source)
        activation["type"] = .string(type)
        activation["specversion"] = .string(specversion)
        activation["subject"] = subject.map(Value.string) ?? .null
        activation["time"] = time.flatMap(CELTimestamp.init).map(Value.timestamp) ?? .null
        activation["datacontenttype"] = datacontenttype.map(Value.string) ?? .null
        activation["dataschema"] = dataschema.map(Value.string) ?? .null
        activation["data"] = data.map(Value.init(json:)) ?? .null
        return activation
    }

    /// A CDEvent activation from the event's JSON fields (`customData` is `null` when absent).
    public static func cdEvent(context: JSONValue, subject: JSONValue, customData: JSONValue? = nil) -> [String: Value] {
        [
            "context": Value(json: context),
            "subject": Value(json: subject),
            "customData": customData.map(Value.init(json:)) ?? .null,
        ]
    }

    /// A CDEvent activation from the whole CDEvent JSON object (`{context, subject, customData?}`).
    public static func cdEvent(_ event: JSONValue) -> [String: Value] {
        cdEvent(context: event["context"] ?? .null, subject: event["subject"] ?? .null, customData: event["customData"])
    }
}
