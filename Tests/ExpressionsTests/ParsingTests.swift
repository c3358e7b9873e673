import Testing

@testable import Expressions

@Suite("Parsing: literals, precedence, associativity")
struct ParsingTests {
    @Test("integer, uint, double, bool, null literals")
    func scalarLiterals() throws {
        #expect(try eval("42") == .int(42))
        #expect(try eval("0x1F") == .int(31))
        #expect(try eval("7u") == .uint(7))
        #expect(try eval("-9223372036854775808") == .int(Int64.min))
        #expect(try eval("1.5") == .double(1.5))
        #expect(try eval("2e3") == .double(2000))
        #expect(try eval(".5") == .double(0.5))
        #expect(try eval("-1.25e-2") == .double(-0.0125))
        #expect(try eval("true") == .bool(true))
        #expect(try eval("false") == .bool(false))
        #expect(try eval("null") == .null)
    }

    @Test("string literals with both quotes, escapes, raw, triple-quoted and bytes")
    func stringLiterals() throws {
        #expect(try eval(#"'it\'s'"#) == .string("it's"))
        #expect(try eval(#""say \"hi\"""#) == .string("say \"hi\""))
        #expect(try eval(#"'a\tb\nc\\d'"#) == .string("a\tb\nc\\d"))
        #expect(try eval(#"'\x41\u00e9\U0001F600\101'"#) == .string("Aé😀A"))
        #expect(try eval(#"r'\d+\.\w'"#) == .string(#"\d+\.\w"#))
        #expect(try eval(#"R"C:\path""#) == .string(#"C:\path"#))
        #expect(try eval("'''line1\nline2'''") == .string("line1\nline2"))
        #expect(try eval(#""""has "quotes" inside""""#) == .string(#"has "quotes" inside"#))
        #expect(try eval(#"b'\xff\x00a'"#) == .bytes([0xFF, 0x00, 0x61]))
        #expect(try eval("'héllo'") == .string("héllo"))
    }

    @Test("list and map literals, with trailing commas")
    func aggregateLiterals() throws {
        #expect(try eval("[1, 'a', true,]") == .list([1, "a", true]))
        #expect(try eval("[]") == .list([]))
        #expect(try eval("{'a': 1, \"b\": [2],}") == .map(["a": 1, "b": [2]]))
        #expect(try eval("{}") == .map([:]))
    }

    @Test("multiplication binds tighter than addition, addition tighter than comparison")
    func precedence() throws {
        #expect(try eval("1 + 2 * 3") == .int(7))
        #expect(try eval("(1 + 2) * 3") == .int(9))
        #expect(try eval("10 - 4 % 3") == .int(9))
        #expect(try eval("1 + 2 == 3") == .bool(true))
        #expect(try eval("1 < 2 == true") == .bool(true))
        #expect(try eval("true || false && false") == .bool(true))
        #expect(try eval("(true || false) && false") == .bool(false))
        #expect(try eval("!true || true") == .bool(true))
        #expect(try eval("-2 * 3") == .int(-6))
        #expect(try eval("2 in [1, 2] && 3 in [3]") == .bool(true))
    }

    @Test("binary operators are left-associative")
    func associativity() throws {
        #expect(try eval("10 - 3 - 2") == .int(5))
        #expect(try eval("100 / 10 / 5") == .int(2))
        #expect(try eval("'a' + 'b' + 'c'") == .string("abc"))
        #expect(try eval("17 % 10 % 4") == .int(3))
    }

    @Test("conditional is right-associative and binds loosest")
    func ternary() throws {
        #expect(try eval("true ? 1 : 2") == .int(1))
        #expect(try eval("false ? 1 : true ? 2 : 3") == .int(2))
        #expect(try eval("false ? 1 : false ? 2 : 3") == .int(3))
        #expect(try eval("true ? (false ? 'a' : 'b') : 'c'") == .string("b"))
        // As in CEL's grammar, the middle operand is a ConditionalOr: a nested '?:' there needs parentheses.
        #expect(compileError("true ? false ? 'a' : 'b' : 'c'")?.code == .syntax)
        #expect(try eval("1 + 1 == 2 ? 'yes' : 'no'") == .string("yes"))
        #expect(try eval("(false ? 1 : 2) + 10") == .int(12))
    }

    @Test("unary operators repeat and nest")
    func unary() throws {
        #expect(try eval("!!true") == .bool(true))
        #expect(try eval("!false && !false") == .bool(true))
        #expect(try eval("- -5") == .int(5))
        #expect(try eval("-(2 + 3)") == .int(-5))
        #expect(try eval("-(1.5)") == .double(-1.5))
    }

    @Test("member access, indexing and method calls chain")
    func members() throws {
        let activation = try cloudEvent()
        #expect(try eval("data.a.b", activation) == .int(1))
        #expect(try eval("data.a.c[1]", activation) == .int(20))
        #expect(try eval("data['my-key']", activation) == .string("v"))
        #expect(try eval("data.commits[0].id", activation) == .string("x"))
        #expect(try eval("data.labels['team'].size()", activation) == .int(4))
        #expect(try eval(".type", activation) == .string("dev.example.push"))
        #expect(try eval("[[1, 2], [3]][0][1]") == .int(2))
        #expect(try eval("{'k': {'j': 5}}.k.j") == .int(5))
    }

    @Test("line comments and line breaks are whitespace")
    func comments() throws {
        #expect(try eval("1 + // one\n 2 // two") == .int(3))
        #expect(try eval("type ==\n  'dev.example.push'", try cloudEvent()) == .bool(true))
    }

    @Test("compile reports the static result type and referenced variables")
    func staticInformation() throws {
        let compiled = try Expression.compile("type == 'a' && data.x > 1")
        #expect(compiled.resultType == .bool)
        #expect(compiled.referencedVariables == ["type", "data"])
        #expect(try Expression.compile("data.x").resultType == nil)
        #expect(try Expression.compile("size(type)").resultType == .int)
        #expect(try Expression.compile("timestamp('2024-01-01T00:00:00Z') - duration('1h')").resultType == .timestamp)
        #expect(try Expression.compile("data.items.map(i, i.id)").referencedVariables == ["data"])
    }
}
