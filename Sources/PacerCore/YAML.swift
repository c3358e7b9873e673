import Yams

/// Reads (multi-document) YAML into `JSONValue`s. JSON is valid YAML, so this also reads JSON.
public enum YAML {
    /// All non-empty documents of a YAML stream.
    public static func documents(_ text: String) throws -> [JSONValue] {
        var sequence = try Yams.compose_all(yaml: text)
        var result: [JSONValue] = []
        while let node = sequence.next() {
            let value = try convert(node)
            if !value.isNull { result.append(value) }
        }
        if let error = sequence.error { throw error }
        return result
    }

    /// Exactly one document (an empty stream is `null`).
    public static func document(_ text: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: text) else { return .null }
        return try convert(node)
    }

    public static func convert(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch Resolver.default.resolveTag(of: node) {
            case .null: return .null
            case .bool: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case .int: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case .float: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { throw YAMLShapeError(message: "mapping keys must be scalars") }
                object[name] = try convert(value)
            }
            return .object(object)
        case .sequence(let sequence):
            return .array(try sequence.map(convert))
        case .alias:
            throw YAMLShapeError(message: "unresolved YAML alias")
        }
    }
}

/// A YAML document that does not map onto JSON.
public struct YAMLShapeError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
