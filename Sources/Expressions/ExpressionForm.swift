/// A read-only view of the simple forms of a compiled expression, for translating it into another language (the
/// calculator turns a custom metric's `where` and `field` into SQL over the stored CDEvent): field paths, literals,
/// comparisons, `&&`, `||`, `!` and `in` a literal list. ``CompiledExpression/form`` is nil for anything else
/// (arithmetic, function calls, macros, conditionals, …).
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

    public enum Comparison: String, Sendable {
        case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    }
}

extension CompiledExpression {
    /// The expression as an ``ExpressionForm``, or nil when it uses another construct.
    public var form: ExpressionForm? { ExpressionForm(root) }
}

extension ExpressionForm {
    init?(_ node: Node) {
        switch node.kind {
        case .variable(let name):
            self = .path([name])
        case .select(let operand, let field):
            guard case .path(let path)? = ExpressionForm(operand) else { return nil }
            self = .path(path + [field])
        case .index(let operand, let key):
            guard case .path(let path)? = ExpressionForm(operand), case .literal(.string(let name)) = key.kind else { return nil }
            self = .path(path + [name])
        case .literal(let value):
            guard Self.isScalar(value) else { return nil }
            self = .literal(value)
        case .not(let operand):
            guard let inner = ExpressionForm(operand) else { return nil }
            self = .not(inner)
        case .and(let a, let b):
            guard let left = ExpressionForm(a), let right = ExpressionForm(b) else { return nil }
            self = .and(left, right)
        case .or(let a, let b):
            guard let left = ExpressionForm(a), let right = ExpressionForm(b) else { return nil }
            self = .or(left, right)
        case .binary(.in, let a, let b):
            guard let operand = ExpressionForm(a), let values = Self.literalList(b) else { return nil }
            self = .oneOf(operand, values)
        case .binary(let op, let a, let b):
            guard let comparison = Comparison(rawValue: op.rawValue), let left = ExpressionForm(a), let right = ExpressionForm(b) else { return nil }
            self = .comparison(comparison, left, right)
        default:
            return nil
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
