/// An expression parsed and checked once, ready to evaluate many times (it is immutable and `Sendable`).
///
/// ```swift
/// let filter = try Expression.compile("type == 'dev.example.push' && data.ref == 'main'", expecting: .bool)
/// let matched = try filter.evaluateBool(["type": "dev.example.push", "data": Value(json: payload)])
/// ```
public struct CompiledExpression: Sendable, CustomStringConvertible {
    /// The source text as written.
    public let source: String
    /// The result type when it is known statically (`nil` when it depends on the input, e.g. `data.x`).
    public let resultType: ExpressionType?
    /// The type the result must have (from `compile(_:variables:expecting:)`); checked at evaluation too.
    public let expectedType: ExpressionType?
    /// The top-level variables the expression reads.
    public let referencedVariables: Set<String>

    let root: Node
    let slots: Int

    init(source: String, root: Node, slots: Int, expectedType: ExpressionType?, referencedVariables: Set<String>) {
        self.source = source
        self.root = root
        self.slots = slots
        self.resultType = root.type
        self.expectedType = expectedType
        self.referencedVariables = referencedVariables
    }

    public var description: String { source }

    /// Evaluates against an activation (top-level variable name → value).
    ///
    /// Never traps: missing keys, bad indexes, overflow, division by zero and type mismatches are
    /// `EvaluationError`s. When the expression was compiled with `expecting:`, a result of another type is an
    /// `.unexpectedResultType` error.
    public func evaluate(_ activation: [String: Value]) throws(EvaluationError) -> Value {
        var evaluator = Evaluator(activation: activation, slots: slots)
        let value = try evaluator.eval(root)
        if let expectedType, value.type != expectedType {
            throw root.error(.unexpectedResultType, "expected a \(expectedType.shortName) result, got \(value.type.shortName)")
        }
        return value
    }

    /// `evaluate(_:)` as a `Result`.
    public func evaluateResult(_ activation: [String: Value]) -> Result<Value, EvaluationError> {
        do {
            return .success(try evaluate(activation))
        } catch {
            return .failure(error)
        }
    }

    /// Evaluates a filter: the result must be a bool (`.unexpectedResultType` otherwise).
    public func evaluateBool(_ activation: [String: Value]) throws(EvaluationError) -> Bool {
        let value = try evaluate(activation)
        guard case .bool(let b) = value else {
            throw root.error(.unexpectedResultType, "expected a bool result, got \(value.type.shortName)")
        }
        return b
    }
}
