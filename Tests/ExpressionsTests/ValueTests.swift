import PacerCore
import Testing

@testable import Expressions

@Suite("Value and JSON conversion")
struct ValueTests {
    @Test("JSON converts to values and back unchanged")
    func jsonRoundTrip() throws {
        let json = try JSONValue.parse(#"{"a": [1, 2.5, "x", true, null], "b": {"c": -7}}"#)
        let value = Value(json: json)
        #expect(value == .map(["a": [1, 2.5, "x", true, nil], "b": ["c": -7]]))
        #expect(value.jsonValue == json)
    }

    @Test("transform results serialise as JSON: timestamps RFC 3339, durations CEL strings")
    func resultsToJSON() throws {
        let result = try eval("""
            {'at': timestamp('2024-05-01T12:00:00+02:00'), 'took': duration('1h'), 'n': 3u, 'ratio': 0.5,
             'id': 'x', 'raw': b'hi', 'tags': ['a']}
            """)
        #expect(result.jsonValue == [
            "at": "2024-05-01T10:00:00Z", "took": "3600s", "n": 3, "ratio": 0.5, "id": "x", "raw": "aGk=", "tags": ["a"],
        ])
        #expect(Value.double(.nan).jsonValue == "NaN")
        #expect(Value.uint(UInt64.max).jsonValue == .double(18_446_744_073_709_551_615))
    }

    @Test("runtime types and descriptions")
    func types() throws {
        #expect(Value.string("a").type == .string)
        #expect(try eval("duration('1s')").type == .duration)
        #expect(ExpressionType.timestamp.description == "google.protobuf.Timestamp")
        #expect(try eval("[1, 'a', 2u, 1.5, {'k': null}]").description == #"[1, "a", 2u, 1.5, {"k": null}]"#)
        #expect(try eval("timestamp('2024-05-01T10:00:00Z')").description == #"timestamp("2024-05-01T10:00:00Z")"#)
    }

    @Test("string(double) follows Go's shortest %g formatting")
    func doubleFormatting() {
        #expect(DoubleFormatting.cel(1.5) == "1.5")
        #expect(DoubleFormatting.cel(100) == "100")
        #expect(DoubleFormatting.cel(123456) == "123456")
        #expect(DoubleFormatting.cel(1234567) == "1.234567e+06")
        #expect(DoubleFormatting.cel(1e6) == "1e+06")
        #expect(DoubleFormatting.cel(0.0001) == "0.0001")
        #expect(DoubleFormatting.cel(0.00001) == "1e-05")
        #expect(DoubleFormatting.cel(-2.5e-10) == "-2.5e-10")
        #expect(DoubleFormatting.cel(.infinity) == "+Inf")
    }

    @Test("compiled expressions are values that can be shared across tasks")
    func sendable() async throws {
        let compiled = try Expression.compile("data.a.b + 1")
        let activation = try cloudEvent()
        let results = await withTaskGroup(of: Value?.self) { group in
            for _ in 0..<8 { group.addTask { try? compiled.evaluate(activation) } }
            var all: [Value?] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(results == Array(repeating: .int(2), count: 8))
    }
}
