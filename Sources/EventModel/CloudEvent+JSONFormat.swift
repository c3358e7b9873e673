import Foundation
import PacerCore

extension CloudEvent {
    /// Reads one event in the CloudEvents JSON format (structured mode, or one element of a batch).
    ///
    /// Attributes with a JSON `null` value are treated as absent; `"data": null` is kept as a null payload (it is
    /// written back as `"data": null`). The event is validated before it is returned.
    public init(jsonFormat value: JSONValue) throws(CloudEventError) {
        guard case .object(var members) = value else {
            throw CloudEventError(.malformed, "a CloudEvent in the JSON format must be a JSON object, got \(value.typeName)")
        }
        // `"data": null` is an explicit null payload, kept (CE-json §3.1); every other null is an unset attribute.
        let explicitNullData = members["data"]?.isNull == true
        members = members.filter { !$0.value.isNull }
        if explicitNullData { members["data"] = .null }
        func string(_ name: String, required: Bool) throws(CloudEventError) -> String? {
            guard let member = members.removeValue(forKey: name) else {
                if required { throw CloudEventError(.invalid, attribute: name, "required attribute is missing") }
                return nil
            }
            guard case .string(let text) = member else {
                throw CloudEventError(.invalid, attribute: name, "must be a string, got \(member.typeName)")
            }
            return text
        }
        // specversion first: an event of another version is refused for that reason, not for a missing field.
        let specversion = try string("specversion", required: true) ?? ""
        guard specversion == "1.0" else {
            throw CloudEventError(.invalid, attribute: "specversion", "unsupported value \"\(specversion)\": Pacer accepts CloudEvents \"1.0\"")
        }
        let id = try string("id", required: true) ?? ""
        let source = try string("source", required: true) ?? ""
        let type = try string("type", required: true) ?? ""
        let datacontenttype = try string("datacontenttype", required: false)
        let dataschema = try string("dataschema", required: false)
        let subject = try string("subject", required: false)
        let time = try string("time", required: false)

        let data = members.removeValue(forKey: "data")
        let base64 = members.removeValue(forKey: "data_base64")
        var payload: CloudEventData?
        switch (data, base64) {
        case (.some, .some):
            throw CloudEventError(.invalid, attribute: "data_base64", "an event carries either data or data_base64, not both")
        case (.some(let json), nil):
            payload = .json(json)
        case (nil, .some(let encoded)):
            guard case .string(let text) = encoded, let bytes = Data(base64Encoded: text) else {
                throw CloudEventError(.invalid, attribute: "data_base64", "must be a Base64 (RFC 4648) string")
            }
            payload = .binary(Array(bytes))
        case (nil, nil):
            payload = nil
        }

        self.init(
            id: id, source: source, type: type, specversion: specversion, datacontenttype: datacontenttype,
            dataschema: dataschema, subject: subject, time: time, extensions: members, data: payload)
        try validate()
    }

    /// The event in the CloudEvents JSON format. JSON data is written as `data`, other data as `data_base64`;
    /// JSON text carried as bytes with a JSON content type is written as `data` too.
    public var jsonFormat: JSONValue {
        var members: [String: JSONValue] = extensions
        members["specversion"] = .string(specversion)
        members["id"] = .string(id)
        members["source"] = .string(source)
        members["type"] = .string(type)
        if let datacontenttype { members["datacontenttype"] = .string(datacontenttype) }
        if let dataschema { members["dataschema"] = .string(dataschema) }
        if let subject { members["subject"] = .string(subject) }
        if let time { members["time"] = .string(time) }
        switch data {
        case .json(let value):
            members["data"] = value
        case .binary(let bytes):
            if Self.isJSONMediaType(datacontenttype), let value = try? JSONValue.parse(bytes) {
                members["data"] = value
            } else {
                members["data_base64"] = .string(Data(bytes).base64EncodedString())
            }
        case nil:
            break
        }
        return .object(members)
    }

    /// `application/json`, `text/json` or any `+json` suffix type, parameters ignored; an absent content type means JSON.
    public static func isJSONMediaType(_ contentType: String?) -> Bool {
        guard let contentType else { return true }
        let essence = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return essence == "application/json" || essence == "text/json" || essence.hasSuffix("+json")
    }
}
