import PacerCore

/// The string formats the CDEvents schemas use.
enum CDEventStringFormat: String, Sendable {
    /// `format: uri`: an absolute URI (RFC 3986 `URI`).
    case uri
    /// `format: uri-reference`: absolute or relative (RFC 3986 `URI-reference`).
    case uriReference = "uri-reference"
}

/// The subset of JSON Schema 2020-12 that the CDEvents v0.5.1 schemas use for `subject.content`
/// (`type`, `properties`, `required`, `additionalProperties: false`, `minLength`, `format`, `enum`, `items`;
/// an `anyOf` of strings is folded into one string rule by the generator).
indirect enum CDEventSchemaNode: Sendable {
    case string(minLength: Int = 0, format: CDEventStringFormat? = nil, allowed: [String]? = nil)
    /// Properties in schema order; `closed` is `additionalProperties: false`.
    case object([(String, CDEventSchemaNode)], required: [String], closed: Bool)
    case array(items: CDEventSchemaNode)

    /// The reference object every CDEvents schema uses for links to other subjects
    /// (`environment`, `service`, `repository`, `change`, `pipelineRun`): `{id (required, non-empty), source (uri-reference)}`.
    static let reference: CDEventSchemaNode = .object(
        [("id", .string(minLength: 1)), ("source", .string(minLength: 1, format: .uriReference))], required: ["id"], closed: true)

    /// Property names declared by an object node (empty for other nodes).
    var propertyNames: [String] {
        if case .object(let properties, _, _) = self { return properties.map(\.0) }
        return []
    }

    /// The node of a declared property, if this is an object node that declares it.
    func property(_ name: String) -> CDEventSchemaNode? {
        if case .object(let properties, _, _) = self { return properties.first { $0.0 == name }?.1 }
        return nil
    }
}

/// Checks a JSON value against a `CDEventSchemaNode`, collecting every error with its path.
///
/// `received` mode checks presence of required fields, JSON types and `minLength` only, and reads a legacy `url`
/// field where the v0.5.1 schema declares `uri`. `strict` mode also checks formats, enums and unknown fields,
/// which makes it equivalent to the official schema for `subject.content`.
struct CDEventSchemaChecker {
    let mode: CDEventValidationMode
    /// The event type as sent, named in "required by …" messages.
    let typeName: String
    private(set) var errors: [CDEventValidationError] = []

    init(mode: CDEventValidationMode, typeName: String) {
        self.mode = mode
        self.typeName = typeName
    }

    mutating func check(_ value: JSONValue, against node: CDEventSchemaNode, path: String) {
        switch node {
        case .string(let minLength, let format, let allowed):
            checkString(value, minLength: minLength, format: format, allowed: allowed, path: path)
        case .array(let items):
            guard case .array(let elements) = value else {
                return fail(.malformed, path, "must be an array, got \(value.typeName)")
            }
            for (index, element) in elements.enumerated() {
                check(element, against: items, path: "\(path)[\(index)]")
            }
        case .object(let properties, let required, let closed):
            guard case .object(let members) = value else {
                return fail(.malformed, path, "must be an object, got \(value.typeName)")
            }
            for (name, child) in properties {
                guard let (key, member) = lookup(members, name, declared: properties) else {
                    if required.contains(name) { fail(.missing, "\(path).\(name)", "required by \(typeName)") }
                    continue
                }
                check(member, against: child, path: "\(path).\(key)")
            }
            if mode == .strict, closed {
                let declared = Set(properties.map(\.0))
                for key in members.keys.sorted() where !declared.contains(key) {
                    fail(.unknownField, "\(path).\(key)", "unknown field, not allowed by \(typeName)")
                }
            }
        }
    }

    /// The member for a declared property. JSON `null` counts as absent in received mode; a `url` member
    /// stands for a missing `uri` in received mode (the v0.5.0 rename).
    private func lookup(_ members: [String: JSONValue], _ name: String, declared: [(String, CDEventSchemaNode)]) -> (String, JSONValue)? {
        if let member = members[name], mode == .strict || !member.isNull { return (name, member) }
        if mode == .received, name == "uri", !declared.contains(where: { $0.0 == "url" }), let legacy = members["url"], !legacy.isNull {
            return ("url", legacy)
        }
        return nil
    }

    private mutating func checkString(_ value: JSONValue, minLength: Int, format: CDEventStringFormat?, allowed: [String]?, path: String) {
        guard case .string(let text) = value else {
            return fail(.malformed, path, "must be a string, got \(value.typeName)")
        }
        if text.unicodeScalars.count < minLength {
            return fail(.invalidValue, path, minLength == 1 ? "must not be empty" : "must have at least \(minLength) characters")
        }
        guard mode == .strict else { return }
        if let allowed, !allowed.contains(text) {
            fail(.invalidValue, path, "must be one of \(allowed.joined(separator: ", ")), got \"\(text)\"")
        }
        switch format {
        case .uri where !CDEventURI.isURI(text):
            fail(.invalidValue, path, "must be an absolute URI (RFC 3986) such as https://example.com/x, got \"\(text)\"")
        case .uriReference where !CDEventURI.isURIReference(text):
            fail(.invalidValue, path, "must be a URI-reference (RFC 3986), got \"\(text)\"")
        default:
            break
        }
    }

    private mutating func fail(_ kind: CDEventValidationError.Kind, _ path: String, _ reason: String) {
        errors.append(CDEventValidationError(kind, path: path, reason))
    }
}
