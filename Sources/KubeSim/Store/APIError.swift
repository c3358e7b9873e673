import PacerCore

/// One `details.causes[]` entry of a `Status`.
struct StatusCause: Sendable, Hashable {
    var reason: String
    var message: String
    var field: String

    var json: JSONValue { ["reason": .string(reason), "message": .string(message), "field": .string(field)] }
}

/// An API failure, rendered as a metav1 `Status` object with the matching HTTP code.
struct APIError: Error, Sendable, CustomStringConvertible {
    var code: Int
    var reason: String
    var message: String
    var name: String?
    var group: String?
    var kind: String?
    var causes: [StatusCause] = []
    var retryAfterSeconds: Int?

    var description: String { "\(code) \(reason): \(message)" }

    var status: JSONValue {
        var details: [String: JSONValue] = [:]
        if let name { details["name"] = .string(name) }
        if let group { details["group"] = .string(group) }
        if let kind { details["kind"] = .string(kind) }
        if !causes.isEmpty { details["causes"] = .array(causes.map(\.json)) }
        if let retryAfterSeconds { details["retryAfterSeconds"] = .int(Int64(retryAfterSeconds)) }
        var object: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
            "message": .string(message), "reason": .string(reason), "code": .int(Int64(code)),
        ]
        if !details.isEmpty { object["details"] = .object(details) }
        return .object(object)
    }

    // MARK: Constructors mirroring apimachinery `errors.New*`

    static func notFound(_ type: TypeKey, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(type) \"\(name)\" not found", name: name, group: type.group, kind: type.resource)
    }

    static func resourceNotFound() -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    static func namespaceNotFound(_ namespace: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "namespaces \"\(namespace)\" not found", name: namespace, group: "", kind: "namespaces")
    }

    static func alreadyExists(_ type: TypeKey, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(type) \"\(name)\" already exists", name: name, group: type.group, kind: type.resource)
    }

    static func conflict(_ type: TypeKey, _ name: String) -> APIError {
        APIError(
            code: 409, reason: "Conflict",
            message: "Operation cannot be fulfilled on \(type) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            name: name, group: type.group, kind: type.resource)
    }

    static func invalid(_ type: ResourceType, _ name: String, _ errors: [FieldError]) -> APIError {
        let list = errors.map(\.text)
        let joined = list.count == 1 ? list[0] : "[" + list.joined(separator: ", ") + "]"
        return APIError(
            code: 422, reason: "Invalid", message: "\(type.qualifiedKind) \"\(name)\" is invalid: \(joined)",
            name: name, group: type.group, kind: type.kind, causes: errors.map(\.cause))
    }

    static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    static func notAcceptable(_ accept: String) -> APIError {
        APIError(code: 406, reason: "NotAcceptable", message: "the server was unable to respond with a content type that the client supports (\(accept))")
    }

    static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got \(contentType))")
    }

    static func unauthorized() -> APIError {
        APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")
    }
}

/// A field-level validation failure (apimachinery `field.Error`).
struct FieldError: Sendable, Hashable {
    enum Kind: String, Sendable {
        case required = "FieldValueRequired"
        case notSupported = "FieldValueNotSupported"
        case invalid = "FieldValueInvalid"
        case typeInvalid = "FieldValueTypeInvalid"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case duplicate = "FieldValueDuplicate"
        case forbidden = "FieldValueForbidden"
    }

    var kind: Kind
    var field: String
    /// The part after `field: `, for example `Required value` or `Invalid value: "x": must be ...`.
    var detail: String

    var text: String { "\(field): \(detail)" }
    var cause: StatusCause { StatusCause(reason: kind.rawValue, message: detail, field: field) }

    static func required(_ field: String) -> FieldError { FieldError(kind: .required, field: field, detail: "Required value") }

    static func invalid(_ field: String, _ value: JSONValue, _ why: String) -> FieldError {
        FieldError(kind: .invalid, field: field, detail: "Invalid value: \(render(value)): \(why)")
    }

    static func typeInvalid(_ field: String, _ value: JSONValue, _ why: String) -> FieldError {
        FieldError(kind: .typeInvalid, field: field, detail: "Invalid value: \(render(value)): \(why)")
    }

    static func notSupported(_ field: String, _ value: JSONValue, _ allowed: [JSONValue]) -> FieldError {
        let list = allowed.map(render).joined(separator: ", ")
        return FieldError(kind: .notSupported, field: field, detail: "Unsupported value: \(render(value)): supported values: \(list)")
    }

    static func forbidden(_ field: String, _ why: String) -> FieldError { FieldError(kind: .forbidden, field: field, detail: "Forbidden: \(why)") }

    /// Values as Go's `%#v`-ish rendering in apiserver messages: strings quoted, numbers bare.
    static func render(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return "\"\(s)\""
        case .object: return "\"object\""
        case .array: return "\"array\""
        default: return value.jsonString()
        }
    }
}
