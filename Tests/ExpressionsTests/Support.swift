import PacerCore
import Testing

@testable import Expressions

/// Compiles and evaluates in one step.
func eval(_ source: String, _ activation: [String: Value] = [:]) throws -> Value {
    try Expression.compile(source).evaluate(activation)
}

/// The compile error of `source`, or nil when it compiles.
func compileError(_ source: String, variables: Set<String>? = nil, expecting: ExpressionType? = nil) -> ExpressionError? {
    do {
        _ = try Expression.compile(source, variables: variables, expecting: expecting)
        return nil
    } catch {
        return error
    }
}

/// The evaluation error of `source`, or nil when it evaluates.
func evaluationError(_ source: String, _ activation: [String: Value] = [:]) throws -> EvaluationError? {
    let compiled = try Expression.compile(source)
    do {
        _ = try compiled.evaluate(activation)
        return nil
    } catch {
        return error
    }
}

/// A CloudEvent-shaped activation, as the pipeline builds it.
func cloudEvent() throws -> [String: Value] {
    let data = try JSONValue.parse(
        #"""
        {"a": {"b": 1, "c": [10, 20, 30]}, "my-key": "v", "ratio": 0.5, "empty": null,
         "ref": "refs/heads/main", "committed": "2024-05-01T10:00:00Z", "deployed": "2024-05-01T22:30:00Z",
         "commits": [{"id": "x", "author": "ann"}, {"id": "y", "author": "bob"}], "labels": {"team": "core"}}
        """#)
    return [
        "id": "e-1", "source": "/github/acme", "type": "dev.example.push", "specversion": "1.0",
        "subject": "acme/app", "datacontenttype": "application/json",
        "time": .timestamp(try #require(CELTimestamp.parse("2024-05-01T12:00:00Z"))),
        "partitionkey": "p1",
        "data": Value(json: data),
    ]
}
