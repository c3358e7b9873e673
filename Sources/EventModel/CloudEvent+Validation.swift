import PacerCore

extension CloudEvent {
    /// Checks the event against the CloudEvents 1.0 rules Pacer enforces on input:
    /// required attributes present and non-empty, `specversion` 1.0, `source` a URI-reference,
    /// `dataschema` an absolute URI, `time` RFC 3339, extension names lower-case alphanumeric,
    /// and no control characters in string attributes. Also what PostgreSQL would refuse (`StorageLimits`): `id`,
    /// `source`, `type` and `subject` at most 1024 bytes, `time` not before 0001-01-01T00:00:00Z, no U+0000 in `data`.
    public func validate() throws(CloudEventError) {
        guard specversion == "1.0" else {
            throw CloudEventError(.invalid, attribute: "specversion", "unsupported value \"\(specversion)\": Pacer accepts CloudEvents \"1.0\"")
        }
        try Self.requireNonEmpty(id, "id")
        try Self.requireNonEmpty(source, "source")
        try Self.requireNonEmpty(type, "type")
        try Self.checkString(id, "id")
        try Self.checkString(type, "type")
        try Self.checkIdentifierSize(id, "id")
        try Self.checkIdentifierSize(source, "source")
        try Self.checkIdentifierSize(type, "type")
        guard Self.isURIReference(source) else {
            throw CloudEventError(.invalid, attribute: "source", "must be a URI-reference (RFC 3986), got \"\(source)\"")
        }
        if let subject {
            try Self.requireNonEmpty(subject, "subject")
            try Self.checkString(subject, "subject")
            try Self.checkIdentifierSize(subject, "subject")
        }
        if let datacontenttype {
            try Self.requireNonEmpty(datacontenttype, "datacontenttype")
            try Self.checkString(datacontenttype, "datacontenttype")
            guard MediaType.isValid(datacontenttype) else {
                throw CloudEventError(
                    .invalid, attribute: "datacontenttype",
                    "must be a media type (RFC 9110: type \"/\" subtype *(\";\" parameter)) such as application/json; charset=utf-8, got \"\(datacontenttype)\"")
            }
        }
        if let dataschema {
            guard Self.isAbsoluteURI(dataschema) else {
                throw CloudEventError(.invalid, attribute: "dataschema", "must be an absolute URI, got \"\(dataschema)\"")
            }
        }
        if let time {
            guard RFC3339.parse(time) != nil else {
                throw CloudEventError(.invalid, attribute: "time", "must be an RFC 3339 timestamp such as 2024-05-01T10:00:00Z, got \"\(time)\"")
            }
            if let problem = StorageLimits.timestampProblem(time) {
                throw CloudEventError(.invalid, attribute: "time", problem)
            }
        }
        if let path = storedDataNULPath {
            throw CloudEventError(.invalid, attribute: "data", "\(path) \(StorageLimits.nulReason)")
        }
        for (name, value) in extensions {
            try Self.checkExtensionName(name)
            switch value {
            case .string(let text): try Self.checkString(text, name)
            case .bool: break
            case .int(let number):
                guard number >= Int64(Int32.min), number <= Int64(Int32.max) else {
                    throw CloudEventError(.invalid, attribute: name, "integer extension out of the CloudEvents Integer range (32-bit)")
                }
            default:
                throw CloudEventError(.invalid, attribute: name, "extension values must be a string, integer or boolean, got \(value.typeName)")
            }
        }
    }

    /// Where the data, as it will be stored (`jsonFormat`), holds U+0000: JSON data, or bytes written as `data`
    /// because they are JSON text with a JSON content type. Other bytes are stored as Base64.
    var storedDataNULPath: String? {
        switch data {
        case .json(let value):
            return StorageLimits.nulPath(in: value, at: "data")
        case .binary(let bytes):
            guard Self.isJSONMediaType(datacontenttype), bytes.contains(UInt8(ascii: "\\")) || bytes.contains(0),
                let value = try? JSONValue.parse(bytes)
            else { return nil }
            return StorageLimits.nulPath(in: value, at: "data")
        case nil:
            return nil
        }
    }

    private static func checkIdentifierSize(_ value: String, _ attribute: String) throws(CloudEventError) {
        if let problem = StorageLimits.identifierProblem(value) {
            throw CloudEventError(.invalid, attribute: attribute, problem)
        }
    }

    static func checkExtensionName(_ name: String) throws(CloudEventError) {
        guard !name.isEmpty else {
            throw CloudEventError(.invalid, attribute: name, "attribute names must not be empty")
        }
        guard name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) }) else {
            throw CloudEventError(.invalid, attribute: name, "attribute names must be lower-case ASCII letters and digits only (a-z, 0-9)")
        }
        guard name != "data" else {
            throw CloudEventError(.invalid, attribute: name, "\"data\" is not an attribute name")
        }
    }

    private static func requireNonEmpty(_ value: String, _ attribute: String) throws(CloudEventError) {
        guard !value.isEmpty else {
            throw CloudEventError(.invalid, attribute: attribute, "must not be empty")
        }
    }

    /// CloudEvents String: no control characters U+0000–U+001F and U+007F–U+009F.
    private static func checkString(_ value: String, _ attribute: String) throws(CloudEventError) {
        for scalar in value.unicodeScalars where scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F) {
            throw CloudEventError(.invalid, attribute: attribute, "contains a control character (U+\(String(scalar.value, radix: 16, uppercase: true)))")
        }
    }

    /// RFC 3986 URI-reference (§4.1): the full grammar (scheme, authority, path, query, fragment, `%` escapes).
    static func isURIReference(_ value: String) -> Bool {
        !value.isEmpty && CDEventURI.isURIReference(value)
    }

    /// RFC 3986 absolute URI (§4.3: a scheme, then the hierarchical part; a fragment is tolerated).
    static func isAbsoluteURI(_ value: String) -> Bool {
        CDEventURI.isURI(value)
    }
}
