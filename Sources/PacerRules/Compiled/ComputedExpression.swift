import Expressions

/// The part of the expression language the metric calculator computes in SQL, for a custom metric's `where` and
/// `field` (docs/expressions.md, "Custom metrics"). This is the one definition of "computable": `compile()` of a
/// MetricDefinition builds these forms (a construct outside them makes the spec invalid, so the definition is not
/// Ready), and the calculator translates exactly these forms, with no way to fail.
///
/// Numbers are statically typed, as the evaluator types them: an `int` or a `double` literal, `int(x)`, `double(x)`,
/// and arithmetic on two numbers of the same type. A field's JSON number is `int` or `double` per event, so arithmetic
/// on a field needs a conversion (`double(customData.x) / 60.0`); CEL does not mix `int` and `double`.
public enum ComputedExpression {
    /// A condition (`where`): its value is true, false, or no value (an evaluation error), and only true matches.
    public indirect enum Condition: Sendable, Equatable {
        case constant(Bool)
        /// A path alone: true when the field is JSON `true`.
        case isTrue([String])
        /// `has(a.f)`: the map `a` has the key `f` (even with a `null` value); no value when `a` is absent or not a map.
        case has(parent: [String], key: String)
        case and(Condition, Condition)
        case or(Condition, Condition)
        case not(Condition)
        case compare(ExpressionForm.Comparison, Operand, Operand)
        /// `operand in [literals]`.
        case oneOf(Operand, [Value])
    }

    /// A value: compared in a condition, or aggregated as the `field`.
    public indirect enum Operand: Sendable, Equatable {
        /// The JSON value at a path of the CDEvent (`["customData", "x"]`), of any JSON type; absent: no value.
        case path([String])
        /// null, a bool, an int, a uint, a double or a string.
        case literal(Value)
        case number(Number)
    }

    public enum NumberType: String, Sendable {
        case int, double
    }

    /// A number of a statically known type; no value on an evaluation error (a conversion that fails, an `int`
    /// overflow, a division or remainder by zero).
    public indirect enum Number: Sendable, Equatable {
        case int(Int64)
        case double(Double)
        /// `int(x)` or `double(x)` of a field, a literal or a number.
        case conversion(NumberType, Operand)
        /// Both operands have the number's type.
        case arithmetic(ExpressionForm.Arithmetic, Number, Number, NumberType)
        case negate(Number)

        public var type: NumberType {
            switch self {
            case .int: return .int
            case .double: return .double
            case .conversion(let type, _), .arithmetic(_, _, _, let type): return type
            case .negate(let operand): return operand.type
            }
        }
    }

    /// The variables a path may start with.
    public static let roots: Set<String> = ["context", "subject", "customData"]

    /// What the calculator computes, for messages.
    public static let supported =
        "fields of context, subject and customData, literals, ==, !=, <, <=, >, >=, &&, ||, !, in [literals], has(), "
        + "int(), double(), and + - * / % (% on int only) and unary - on int or double numbers"

    /// Why an expression is not computable, naming the construct.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public let construct: String
        public let message: String
        public var description: String { message }

        init(_ construct: String, _ why: String? = nil) {
            self.construct = construct
            self.message = "\(construct) is not supported by the calculator\(why.map { " (\($0))" } ?? "") (supported: \(ComputedExpression.supported))"
        }
    }

    /// A `where` as a condition.
    public static func condition(_ form: ExpressionForm) throws(Refusal) -> Condition {
        switch form {
        case .literal(.bool(let value)): return .constant(value)
        case .path: return .isTrue(try path(form))
        case .has(let parts):
            _ = try path(.path(parts))
            return .has(parent: Array(parts.dropLast()), key: parts[parts.count - 1])
        case .and(let a, let b): return .and(try condition(a), try condition(b))
        case .or(let a, let b): return .or(try condition(a), try condition(b))
        case .not(let a): return .not(try condition(a))
        case .comparison(let op, let a, let b): return .compare(op, try operand(a), try operand(b))
        case .oneOf(let a, let values):
            if values.contains(where: { if case .uint = $0 { return true } else { return false } }) {
                throw Refusal("a uint literal", "use an int")
            }
            return .oneOf(try operand(a), values)
        case .unsupported(let construct): throw Refusal(construct)
        case .literal, .arithmetic, .negate, .conversion:
            throw Refusal("a \(describe(form)) where a condition is expected")
        }
    }

    /// A `field`, or an operand of a comparison.
    public static func operand(_ form: ExpressionForm) throws(Refusal) -> Operand {
        switch form {
        case .path: return .path(try path(form))
        case .literal(.uint): throw Refusal("a uint literal", "use an int")
        case .literal(.double(let d)) where !d.isFinite: throw Refusal("a non-finite double literal")
        case .literal(let value): return .literal(value)
        case .arithmetic, .negate, .conversion: return .number(try number(form))
        case .unsupported(let construct): throw Refusal(construct)
        case .comparison, .and, .or, .not, .oneOf, .has:
            throw Refusal("a condition (\(describe(form))) used as a value")
        }
    }

    /// An operand of arithmetic or negation: its type must be known.
    static func number(_ form: ExpressionForm) throws(Refusal) -> Number {
        switch form {
        case .literal(.int(let i)): return .int(i)
        case .literal(.double(let d)):
            guard d.isFinite else { throw Refusal("a non-finite double literal") }
            return .double(d)
        case .conversion(let to, let argument):
            let type: NumberType = to == .int ? .int : .double
            return .conversion(type, try operand(argument))
        case .negate(let a):
            return .negate(try number(a))
        case .arithmetic(let op, let a, let b):
            let left = try number(a)
            let right = try number(b)
            guard left.type == right.type else {
                throw Refusal("\(op.rawValue) on an \(left.type.rawValue) and a \(right.type.rawValue)", "CEL does not mix them: convert one with int() or double()")
            }
            if op == .remainder && left.type == .double { throw Refusal("% on doubles") }
            return .arithmetic(op, left, right, left.type)
        case .path(let parts):
            let text = render(parts)
            throw Refusal(
                "arithmetic on \(text)",
                "its type is only known per event: convert it, e.g. double(\(text)) or int(\(text))")
        case .unsupported(let construct): throw Refusal(construct)
        default:
            throw Refusal("arithmetic on a \(describe(form))")
        }
    }

    static func path(_ form: ExpressionForm) throws(Refusal) -> [String] {
        guard case .path(let parts) = form, let root = parts.first, roots.contains(root) else {
            throw Refusal("a \(describe(form))", "paths start at context, subject or customData")
        }
        guard parts.count >= 2 else { throw Refusal("the whole variable \(root)", "select a field, e.g. \(root).x") }
        return parts
    }

    /// A path as CEL text: `customData.x`, `customData["my-key"]`.
    static func render(_ parts: [String]) -> String {
        var text = parts.first ?? ""
        for part in parts.dropFirst() {
            let identifier = part.first.map { $0 == "_" || ($0.isASCII && $0.isLetter) } == true
                && part.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
            text += identifier ? ".\(part)" : "[\"\(part)\"]"
        }
        return text
    }

    private static func describe(_ form: ExpressionForm) -> String {
        switch form {
        case .path(let parts): return "field path \(render(parts))"
        case .literal(let value): return "literal \(value)"
        case .comparison(let op, _, _): return "comparison \(op.rawValue)"
        case .and: return "&&"
        case .or: return "||"
        case .not: return "!"
        case .oneOf: return "in"
        case .has: return "has()"
        case .arithmetic(let op, _, _): return "arithmetic \(op.rawValue)"
        case .negate: return "negation"
        case .conversion(let to, _): return "\(to.rawValue)()"
        case .unsupported(let construct): return construct
        }
    }
}
