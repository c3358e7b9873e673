import Expressions
import Foundation

/// One problem in a custom resource's spec: the field path (`spec.when`, `spec.filters[1].any[0]`) and a message.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// A compile error of the expression at `path`, with the caret display of `ExpressionError.description`.
    public init(path: String, _ error: ExpressionError) {
        self.init(path: path, error.description)
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// Every problem found in one spec; `description` lists them one per line (for a `Ready=False` message).
public struct SpecErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [SpecError]
    public init(_ errors: [SpecError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

/// Collects spec errors while compiling expressions.
struct SpecChecker {
    var errors: [SpecError] = []

    mutating func fail(_ path: String, _ message: String) { errors.append(SpecError(path: path, message)) }

    /// Compiles `source`; records the error under `path` and returns nil when it does not compile.
    mutating func compile(
        _ source: String, path: String, variables: Set<String>?, expecting: ExpressionType?
    ) -> CompiledExpression? {
        if source.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            fail(path, "must not be empty")
            return nil
        }
        do {
            return try Expression.compile(source, variables: variables, expecting: expecting)
        } catch {
            errors.append(SpecError(path: path, error))
            return nil
        }
    }

    func result<T>(_ value: T) -> Result<T, SpecErrors> {
        errors.isEmpty ? .success(value) : .failure(SpecErrors(errors))
    }
}
