// The expression language (Expressions): lexer, parser and checker through Expression.compile, then the evaluator
// against a fixed CloudEvent activation, and ExpressionForm (the SQL pushdown view of a `where`).
// The input is the expression text (bytes that are not UTF-8 become U+FFFD, as in a Kubernetes string).
import Expressions
import Foundation
import PacerCore

private let payload: JSONValue = [
    "ref": "refs/heads/main", "count": 3, "ratio": 0.5, "big": 9_223_372_036_854_775_807, "flag": true,
    "createdAt": "2024-05-01T10:00:00Z", "tags": ["a", "b", "c"], "nothing": nil,
    "commits": [["id": "c1", "author": "bot", "message": "[deploy] x"], ["id": "c2", "author": "ann", "message": "y"]],
    "nested": ["a": ["b": ["c": 1]]],
]

private let activation = Activation.cloudEvent(
    id: "e1", source: "https://ci.example/x", type: "dev.cdevents.service.deployed.0.2.0", subject: "app",
    time: Date(timeIntervalSince1970: 1_714_557_600), datacontenttype: "application/json",
    extensions: ["env": .string("prod"), "attempt": .int(2)], data: payload)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let compiled = try? Expression.compile(text) {
        _ = compiled.evaluateResult(activation)
        _ = compiled.form
        _ = compiled.description
    }
    if let filter = try? Expression.compile(text, variables: Activation.cloudEventVariables, expecting: .bool) {
        _ = try? filter.evaluateBool(activation)
    }
    return 0
}
