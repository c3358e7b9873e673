import Foundation
import PacerCore

/// Structural-schema processing of a custom resource, in the order the API server does it:
/// prune unknown fields (recording their paths), apply `default`s, then validate
/// (type, required, enum, pattern, minimum/maximum, minLength/maxLength, minItems/maxItems).
/// Messages mirror the apiserver's, for example
/// `spec.window: Invalid value: "x": spec.window in body should match '^[0-9]+[dhw]$'`.
struct SchemaValidator {
    struct Outcome {
        var object: JSONValue
        var unknownFields: [String]
        var errors: [FieldError]
    }

    private var unknownFields: [String] = []
    private var errors: [FieldError] = []

    static func process(_ object: JSONValue, schema: JSONValue) -> Outcome {
        var validator = SchemaValidator()
        let result = validator.walk(object, schema: schema, path: "", embedded: true)
        return Outcome(object: result ?? object, unknownFields: validator.unknownFields, errors: validator.errors)
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// Returns the pruned/defaulted value; nil means "drop this value".
    private mutating func walk(_ value: JSONValue, schema: JSONValue, path: String, embedded: Bool) -> JSONValue? {
        if value.isNull {
            return schema["nullable"]?.boolValue == true ? value : nil
        }
        guard checkType(value, schema: schema, path: path) else { return value }
        var result = value
        switch value {
        case .object(let object):
            result = .object(walkObject(object, schema: schema, path: path, embedded: embedded))
        case .array(let items):
            var out: [JSONValue] = []
            if let itemSchema = schema["items"] {
                for (index, item) in items.enumerated() {
                    if let walked = walk(item, schema: itemSchema, path: "\(path)[\(index)]", embedded: itemSchema["x-kubernetes-embedded-resource"]?.boolValue == true) {
                        out.append(walked)
                    }
                }
            } else {
                out = items
            }
            result = .array(out)
            checkArray(out, schema: schema, path: path)
        case .string(let text):
            checkString(text, schema: schema, path: path)
        case .int, .double:
            checkNumber(value, schema: schema, path: path)
        default:
            break
        }
        if let allowed = schema["enum"]?.arrayValue, !allowed.contains(where: { Self.equalValues($0, result) }) {
            errors.append(.notSupported(path, result, allowed))
        }
        return result
    }

    private mutating func walkObject(_ object: [String: JSONValue], schema: JSONValue, path: String, embedded: Bool) -> [String: JSONValue] {
        let properties = schema["properties"]?.objectValue
        let additional = schema["additionalProperties"]
        let preserve = schema["x-kubernetes-preserve-unknown-fields"]?.boolValue == true
        var out: [String: JSONValue] = [:]
        for (key, child) in object {
            let childPath = Self.join(path, key)
            if embedded, ["apiVersion", "kind", "metadata"].contains(key) {
                out[key] = child
            } else if let childSchema = properties?[key] {
                let embeddedChild = childSchema["x-kubernetes-embedded-resource"]?.boolValue == true
                if let walked = walk(child, schema: childSchema, path: childPath, embedded: embeddedChild) { out[key] = walked }
            } else if let additional, case .object = additional {
                if let walked = walk(child, schema: additional, path: childPath, embedded: false) { out[key] = walked }
            } else if preserve || additional?.boolValue == true {
                out[key] = child
            } else {
                unknownFields.append(childPath)
            }
        }
        // Defaults for absent properties (then validated like any value).
        for (key, childSchema) in properties ?? [:] where out[key] == nil {
            if let defaultValue = childSchema["default"],
                let walked = walk(defaultValue, schema: childSchema, path: Self.join(path, key), embedded: false)
            {
                out[key] = walked
            }
        }
        for required in schema["required"]?.arrayValue ?? [] {
            if let key = required.stringValue, out[key] == nil { errors.append(.required(Self.join(path, key))) }
        }
        return out
    }

    private mutating func checkType(_ value: JSONValue, schema: JSONValue, path: String) -> Bool {
        if schema["x-kubernetes-int-or-string"]?.boolValue == true {
            switch value {
            case .int, .string: return true
            case .double(let d) where d == d.rounded(): return true
            default:
                errors.append(.typeInvalid(path, .string(value.typeName), "\(path) in body must be of type int-or-string: \(FieldError.render(.string(value.typeName)))"))
                return false
            }
        }
        guard let type = schema["type"]?.stringValue else { return true }
        let ok: Bool
        switch type {
        case "object": ok = value.objectValue != nil
        case "array": ok = value.arrayValue != nil
        case "string": ok = value.stringValue != nil
        case "boolean": ok = value.boolValue != nil
        case "integer":
            if case .int = value { ok = true } else if case .double(let d) = value { ok = d == d.rounded() } else { ok = false }
        case "number": ok = value.doubleValue != nil
        default: ok = true
        }
        if !ok {
            let actual = JSONValue.string(value.typeName)
            errors.append(.typeInvalid(path, actual, "\(path) in body must be of type \(type): \(FieldError.render(actual))"))
        }
        return ok
    }

    private mutating func checkString(_ text: String, schema: JSONValue, path: String) {
        let length = text.count
        if let min = schema["minLength"]?.intValue, length < min {
            errors.append(.invalid(path, .string(text), "\(path) in body should be at least \(min) chars long"))
        }
        if let max = schema["maxLength"]?.intValue, length > max {
            errors.append(FieldError(kind: .tooLong, field: path, detail: "Too long: may not be more than \(max) bytes"))
        }
        if let pattern = schema["pattern"]?.stringValue {
            if let regex = try? NSRegularExpression(pattern: pattern) {
                let range = NSRange(text.startIndex..<text.endIndex, in: text)
                if regex.firstMatch(in: text, range: range) == nil {
                    errors.append(.invalid(path, .string(text), "\(path) in body should match '\(pattern)'"))
                }
            }
        }
    }

    private mutating func checkNumber(_ value: JSONValue, schema: JSONValue, path: String) {
        guard let number = value.doubleValue else { return }
        if let min = schema["minimum"]?.doubleValue {
            let exclusive = schema["exclusiveMinimum"]?.boolValue == true
            if exclusive ? number <= min : number < min {
                let bound = (schema["minimum"] ?? .null).jsonString()
                errors.append(.invalid(path, value, "\(path) in body should be greater than \(exclusive ? "" : "or equal to ")\(bound)"))
            }
        }
        if let max = schema["maximum"]?.doubleValue {
            let exclusive = schema["exclusiveMaximum"]?.boolValue == true
            if exclusive ? number >= max : number > max {
                let bound = (schema["maximum"] ?? .null).jsonString()
                errors.append(.invalid(path, value, "\(path) in body should be less than \(exclusive ? "" : "or equal to ")\(bound)"))
            }
        }
    }

    private mutating func checkArray(_ items: [JSONValue], schema: JSONValue, path: String) {
        if let min = schema["minItems"]?.intValue, items.count < min {
            errors.append(.invalid(path, .int(Int64(items.count)), "\(path) in body should have at least \(min) items"))
        }
        if let max = schema["maxItems"]?.intValue, items.count > max {
            errors.append(FieldError(kind: .tooMany, field: path, detail: "Too many: \(items.count): must have at most \(max) items"))
        }
    }

    /// Enum comparison treats 1 and 1.0 as equal.
    private static func equalValues(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if let x = a.doubleValue, let y = b.doubleValue { return x == y }
        return a == b
    }
}
