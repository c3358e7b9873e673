import Foundation
import PacerCore

/// PATCH content types (apimachinery `types.PatchType`).
enum PatchType: String, Sendable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategic = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"

    init?(contentType: String) {
        let base = contentType.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        if base == "application/apply-patch+json" { self = .apply; return }
        self.init(rawValue: base)
    }
}

extension StoreState {
    static let namespacesKey = TypeKey(group: "", resource: "namespaces")
    static let crdKey = TypeKey(group: "apiextensions.k8s.io", resource: "customresourcedefinitions")
    static let deploymentsKey = TypeKey(group: "apps", resource: "deployments")
    static let statefulSetsKey = TypeKey(group: "apps", resource: "statefulsets")
    static let daemonSetsKey = TypeKey(group: "apps", resource: "daemonsets")

    /// Checks (or fills in) `apiVersion` and `kind`; the stored copy always carries the storage version.
    func checkTypeMeta(_ type: ResourceType, version: String, body: JSONValue) throws -> JSONValue {
        var object = body
        let expected = type.apiVersion(version)
        if let apiVersion = body["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != expected {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(expected))")
        }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != type.kind {
            throw APIError.badRequest("the kind in the data (\(kind)) does not match the expected kind (\(type.kind))")
        }
        object["apiVersion"] = .string(type.apiVersion(type.storageVersion))
        object["kind"] = .string(type.kind)
        if object["metadata"] == nil || object["metadata"]?.objectValue == nil { object["metadata"] = [:] }
        return object
    }

    func resolveNamespace(_ type: ResourceType, urlNamespace: String?, bodyNamespace: String?) throws -> String? {
        guard type.namespaced else { return nil }
        let body = bodyNamespace ?? ""
        guard let url = urlNamespace, !url.isEmpty else {
            guard !body.isEmpty else { throw APIError.badRequest("the namespace of the object is required") }
            return body
        }
        if !body.isEmpty, body != url {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        return url
    }

    static func generatedName(_ prefix: String) -> String {
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        let base = prefix.count > 58 ? String(prefix.prefix(58)) : prefix
        return base + String((0..<5).map { _ in alphabet.randomElement() ?? "x" })
    }

    static func validateName(_ type: ResourceType, _ name: String) throws {
        if type.group == RBACAuthorizer.group {
            // RBAC objects only need a valid path segment name (`system:discovery`).
            if name.isEmpty || name == "." || name == ".." {
                throw APIError.invalid(type, name, [.invalid("metadata.name", .string(name), "may not be '\(name)'")])
            }
            if let bad = ["/", "%"].first(where: name.contains) {
                throw APIError.invalid(type, name, [.invalid("metadata.name", .string(name), "may not contain '\(bad)'")])
            }
            return
        }
        let isLabel = type.key == namespacesKey
        if isLabel ? isDNSLabel(name) : isDNSSubdomain(name) { return }
        let why =
            isLabel
            ? "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        throw APIError.invalid(type, name, [.invalid("metadata.name", .string(name), why)])
    }

    static func isDNSLabel(_ s: String) -> Bool {
        let bytes = Array(s.utf8)
        guard !bytes.isEmpty, bytes.count <= 63 else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        guard alnum(bytes[0]), alnum(bytes[bytes.count - 1]) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }

    static func isDNSSubdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.utf8.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
            let bytes = Array(label.utf8)
            func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
            guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
            return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
        }
    }

    /// The part of an object whose change bumps `metadata.generation`.
    static func specPart(_ object: JSONValue, _ type: ResourceType) -> JSONValue {
        var copy = object
        copy["metadata"] = nil
        copy["apiVersion"] = nil
        if type.hasStatus { copy["status"] = nil }
        return copy
    }

    /// Schema pruning, defaulting and validation (custom resources) or built-in defaults.
    func prepare(_ type: ResourceType, version: String, object: JSONValue, name: String, options: WriteOptions, warnings: inout [String]) throws
        -> JSONValue
    {
        var result = object
        var errors: [FieldError] = []
        if type.isCustom, let schema = type.schemas[version] ?? type.schemas[type.storageVersion] {
            let outcome = SchemaValidator.process(object, schema: schema)
            result = outcome.object
            if !outcome.unknownFields.isEmpty {
                switch options.fieldValidation {
                case .strict:
                    let list = outcome.unknownFields.map { "unknown field \"\($0)\"" }.joined(separator: ", ")
                    throw APIError.badRequest("\(type.kind) in version \"\(version)\" cannot be handled as a \(type.kind): strict decoding error: \(list)")
                case .warn:
                    warnings += outcome.unknownFields.map { "unknown field \"\($0)\"" }
                case .ignore:
                    break
                }
            }
            errors = outcome.errors
        } else {
            errors = BuiltinTypes.defaultAndValidate(type.key, &result)
        }
        if !errors.isEmpty { throw APIError.invalid(type, name, errors) }
        return result
    }
}
