import Expressions
import Foundation
import PacerCore
import PacerRules

/// Translates a custom metric's `where` and `field`, as PacerRules accepted them (``ComputedExpression``: the one
/// definition of what the calculator computes), into SQL over the stored CDEvent (`r.content` jsonb), with CRD strings
/// bound (docs/expressions.md, "Custom metrics"). The translation is total: every accepted form translates.
///
/// An evaluation error of the in-memory evaluator is SQL NULL here: a `where` that is NULL does not match, a `field`
/// that is NULL is not aggregated; `&&`, `||` and `!` over NULL give what CEL gives over an error (`NULL AND false` is
/// false, `NULL OR true` is true). So:
/// - an absent path is NULL (CEL: no such key); `==`, `!=`, the orderings and `in` over it are NULL;
/// - `==` / `!=` compare JSON values (numbers numerically, `1 == 1.0`; values of different types are unequal);
/// - the orderings compare two numbers, two strings (by code point) or two bools; other pairs are NULL (CEL: no
///   matching overload);
/// - a path alone is its JSON bool (NULL when it is not a bool);
/// - `has(a.f)` is true when the object `a` has the key `f`, even with a `null` value; NULL when `a` is absent or
///   not an object;
/// - numbers are computed exactly in `numeric`: `int` results outside the 64-bit range, division or remainder by
///   zero (also `x / 0.0`, which CEL makes infinite) and `double` results beyond the double range are NULL;
///   `int()` truncates toward zero; `int()`/`double()` of a string read decimal numbers only.
///
/// Subexpressions are never repeated in the generated SQL except leaf paths and literals, so its size is linear in
/// the expression's.
enum CustomFieldSQL {
    /// A boolean SQL condition (NULL: no match).
    static func condition(_ condition: ComputedExpression.Condition) -> SQLFragment {
        switch condition {
        case .constant(let value):
            return value ? "true" : "false"
        case .isTrue(let parts):
            let value = path(parts)
            return "(CASE WHEN jsonb_typeof(\(value)) = 'boolean' THEN (\(value))::boolean END)"
        case .has(let parent, let key):
            let object = path(parent)
            return "(CASE WHEN jsonb_typeof(\(object)) = 'object' THEN \(object) ? \(bind: key) END)"
        case .and(let a, let b):
            return "(\(Self.condition(a)) AND \(Self.condition(b)))"
        case .or(let a, let b):
            return "(\(Self.condition(a)) OR \(Self.condition(b)))"
        case .not(let a):
            return "(NOT \(Self.condition(a)))"
        case .oneOf(let a, let values):
            let operand = json(a)
            guard !values.isEmpty else { return "(CASE WHEN \(operand) IS NOT NULL THEN false END)" }
            return "(\(operand) IN (\(SQLFragment(joining: values.map(jsonb), separator: ", "))))"
        case .compare(let op, let a, let b):
            return compare(op, a, b)
        }
    }

    // No cast appears in a CASE arm whose operand may be a literal: PostgreSQL folds constants in arms it cannot rule
    // out, so `('"a"'::jsonb)::numeric` in an arm never taken would still fail the statement. jsonb's own ordering
    // compares numbers numerically and false < true; strings are compared as text in code-point order.
    private static func compare(_ op: ExpressionForm.Comparison, _ a: ComputedExpression.Operand, _ b: ComputedExpression.Operand) -> SQLFragment {
        switch (op, a, b) {
        case (.equal, _, _):
            return "(\(json(a)) = \(json(b)))"
        case (.notEqual, _, _):
            return "(\(json(a)) <> \(json(b)))"
        case (_, .number(let x), .number(let y)):
            return "(\(number(x)) \(op.rawValue) \(number(y)))"
        case (_, .number, _), (_, _, .number):
            // The number is written once; the other side is a path or a literal.
            let (other, otherIsLeft) = { if case .number = a { return (json(b), false) } else { return (json(a), true) } }()
            let number = otherIsLeft ? json(b) : json(a)
            let (left, right) = otherIsLeft ? (other, number) : (number, other)
            return "(CASE WHEN jsonb_typeof(\(other)) = 'number' THEN \(left) \(op.rawValue) \(right) END)"
        default:
            let left = json(a)
            let right = json(b)
            return """
                (CASE WHEN jsonb_typeof(\(left)) = jsonb_typeof(\(right)) AND jsonb_typeof(\(left)) IN ('number', 'boolean') \
                THEN \(left) \(op.rawValue) \(right) \
                WHEN jsonb_typeof(\(left)) = 'string' AND jsonb_typeof(\(right)) = 'string' \
                THEN (\(left) #>> '{}') COLLATE "C" \(op.rawValue) (\(right) #>> '{}') COLLATE "C" END)
                """
        }
    }

    /// The `field` as `(numeric, text)`: the number aggregated by sum/avg/median/p90 (NULL unless a number) and the
    /// text whose distinct values countDistinct counts.
    static func field(_ operand: ComputedExpression.Operand) -> (number: SQLFragment, text: SQLFragment) {
        switch operand {
        case .path(let parts):
            let value = path(parts)
            return ("(CASE WHEN jsonb_typeof(\(value)) = 'number' THEN (\(value))::numeric END)", "(r.content #>> \(bind: parts))")
        case .literal(let literal):
            let text: SQLFragment = "(\(json(operand)) #>> '{}')"
            switch literal {
            case .int(let i): return (number(.int(i)), text)
            case .double(let d): return (number(.double(d)), text)
            default: return ("NULL::numeric", text)
            }
        case .number(let n):
            let value = number(n)
            // Doubles by their shortest text (0.5, not 0.50000000000000000000), ints as written.
            return (value, n.type == .double ? "((\(value))::float8::text)" : "((\(value))::text)")
        }
    }

    /// A jsonb SQL value.
    static func json(_ operand: ComputedExpression.Operand) -> SQLFragment {
        switch operand {
        case .path(let parts): return path(parts)
        case .literal(let value): return jsonb(value)
        case .number(let n): return "to_jsonb(\(number(n)))"
        }
    }

    /// A numeric SQL value (NULL on an evaluation error), within the range of its type.
    static func number(_ n: ComputedExpression.Number) -> SQLFragment {
        switch n {
        case .int(let i):
            return "\(bind: String(i))::numeric"
        case .double(let d):
            return "\(bind: "\(d)")::numeric"
        case .negate(let a):
            return inRange("(- \(number(a)))", a.type)
        case .conversion(.int, .number(let a)):
            return a.type == .int ? number(a) : "trunc(\(inRange(number(a), .int)))"
        case .conversion(.double, .number(let a)):
            return number(a)
        case .conversion(let type, .literal(let literal)):
            // Decided here: a cast of a literal in a CASE arm would be constant-folded even when the arm is not taken.
            let converted: SQLFragment
            switch literal {
            case .int(let i): converted = number(.int(i))
            case .double(let d): converted = number(.double(d))
            case .string(let text) where text.count <= 100 && (type == .int ? text.wholeMatch(of: intRegex) != nil : text.wholeMatch(of: doubleRegex) != nil):
                converted = "\(bind: text)::numeric"
            default: converted = "NULL::numeric"
            }
            return type == .int ? "trunc(\(inRange(converted, .int)))" : inRange(converted, .double)
        case .conversion(let type, let operand):
            let value = json(operand)
            let text: SQLFragment = "(\(value) #>> '{}')"
            let pattern = type == .int ? intPattern : doublePattern
            let converted: SQLFragment = """
                (CASE jsonb_typeof(\(value)) WHEN 'number' THEN (\(value))::numeric \
                WHEN 'string' THEN CASE WHEN length(\(text)) <= 100 AND \(text) ~ '\(pattern)' THEN \(text)::numeric END END)
                """
            return type == .int ? "trunc(\(inRange(converted, .int)))" : inRange(converted, .double)
        case .arithmetic(let op, let a, let b, let type):
            let left = number(a)
            let right = number(b)
            switch (op, type) {
            case (.add, _), (.subtract, _), (.multiply, _):
                return inRange("(\(left) \(op.rawValue) \(right))", type)
            case (.divide, .int):
                return inRange("div(\(left), nullif(\(right), 0))", .int)
            case (.divide, .double):
                return inRange("(\(left) / nullif(\(right), 0))", .double)
            case (.remainder, _):
                return "mod(\(left), nullif(\(right), 0))"
            }
        }
    }

    /// `value` when within the type's range, else NULL (`value` written once: least/greatest clamp it to a bound just
    /// outside the range, which nullif removes).
    private static func inRange(_ value: SQLFragment, _ type: ComputedExpression.NumberType) -> SQLFragment {
        let (low, high) = type == .int
            ? ("-9223372036854775809", "9223372036854775808")
            : ("-1.7976931348623157e308", "1.7976931348623157e308")
        return "nullif(nullif(least(greatest(\(value), \(low)), \(high)), \(high)), \(low))"
    }

    /// Decimal strings as Swift's `Int64(_:)` and `Double(_:)` read them (no hexadecimal, `inf` or `nan`).
    static let intPattern = "^[+-]?[0-9]+$"
    static let doublePattern = "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,4})?$"
    nonisolated(unsafe) static let intRegex = /[+-]?[0-9]+/
    nonisolated(unsafe) static let doubleRegex = /[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]{1,4})?/

    /// The value at a path of the CDEvent (`r.content #> $1`), SQL NULL when absent.
    static func path(_ parts: [String]) -> SQLFragment {
        "(r.content #> \(bind: parts))"
    }

    static func jsonb(_ value: Value) -> SQLFragment {
        "\(bind: value.jsonValue.jsonString())::jsonb"
    }
}
