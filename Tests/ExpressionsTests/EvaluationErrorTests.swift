import Testing

@testable import Expressions

@Suite("Evaluation errors")
struct EvaluationErrorTests {
    @Test("missing key, with the position of the selection")
    func missingKey() throws {
        let error = try #require(try evaluationError("data.foo == 1", try cloudEvent()))
        #expect(error.code == .noSuchKey)
        #expect(error.message == "no such key: foo")
        #expect(error.description == "1:5: no such key: foo")
        #expect(try evaluationError("data['no-key']", try cloudEvent())?.message == "no such key: no-key")
        #expect(try evaluationError("data.a.b.c", try cloudEvent())?.message == "type 'int' does not support field selection (.c)")
    }

    @Test("missing top-level variable")
    func missingVariable() throws {
        let error = try #require(try evaluationError("dataschema == 'x'", try cloudEvent()))
        #expect(error.code == .noSuchVariable)
        #expect(error.message == "no such variable: dataschema")
    }

    @Test("index out of range")
    func indexOutOfRange() throws {
        let error = try #require(try evaluationError("data.a.c[5]", try cloudEvent()))
        #expect(error.code == .indexOutOfRange)
        #expect(error.description == "1:9: index out of range: 5 (list size 3)")
        #expect(try evaluationError("[1][-1]")?.code == .indexOutOfRange)
        #expect(try evaluationError("[1][dyn(0.5)]")?.code == .noMatchingOverload)
        #expect(try eval("[1, 2][1u]") == .int(2))
    }

    @Test("division and modulus by zero")
    func divisionByZero() throws {
        let error = try #require(try evaluationError("data.a.b / 0", try cloudEvent()))
        #expect(error.code == .divisionByZero)
        #expect(error.description == "1:10: division by zero")
        #expect(try evaluationError("5 % 0")?.message == "modulus by zero")
        #expect(try evaluationError("5u / 0u")?.code == .divisionByZero)
    }

    @Test("integer overflow")
    func overflow() throws {
        let error = try #require(try evaluationError("9223372036854775807 + data.a.b", try cloudEvent()))
        #expect(error.code == .overflow)
        #expect(error.message == "integer overflow: 9223372036854775807 + 1")
        #expect(try evaluationError("-9223372036854775808 - 1")?.code == .overflow)
        #expect(try evaluationError("-9223372036854775808 / -1")?.code == .overflow)
        #expect(try evaluationError("-(-9223372036854775808)")?.code == .overflow)
        #expect(try evaluationError("4611686018427387904 * 2")?.code == .overflow)
        #expect(try evaluationError("0u - 1u")?.message == "unsigned integer overflow: 0u - 1u")
    }

    @Test("bad timestamp and duration strings")
    func badTimeStrings() throws {
        let error = try #require(try evaluationError("timestamp(data.ref) > time", try cloudEvent()))
        #expect(error.code == .invalidArgument)
        #expect(error.description == "1:1: invalid timestamp \"refs/heads/main\" (expected RFC 3339, such as 2024-05-01T10:00:00Z)")
        #expect(try evaluationError("duration(data['my-key'])", try cloudEvent())?.code == .invalidArgument)
    }

    @Test("type mismatches at runtime")
    func runtimeTypes() throws {
        let activation = try cloudEvent()
        #expect(try evaluationError("data.a + 1", activation)?.message == "no matching overload for '+' applied to (map, int)")
        #expect(try evaluationError("data.ref < 1", activation)?.message == "no matching overload for '<' applied to (string, int)")
        #expect(try evaluationError("data.a.b.startsWith('x')", activation)?.message
            == "no matching overload for 'startsWith' applied to (int, string)")
        #expect(try evaluationError("has(data.ref.x)", activation)?.message == "has() needs a map, not string")
        #expect(try evaluationError("data.ref in data.a.b", activation)?.code == .noMatchingOverload)
        #expect(try evaluationError("{dyn(1): 2}")?.message == "map keys must be strings, not int")
        #expect(try evaluationError("{'a': 1, 'a': 2}")?.message == "duplicate key in map literal: a")
    }

    @Test("a result of the wrong type when a type was expected")
    func unexpectedResult() throws {
        let filter = try Expression.compile("data.ref", expecting: .bool)
        #expect(throws: EvaluationError.self) { try filter.evaluate(try cloudEvent()) }
        let result = filter.evaluateResult(try cloudEvent())
        guard case .failure(let error) = result else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .unexpectedResultType)
        #expect(error.message == "expected a bool result, got string")
        let untyped = try Expression.compile("data.ref")
        #expect(throws: EvaluationError.self) { try untyped.evaluateBool(try cloudEvent()) }
        #expect(try Expression.compile("data.a.b == 1").evaluateBool(try cloudEvent()))
    }
}
