/// The entry point of Pacer's expression language, a documented subset of CEL (see docs/expressions.md).
///
/// Compile once (when a custom resource is reconciled), evaluate many times (per event):
/// ```swift
/// let when = try Expression.compile(
///     "type.startsWith('dev.cdevents.') && has(data.subject)",
///     variables: ["id", "source", "type", "subject", "time", "data"],
///     expecting: .bool)
/// ```
///
/// In files that also import Foundation (which has a generic `Expression` type), calls such as
/// `Expression.compile(…)` resolve fine; spell the type `Expressions.Expression` where a type is needed.
public enum Expression {
    /// Parses and statically checks an expression.
    ///
    /// - Parameters:
    ///   - source: The expression text.
    ///   - variables: The top-level variables callers will supply; any other name is an `.unknownVariable`
    ///     error. `nil` accepts every name (a missing one is then an evaluation error).
    ///   - expecting: The type the result must have. When the expression's type is statically known and
    ///     differs (e.g. `size(type)` for a bool filter), compilation fails with `.typeMismatch`; otherwise
    ///     the result type is checked at evaluation.
    /// - Throws: `ExpressionError` with a message, line and column, and the source line for a caret display.
    public static func compile(
        _ source: String, variables: Set<String>? = nil, expecting: ExpressionType? = nil
    ) throws(ExpressionError) -> CompiledExpression {
        let text = SourceText(source)
        let tokens = try Lexer.tokenize(text)
        var parser = Parser(source: text, tokens: tokens, variables: variables)
        let root = try parser.parseAll()
        if let expecting, let actual = root.type, actual != expecting {
            throw text.error(
                .typeMismatch, "expression must evaluate to \(expecting.shortName), but evaluates to \(actual.shortName)",
                at: tokens[0].offset)
        }
        return CompiledExpression(
            source: source, root: root, slots: parser.maxSlots, expectedType: expecting,
            referencedVariables: parser.referencedVariables)
    }
}
