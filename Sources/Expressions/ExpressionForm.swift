/// A read-only view of the simple forms of a compiled expression, for translating it into another language (the
/// calculator turns a custom metric's `where` and `field` into SQL over the stored CDEvent): field paths, literals,
/// comparisons, `&&`, `||`, `!`, `in` a literal list, `has()`, arithmetic, negation and the `int()` / `double()`
/// conversions. Every other construct is an ``unsupported(_:)`` node that names it (`size()`, `the ?: operator`), so a
/// translator can say what it cannot translate.
public indirect enum ExpressionForm: Sendable, Equatable {
    /// A variable and the fields selected from it: `customData.team` is `["customData", "team"]`;
    /// `customData["my-key"]` is `["customData", "my-key"]`.
    case path([String])
    /// null, a bool, an int, a uint, a double or a string.
    case literal(Value)
    case comparison(Comparison, ExpressionForm, ExpressionForm)
    case and(ExpressionForm, ExpressionForm)
    case or(ExpressionForm, ExpressionForm)
    case not(ExpressionForm)
    /// `operand in [literal, …]`.
    case oneOf(ExpressionForm, [Value])
    /// `has(a.b.f)`: the path of the field whose presence is tested (`["a", "b", "f"]`).
    case has([String])
    /// `a + b`, `a - b`, `a * b`, `a / b`, `a % b`.
    case arithmetic(Arithmetic, ExpressionForm, ExpressionForm)
    /// `-a` (a negative number literal is a ``literal(_:)``).
    case negate(ExpressionForm)
    /// `int(a)`, `double(a)`.
    case conversion(Conversion, ExpressionForm)
    /// Any other construct, named for a message: `size()`, `the ?: operator`, `a list literal`.
    case unsupported(String)

    public enum Comparison: String, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    }

    public enum Arithmetic: String, Sendable {
        case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    }

    public enum Conversion: String, Sendable {
        case int, double
    }
}

extension CompiledExpression {
    /// The expression as an ``ExpressionForm``.
    public var form: ExpressionForm { ExpressionForm(root) }
}

extension ExpressionForm {
    init(_ node: Node) {
        switch node.kind {
        case .variable(let name):
            self = .path([name])
        case .select(let operand, let field):
            guard case .path(let path) = ExpressionForm(operand) else {
                self = .unsupported("a field of something other than a field path (.\(field))")
                return
            }
            self = .path(path + [field])
        case .index(let operand, let key):
            guard case .path(let path) = ExpressionForm(operand), case .literal(.string(let name)) = key.kind else {
                self = .unsupported("an index other than a string literal on a field path ([…])")
                return
            }
            self = .path(path + [name])
        case .presence(let operand, let field):
            guard case .path(let path) = ExpressionForm(operand) else {
                self = .unsupported("has() of something other than a field path")
                return
            }
            self = .has(path + [field])
        case .literal(let value):
            self = Self.isScalar(value) ? .literal(value) : .unsupported("a \(value.type.shortName) literal")
        case .not(let operand):
            self = .not(ExpressionForm(operand))
        case .negate(let operand):
            self = .negate(ExpressionForm(operand))
        case .and(let a, let b):
            self = .and(ExpressionForm(a), ExpressionForm(b))
        case .or(let a, let b):
            self = .or(ExpressionForm(a), ExpressionForm(b))
        case .binary(.in, let a, let b):
            guard let values = Self.literalList(b) else {
                self = .unsupported("in with something other than a list of literals")
                return
            }
            self = .oneOf(ExpressionForm(a), values)
        case .binary(let op, let a, let b):
            if let comparison = Comparison(rawValue: op.rawValue) {
                self = .comparison(comparison, ExpressionForm(a), ExpressionForm(b))
            } else if let arithmetic = Arithmetic(rawValue: op.rawValue) {
                self = .arithmetic(arithmetic, ExpressionForm(a), ExpressionForm(b))
            } else {
                self = .unsupported("the \(op.rawValue) operator")
            }
        case .call(.int, let args) where args.count == 1:
            self = .conversion(.int, ExpressionForm(args[0]))
        case .call(.double, let args) where args.count == 1:
            self = .conversion(.double, ExpressionForm(args[0]))
        case .call(let builtin, _):
            self = .unsupported("\(builtin.rawValue)()")
        case .matchesLiteral:
            self = .unsupported("matches()")
        case .conditional:
            self = .unsupported("the ?: operator")
        case .list:
            self = .unsupported("a list literal")
        case .map:
            self = .unsupported("a map literal")
        case .comprehension(let comprehension):
            self = .unsupported("the \(comprehension.kind.rawValue)() macro")
        case .local:
            self = .unsupported("a macro variable")
        }
    }

    private static func isScalar(_ value: Value) -> Bool {
        switch value {
        case .null, .bool, .int, .uint, .double, .string: return true
        default: return false
        }
    }

    private static func literalList(_ node: Node) -> [Value]? {
        switch node.kind {
        case .literal(.list(let values)):
            return values.allSatisfy(isScalar) ? values : nil
        case .list(let items):
            var values: [Value] = []
            for item in items {
                guard case .literal(let value) = item.kind, isScalar(value) else { return nil }
                values.append(value)
            }
            return values
        default:
            return nil
        }
    }
}
