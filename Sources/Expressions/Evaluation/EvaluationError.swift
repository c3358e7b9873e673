/// A runtime error of an expression: a missing key, a bad index, an overflow, a value of the wrong type.
///
/// As in CEL, errors are values: `&&` and `||` absorb an error when the other side decides the result
/// (`false && error` is `false`, `true || error` is `true`). Callers usually count these per rule.
public struct EvaluationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        public let name: String
        public var description: String { name }

        /// A map has no such key (`data.foo` when `data` has no `foo`).
        public static let noSuchKey = Code(name: "noSuchKey")
        /// The activation has no such top-level variable.
        public static let noSuchVariable = Code(name: "noSuchVariable")
        /// A list index outside `0..<size`.
        public static let indexOutOfRange = Code(name: "indexOutOfRange")
        /// Integer division or modulus by zero.
        public static let divisionByZero = Code(name: "divisionByZero")
        /// Integer overflow, or a timestamp/duration outside CEL's range.
        public static let overflow = Code(name: "overflow")
        /// An operator or function applied to values of types it does not accept.
        public static let noMatchingOverload = Code(name: "noMatchingOverload")
        /// A function argument with a bad value: a malformed timestamp, duration, number or regex.
        public static let invalidArgument = Code(name: "invalidArgument")
        /// The result does not have the type the expression was compiled to produce (`expecting:`).
        public static let unexpectedResultType = Code(name: "unexpectedResultType")
    }

    public let code: Code
    /// The message alone (`no such key: foo`).
    public let message: String
    /// 1-based line and column of the sub-expression that failed.
    public let line: Int
    public let column: Int

    public init(code: Code, message: String, line: Int, column: Int) {
        self.code = code
        self.message = message
        self.line = line
        self.column = column
    }

    /// `line:column: message`.
    public var description: String { "\(line):\(column): \(message)" }
}
