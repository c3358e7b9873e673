import Expressions
import Foundation
import PacerCore

/// Translates a custom metric's compiled `field` and `where` (their ``ExpressionForm``) into jsonb SQL over the stored
/// CDEvent (`r.content`), so custom metrics aggregate in PostgreSQL like the four keys (docs/metrics.md, "Custom
/// metrics").
///
/// - Paths start at `context`, `subject` or `customData`.
/// - `==` / `!=` compare JSON values (numbers numerically: `1 == 1.0`); an absent field is SQL NULL, so `==` and the
///   orderings do not match it and `!=` does (as before).
/// - `<`, `<=`, `>`, `>=` compare values of the same JSON type only (a string is never less than a number, where
///   jsonb's cross-type order would say so).
/// - `&&`, `||`, `!`, and `in [literals]`.
/// - A path alone is true when the field is JSON `true`.
///
/// Anything else (arithmetic, functions, macros, paths outside the CDEvent) is not translated: nil.
enum CustomFieldSQL {
    static let roots: Set<String> = ["context", "subject", "customData"]

    /// The path (a bound `text[]` for `#>`) when `form` is a path inside the CDEvent.
    static func path(_ form: ExpressionForm) -> SQLFragment? {
        guard case .path(let parts) = form, parts.count >= 2, roots.contains(parts[0]) else { return nil }
        return "\(bind: parts)"
    }

    /// A boolean SQL condition for a `where`, or nil.
    static func condition(_ form: ExpressionForm) -> SQLFragment? {
        switch form {
        case .and(let a, let b):
            guard let left = condition(a), let right = condition(b) else { return nil }
            return "(\(left) AND \(right))"
        case .or(let a, let b):
            guard let left = condition(a), let right = condition(b) else { return nil }
            return "(\(left) OR \(right))"
        case .not(let a):
            guard let inner = condition(a) else { return nil }
            return "(NOT \(inner))"
        case .literal(.bool(let value)):
            return value ? "true" : "false"
        case .path:
            guard let operand = value(form) else { return nil }
            return "(\(operand) = 'true'::jsonb)"
        case .oneOf(let a, let values):
            guard let operand = value(a) else { return nil }
            guard !values.isEmpty else { return "false" }
            return "(\(operand) IN (\(SQLFragment(joining: values.map(jsonb), separator: ", "))))"
        case .comparison(let op, let a, let b):
            guard let left = value(a), let right = value(b) else { return nil }
            switch op {
            case .equal: return "(\(left) = \(right))"
            case .notEqual: return "(\(left) IS DISTINCT FROM \(right))"
            case .less, .lessEqual, .greater, .greaterEqual:
                return "(jsonb_typeof(\(left)) = jsonb_typeof(\(right)) AND \(left) \(op.rawValue) \(right))"
            }
        default:
            return nil
        }
    }

    /// A jsonb SQL value: a path's value in the CDEvent, or a literal.
    static func value(_ form: ExpressionForm) -> SQLFragment? {
        switch form {
        case .path: return path(form).map { path -> SQLFragment in "(r.content #> \(path))" }
        case .literal(let literal): return jsonb(literal)
        default: return nil
        }
    }

    static func jsonb(_ value: Value) -> SQLFragment {
        "\(bind: value.jsonValue.jsonString())::jsonb"
    }
}
