import Foundation
import PacerCore

/// A parsed label selector (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`), comma = AND.
struct LabelSelector: Sendable {
    enum Requirement: Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case isIn(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case notExists(String)
    }

    var requirements: [Requirement]
    var isEmpty: Bool { requirements.isEmpty }

    init(parsing text: String) throws {
        requirements = []
        for part in Self.split(text) {
            let term = part.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            requirements.append(try Self.requirement(term))
        }
    }

    /// Splits on commas outside parentheses.
    private static func split(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static func requirement(_ term: String) throws -> Requirement {
        func invalid() -> APIError { APIError.badRequest("unable to parse requirement: found '\(term)', expected: valid label selector") }
        if term.hasPrefix("!") {
            let key = term.dropFirst().trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty else { throw invalid() }
            return .notExists(key)
        }
        if let range = term.range(of: "!=") {
            return .notEquals(term[..<range.lowerBound].trimmingCharacters(in: .whitespaces), term[range.upperBound...].trimmingCharacters(in: .whitespaces))
        }
        if let range = term.range(of: "==") ?? term.range(of: "=") {
            return .equals(term[..<range.lowerBound].trimmingCharacters(in: .whitespaces), term[range.upperBound...].trimmingCharacters(in: .whitespaces))
        }
        let words = term.split(separator: " ", maxSplits: 1).map(String.init)
        if words.count == 2 {
            let rest = words[1].trimmingCharacters(in: .whitespaces)
            for (op, isIn) in [("notin", false), ("in", true)] where rest.hasPrefix(op) {
                let list = rest.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
                guard list.hasPrefix("("), list.hasSuffix(")") else { throw invalid() }
                let values = Set(list.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                return isIn ? .isIn(words[0], values) : .notIn(words[0], values)
            }
            throw invalid()
        }
        guard !term.contains(" ") else { throw invalid() }
        return .exists(term)
    }

    func matches(_ labels: [String: JSONValue]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let k, let v): return labels[k]?.stringValue == v
            case .notEquals(let k, let v): return labels[k]?.stringValue != v
            case .isIn(let k, let values): return labels[k]?.stringValue.map(values.contains) ?? false
            case .notIn(let k, let values): return !(labels[k]?.stringValue.map(values.contains) ?? false)
            case .exists(let k): return labels[k] != nil
            case .notExists(let k): return labels[k] == nil
            }
        }
    }

    func matches(object: JSONValue) -> Bool {
        isEmpty || matches(object["metadata"]?["labels"]?.objectValue ?? [:])
    }
}

/// A parsed field selector: `metadata.name`, `metadata.namespace` (all types) plus a few per-type fields.
struct FieldSelector: Sendable {
    struct Term: Sendable {
        var path: [String]
        var value: String
        var negated: Bool
    }

    var terms: [Term]
    var isEmpty: Bool { terms.isEmpty }

    static let extraFields: [TypeKey: Set<String>] = [
        TypeKey(group: "", resource: "events"): [
            "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion",
            "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type",
        ],
        BuiltinTypes.eventsKey: [
            "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
            "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type",
        ],
        TypeKey(group: "", resource: "namespaces"): ["status.phase"],
    ]

    init(parsing text: String, type: TypeKey) throws {
        terms = []
        for raw in text.split(separator: ",") {
            let term = raw.trimmingCharacters(in: .whitespaces)
            if term.isEmpty { continue }
            let negated = term.contains("!=")
            let separator = negated ? "!=" : (term.contains("==") ? "==" : "=")
            guard let range = term.range(of: separator) else {
                throw APIError.badRequest("invalid field selector: '\(term)'")
            }
            let field = term[..<range.lowerBound].trimmingCharacters(in: .whitespaces)
            let value = term[range.upperBound...].trimmingCharacters(in: .whitespaces)
            let allowed = ["metadata.name", "metadata.namespace"].contains(field) || Self.extraFields[type]?.contains(field) == true
            guard allowed else { throw APIError.badRequest("field label not supported: \(field)") }
            terms.append(Term(path: field.split(separator: ".").map(String.init), value: value, negated: negated))
        }
    }

    func matches(object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            var actual = object[path: term.path]?.stringValue ?? ""
            if term.path == ["metadata", "namespace"], object["metadata"]?["namespace"] == nil { actual = "" }
            if term.path == ["source"] { actual = object["source"]?["component"]?.stringValue ?? "" }
            return term.negated ? actual != term.value : actual == term.value
        }
    }
}
