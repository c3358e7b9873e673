import Testing

@testable import Expressions

@Suite("Operators")
struct OperatorTests {
    @Test("integer arithmetic")
    func intArithmetic() throws {
        #expect(try eval("7 + 3") == .int(10))
        #expect(try eval("7 - 10") == .int(-3))
        #expect(try eval("6 * 7") == .int(42))
        #expect(try eval("7 / 2") == .int(3))
        #expect(try eval("-7 / 2") == .int(-3))
        #expect(try eval("7 % 3") == .int(1))
        #expect(try eval("-7 % 3") == .int(-1))
    }

    @Test("uint and double arithmetic")
    func otherArithmetic() throws {
        #expect(try eval("3u + 4u") == .uint(7))
        #expect(try eval("10u / 3u") == .uint(3))
        #expect(try eval("10u % 3u") == .uint(1))
        #expect(try eval("1.5 + 2.25") == .double(3.75))
        #expect(try eval("1.0 / 4.0") == .double(0.25))
        #expect(try eval("1.0 / 0.0") == .double(.infinity))
        #expect(try eval("2.0 * -1.5") == .double(-3))
    }

    @Test("+ concatenates strings, bytes and lists")
    func concatenation() throws {
        #expect(try eval("'dev.' + 'example'") == .string("dev.example"))
        #expect(try eval("b'a' + b'b'") == .bytes([0x61, 0x62]))
        #expect(try eval("[1] + [2, 3]") == .list([1, 2, 3]))
    }

    @Test("comparisons on numbers, strings, bools, bytes")
    func comparisons() throws {
        #expect(try eval("1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3") == .bool(true))
        #expect(try eval("'abc' < 'abd' && 'b' > 'a' && 'a' < 'aa'") == .bool(true))
        #expect(try eval("'Z' < 'a'") == .bool(true))  // code point order
        #expect(try eval("false < true") == .bool(true))
        #expect(try eval("b'a' < b'b'") == .bool(true))
        #expect(try eval("1 < 1.5 && 2u > 1 && -1 < 0u && 1.5 > 1u") == .bool(true))
    }

    @Test("heterogeneous numeric equality: int, uint and double compare by value")
    func heterogeneousEquality() throws {
        let activation = try cloudEvent()
        #expect(try eval("1 == 1.0") == .bool(true))
        #expect(try eval("1 == 1u") == .bool(true))
        #expect(try eval("1u == 1.0") == .bool(true))
        #expect(try eval("1 != 1.5") == .bool(true))
        #expect(try eval("-1 == 18446744073709551615u") == .bool(false))
        #expect(try eval("9007199254740993 == 9007199254740992.0") == .bool(false))
        #expect(try eval("data.a.b == 1.0", activation) == .bool(true))
        #expect(try eval("data.ratio == 0.5", activation) == .bool(true))
        #expect(try eval("[1, 2.0] == [1.0, 2u]") == .bool(true))
        #expect(try eval("{'a': 1} == {'a': 1.0}") == .bool(true))
    }

    @Test("equality of other types: deep, and false (not an error) across types")
    func equality() throws {
        #expect(try eval("'a' == 'a' && 'a' != 'b'") == .bool(true))
        #expect(try eval("[1, [2, 3]] == [1, [2, 3]]") == .bool(true))
        #expect(try eval("[1, 2] == [2, 1]") == .bool(false))
        #expect(try eval("{'a': [1], 'b': 'x'} == {'b': 'x', 'a': [1]}") == .bool(true))
        #expect(try eval("{'a': 1} == {'a': 1, 'b': 2}") == .bool(false))
        #expect(try eval("null == null") == .bool(true))
        #expect(try eval("dyn(1) == 'a'") == .bool(false))
        #expect(try eval("dyn('a') != null") == .bool(true))
        #expect(try eval("data.empty == null", try cloudEvent()) == .bool(true))
        #expect(try eval("0.0 / 0.0 == 0.0 / 0.0") == .bool(false))  // NaN
    }

    @Test("in tests list membership and map keys")
    func membership() throws {
        let activation = try cloudEvent()
        #expect(try eval("2 in [1, 2, 3]") == .bool(true))
        #expect(try eval("2.0 in [1, 2, 3]") == .bool(true))
        #expect(try eval("'x' in ['a']") == .bool(false))
        #expect(try eval("'team' in data.labels", activation) == .bool(true))
        #expect(try eval("'owner' in data.labels", activation) == .bool(false))
        #expect(try eval("type in ['dev.example.push', 'dev.example.tag']", activation) == .bool(true))
        #expect(try eval("1 in {'1': true}") == .bool(false))
    }

    @Test("&& and || absorb errors on the other side, in either order")
    func errorAbsorption() throws {
        let activation = try cloudEvent()
        #expect(try eval("false && data.missing", activation) == .bool(false))
        #expect(try eval("data.missing && false", activation) == .bool(false))
        #expect(try eval("true || data.missing", activation) == .bool(true))
        #expect(try eval("data.missing || true", activation) == .bool(true))
        #expect(try eval("1 / 0 == 1 || type == 'dev.example.push'", activation) == .bool(true))
        #expect(try eval("dyn('x') && false") == .bool(false))
        #expect(try evaluationError("true && data.missing", activation)?.message == "no such key: missing")
        #expect(try evaluationError("data.missing || false", activation)?.message == "no such key: missing")
        // When both sides fail, the left error is reported.
        #expect(try evaluationError("data.one || data.two", activation)?.message == "no such key: one")
        #expect(try evaluationError("dyn('x') && true")?.code == .noMatchingOverload)
    }

    @Test("conditional evaluates only the chosen branch")
    func conditionalShortCircuit() throws {
        let activation = try cloudEvent()
        #expect(try eval("has(data.nope) ? data.nope : 'default'", activation) == .string("default"))
        #expect(try eval("true ? 1 : 1 / 0") == .int(1))
        #expect(try evaluationError("dyn(1) ? 1 : 2")?.code == .noMatchingOverload)
    }

    @Test("unary minus and not")
    func unary() throws {
        #expect(try eval("-dyn(5)") == .int(-5))
        #expect(try eval("-dyn(2.5)") == .double(-2.5))
        #expect(try eval("!dyn(false)") == .bool(true))
        #expect(try evaluationError("-dyn('a')")?.message == "no matching overload for '-' applied to (string)")
        #expect(try evaluationError("!dyn(1)")?.message == "no matching overload for '!' applied to (int)")
    }

    @Test("mixed int and double arithmetic has no overload, as in CEL")
    func noMixedArithmetic() throws {
        #expect(try evaluationError("dyn(1) + 1.5")?.message == "no matching overload for '+' applied to (int, double)")
        #expect(compileError("1 + 1.5")?.message == "found no matching overload for '+' applied to (int, double)")
        #expect(try eval("double(1) + 1.5") == .double(2.5))
    }
}

@Suite("String equality")
struct StringEqualityTests {
    @Test("strings compare by code points, not by canonical equivalence")
    func codePoints() throws {
        #expect(Value.string("\u{E9}") != Value.string("e\u{301}"))
        #expect(try eval("'caf\\u00e9' == 'café'") == .bool(true))
    }
}
