/// A compile-time error: the expression does not parse or fails a static check.
///
/// `description` renders the message with its position and the offending line with a caret:
/// ```
/// 1:16: unexpected token ')', expected an expression
///   type == 'a' && )
///                  ^
/// ```
public struct ExpressionError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem was found.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public var description: String { name }

        /// The text is not valid syntax (bad token, unclosed parenthesis, bad escape, …).
        public static let syntax = Code(name: "syntax")
        /// A top-level variable that is not among the declared `variables`.
        public static let unknownVariable = Code(name: "unknownVariable")
        /// A function or method that the language does not have.
        public static let unknownFunction = Code(name: "unknownFunction")
        /// A function called with the wrong number of arguments.
        public static let wrongArity = Code(name: "wrongArity")
        /// An operation whose operand types are statically known not to fit, or a result of the wrong type.
        public static let typeMismatch = Code(name: "typeMismatch")
        /// A literal that is not valid for its use: a bad regular expression, timestamp or duration literal.
        public static let invalidLiteral = Code(name: "invalidLiteral")
    }

    public let code: Code
    /// The message alone, without position (`unknown variable 'foo'`).
    public let message: String
    /// 1-based line of the offending token.
    public let line: Int
    /// 1-based column (in characters) of the offending token.
    public let column: Int
    /// The full source line that contains the offending token.
    public let sourceLine: String

    public init(code: Code, message: String, line: Int, column: Int, sourceLine: String) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
        self.sourceLine = sourceLine
    }

    /// `line:column: message`, then the source line and a caret under the offending column.
    public var description: String {
        var caret = ""
        for ch in sourceLine.prefix(max(0, column - 1)) { caret.append(ch == "\t" ? "\t" : " ") }
        return "\(line):\(column): \(message)\n  \(sourceLine)\n  \(caret)^"
    }
}
