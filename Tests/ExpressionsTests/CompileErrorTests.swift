import Testing

@testable import Expressions

@Suite("Compile errors: message, position, caret")
struct CompileErrorTests {
    @Test("unclosed parenthesis")
    func unclosedParen() throws {
        let error = try #require(compileError("(type == 'a'"))
        #expect(error.code == .syntax)
        #expect(error.line == 1 && error.column == 13)
        #expect(error.description == """
            1:13: expected ')' to close '(' at 1:1, found end of input
              (type == 'a'
                          ^
            """)
    }

    @Test("unexpected token")
    func unexpectedToken() throws {
        let error = try #require(compileError("type == 'a' && )"))
        #expect(error.code == .syntax)
        #expect(error.message == "unexpected ')', expected an expression")
        #expect(error.description == """
            1:16: unexpected ')', expected an expression
              type == 'a' && )
                             ^
            """)
    }

    @Test("tokens left after a complete expression")
    func trailingTokens() throws {
        let error = try #require(compileError("type == 'a' 'b'"))
        #expect(error.message == "unexpected string literal after the end of the expression")
        #expect(error.column == 13)
    }

    @Test("bad string escape points at the backslash")
    func badEscape() throws {
        let error = try #require(compileError(#"subject == 'a\qb'"#))
        #expect(error.description == #"""
            1:14: invalid escape sequence '\q'
              subject == 'a\qb'
                           ^
            """#)
    }

    @Test("unterminated string points at the opening quote")
    func unterminatedString() throws {
        let error = try #require(compileError("type == 'abc"))
        #expect(error.code == .syntax)
        #expect(error.message == "unterminated string literal")
        #expect(error.line == 1 && error.column == 9)
    }

    @Test("unknown function and method")
    func unknownFunction() throws {
        let error = try #require(compileError("type == 'a' && foo(1)"))
        #expect(error.code == .unknownFunction)
        #expect(error.description == """
            1:16: unknown function 'foo'
              type == 'a' && foo(1)
                             ^
            """)
        #expect(compileError("type.shout()")?.message == "unknown method 'shout'")
        #expect(compileError("startsWith(type, 'a')")?.message == "'startsWith' is a method: call it as x.startsWith(…)")
        #expect(compileError("exists(x, true)")?.message == "'exists' is a macro on lists: call it as list.exists(x, …)")
    }

    @Test("wrong number of arguments")
    func wrongArity() throws {
        let error = try #require(compileError("size(type, 1)"))
        #expect(error.code == .wrongArity)
        #expect(error.message == "'size' expects 1 argument, got 2")
        #expect(error.column == 1)
        let method = try #require(compileError("type.startsWith()"))
        #expect(method.message == "'startsWith' expects 1 argument, got 0")
        #expect(method.column == 6)
        #expect(compileError("'a'.split()")?.message == "'split' expects 1 or 2 arguments, got 0")
        #expect(compileError("has(data.a, data.b)")?.message == "'has' expects 1 argument, got 2")
        #expect(compileError("has(data)")?.message == "has() needs a field selection such as has(data.field)")
    }

    @Test("unknown variable when the variables are declared")
    func unknownVariable() throws {
        let error = try #require(compileError("tpye == 'a'", variables: ["type", "data"]))
        #expect(error.code == .unknownVariable)
        #expect(error.description == """
            1:1: unknown variable 'tpye' (available: data, type)
              tpye == 'a'
              ^
            """)
        #expect(compileError("data.commits.exists(c, c.id == 'x')", variables: ["data"]) == nil)
    }

    @Test("a filter must be bool: statically known non-bool results are refused")
    func expectingBool() throws {
        let error = try #require(compileError("size(type)", expecting: .bool))
        #expect(error.code == .typeMismatch)
        #expect(error.description == """
            1:1: expression must evaluate to bool, but evaluates to int
              size(type)
              ^
            """)
        #expect(compileError("'a' + type", expecting: .bool)?.message == "expression must evaluate to bool, but evaluates to string")
        #expect(compileError("data.flag", expecting: .bool) == nil)  // unknown until evaluation
        #expect(compileError("size(type) > 0", expecting: .bool) == nil)
    }

    @Test("obviously mistyped operations")
    func typeErrors() throws {
        let error = try #require(compileError("\"a\" - 1"))
        #expect(error.code == .typeMismatch)
        #expect(error.message == "found no matching overload for '-' applied to (string, int)")
        #expect(error.column == 5)
        #expect(compileError("size(1)")?.message == "found no matching overload for 'size' applied to size(int)")
        #expect(compileError("1.startsWith('a')")?.message == "found no matching overload for 'startsWith' applied to int.startsWith(string)")
        #expect(compileError("!'a'")?.message == "found no matching overload for '!' applied to (string)")
        #expect(compileError("1 && true")?.message == "found no matching overload for '&&' applied to (int, bool)")
        #expect(compileError("1 ? 2 : 3")?.message == "the condition of '?:' must be bool, not int")
        #expect(compileError("'abc'.field")?.message == "type 'string' does not support field selection")
        #expect(compileError("[1][true]")?.message == "found no matching overload for '[]' applied to (list, bool)")
        #expect(compileError("{1: 'a'}")?.message == "map keys must be strings in this subset of CEL, not int")
        #expect(compileError("[1].all(x, x + 1)")?.message == "the predicate of 'all' must be bool, not int")
        #expect(compileError("1 in 'abc'")?.code == .typeMismatch)
    }

    @Test("invalid literal arguments are caught at compile time")
    func invalidLiterals() throws {
        let timestamp = try #require(compileError("time > timestamp('2024-13-01T00:00:00Z')"))
        #expect(timestamp.code == .invalidLiteral)
        #expect(timestamp.message == "invalid timestamp \"2024-13-01T00:00:00Z\" (expected RFC 3339, such as 2024-05-01T10:00:00Z)")
        #expect(timestamp.column == 8)
        #expect(compileError("duration('5 minutes')")?.code == .invalidLiteral)
        #expect(compileError("type.matches('(unclosed')")?.message == "invalid regular expression \"(unclosed\"")
    }

    @Test("positions on later lines")
    func multiline() throws {
        let error = try #require(compileError("type == 'a' &&\n  data.x =="))
        #expect(error.line == 2 && error.column == 12)
        #expect(error.description == """
            2:12: unexpected end of input, expected an expression
                data.x ==
                         ^
            """)
    }

    @Test("other syntax errors")
    func otherSyntax() throws {
        #expect(compileError("")?.message == "empty expression")
        #expect(compileError("a = 1")?.message == "unexpected character '=', did you mean '=='?")
        #expect(compileError("a & b")?.message == "unexpected character '&', did you mean '&&'?")
        #expect(compileError("a # b")?.message == "unexpected character '#'")
        #expect(compileError("if == 1")?.message == "reserved identifier 'if'")
        #expect(compileError("9223372036854775808")?.message == "integer literal 9223372036854775808 is out of range (use a 'u' suffix for uint)")
        #expect(compileError("[1, 2")?.message == "unexpected end of input, expected ',' or ']' in the list started at 1:1")
        #expect(compileError("data.")?.message == "unexpected end of input, expected a field name after '.'")
        #expect(compileError("Foo{a: 1}")?.message == "message construction ('Foo{…}') is not supported")
        #expect(compileError("[1].map(1, 2)")?.code == .syntax)
        #expect(compileError("'\\u00zz'")?.message == "invalid escape sequence '\\u00z'")
        #expect(compileError("'a\nb'")?.message == "unterminated string literal (a newline needs a triple-quoted string)")
    }

    @Test("deep nesting is refused instead of exhausting the stack")
    func nesting() throws {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        #expect(compileError(deep)?.message.hasPrefix("expression is nested too deeply") == true)
        let chain = Array(repeating: "1", count: 5000).joined(separator: " + ")
        #expect(compileError(chain)?.message.hasPrefix("expression is nested too deeply") == true)
        let bangs = String(repeating: "!", count: 5000) + "true"
        #expect(compileError(bangs)?.message.hasPrefix("expression is nested too deeply") == true)
        #expect(try eval(Array(repeating: "1", count: 150).joined(separator: " + ")) == .int(150))
    }
}
