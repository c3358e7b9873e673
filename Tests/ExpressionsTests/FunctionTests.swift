import Testing

@testable import Expressions

@Suite("Functions and macros")
struct FunctionTests {
    @Test("size as a function and as a method")
    func size() throws {
        let activation = try cloudEvent()
        #expect(try eval("size('héllo')") == .int(5))
        #expect(try eval("'héllo'.size()") == .int(5))
        #expect(try eval("size(b'ab')") == .int(2))
        #expect(try eval("size([1, 2, 3])") == .int(3))
        #expect(try eval("size({'a': 1})") == .int(1))
        #expect(try eval("data.commits.size()", activation) == .int(2))
        #expect(try eval("size(data.labels)", activation) == .int(1))
    }

    @Test("has() tests presence without failing on a missing field")
    func has() throws {
        let activation = try cloudEvent()
        #expect(try eval("has(data.a)", activation) == .bool(true))
        #expect(try eval("has(data.nope)", activation) == .bool(false))
        #expect(try eval("has(data.a.b)", activation) == .bool(true))
        #expect(try eval("has(data.a.zzz)", activation) == .bool(false))
        #expect(try eval("has(data.empty)", activation) == .bool(true))  // present, with a null value
        // As in CEL, only the last field is tested: a missing intermediate is an error; guard it with &&.
        #expect(try evaluationError("has(data.nope.deeper)", activation)?.message == "no such key: nope")
        #expect(try eval("has(data.nope) && has(data.nope.deeper)", activation) == .bool(false))
        #expect(try eval("has({'x': {'y': 1}}.x.y)") == .bool(true))
    }

    @Test("string methods: startsWith, endsWith, contains")
    func stringPredicates() throws {
        let activation = try cloudEvent()
        #expect(try eval("type.startsWith('dev.example.')", activation) == .bool(true))
        #expect(try eval("type.startsWith('com.')", activation) == .bool(false))
        #expect(try eval("data.ref.endsWith('/main')", activation) == .bool(true))
        #expect(try eval("source.contains('acme')", activation) == .bool(true))
        #expect(try eval("'abc'.contains('')") == .bool(true))
        #expect(try eval("'abc'.contains('abcd')") == .bool(false))
    }

    @Test("matches: partial RE2-style match, as a method and a function, literal or dynamic pattern")
    func matches() throws {
        let activation = try cloudEvent()
        #expect(try eval("data.ref.matches('^refs/heads/(main|master)$')", activation) == .bool(true))
        #expect(try eval("'release-1.2'.matches('[0-9]+\\\\.[0-9]+')") == .bool(true))
        #expect(try eval(#"matches('abc', r'^a.c$')"#) == .bool(true))
        #expect(try eval("'abc'.matches('b')") == .bool(true))  // partial match
        #expect(try eval("'abc'.matches('^b')") == .bool(false))
        #expect(try eval("'abc'.matches(data['my-key'])", activation) == .bool(false))
        #expect(try evaluationError("'abc'.matches(dyn('('))")?.code == .invalidArgument)
    }

    @Test("string extension methods")
    func stringExtensions() throws {
        #expect(try eval("'Hello World'.lowerAscii()") == .string("hello world"))
        #expect(try eval("'Hello'.upperAscii()") == .string("HELLO"))
        #expect(try eval("'  x y \\n'.trim()") == .string("x y"))
        #expect(try eval("'a,b,,c'.split(',')") == .list(["a", "b", "", "c"]))
        #expect(try eval("'a,b,c'.split(',', 2)") == .list(["a", "b,c"]))
        #expect(try eval("'a,b'.split(',', 0)") == .list([]))
        #expect(try eval("'abc'.split('')") == .list(["a", "b", "c"]))
        #expect(try eval("['a', 'b'].join('-')") == .string("a-b"))
        #expect(try eval("['a', 'b'].join()") == .string("ab"))
        #expect(try eval("'aaa'.replace('a', 'b')") == .string("bbb"))
        #expect(try eval("'aaa'.replace('a', 'b', 2)") == .string("bba"))
        #expect(try eval("'hello'.indexOf('l')") == .int(2))
        #expect(try eval("'hello'.lastIndexOf('l')") == .int(3))
        #expect(try eval("'hello'.indexOf('z')") == .int(-1))
        #expect(try eval("'héllo'.substring(1, 3)") == .string("él"))
        #expect(try eval("'hello'.substring(3)") == .string("lo"))
        #expect(try eval("'hello'.charAt(1)") == .string("e"))
        #expect(try evaluationError("'abc'.substring(2, 9)")?.code == .indexOutOfRange)
    }

    @Test("conversions string(), int(), uint(), double(), bool(), bytes()")
    func conversions() throws {
        #expect(try eval("string(42)") == .string("42"))
        #expect(try eval("string(7u)") == .string("7"))
        #expect(try eval("string(1.5)") == .string("1.5"))
        #expect(try eval("string(2.0)") == .string("2"))
        #expect(try eval("string(1e21)") == .string("1e+21"))
        #expect(try eval("string(true)") == .string("true"))
        #expect(try eval("string(b'hi')") == .string("hi"))
        #expect(try eval("string(timestamp('2024-05-01T10:00:00.250Z'))") == .string("2024-05-01T10:00:00.25Z"))
        #expect(try eval("string(duration('1h30m'))") == .string("5400s"))
        #expect(try eval("int('-12')") == .int(-12))
        #expect(try eval("int(3.9)") == .int(3))
        #expect(try eval("int(-3.9)") == .int(-3))
        #expect(try eval("int(5u)") == .int(5))
        #expect(try eval("int(timestamp('1970-01-01T00:01:00Z'))") == .int(60))
        #expect(try eval("uint(5)") == .uint(5))
        #expect(try eval("double(2)") == .double(2))
        #expect(try eval("double('2.5')") == .double(2.5))
        #expect(try eval("bool('true') && !bool('false')") == .bool(true))
        #expect(try eval("bytes('a')") == .bytes([0x61]))
        #expect(try evaluationError("int('12abc')")?.message == "cannot convert \"12abc\" to int")
        #expect(try evaluationError("int(1e19)")?.code == .overflow)
        #expect(try evaluationError("uint(-1)")?.code == .overflow)
    }

    @Test("exists, all, exists_one, filter, map over lists and maps")
    func macros() throws {
        let activation = try cloudEvent()
        #expect(try eval("data.commits.exists(c, c.id == 'x')", activation) == .bool(true))
        #expect(try eval("data.commits.exists(c, c.id == 'z')", activation) == .bool(false))
        #expect(try eval("data.commits.all(c, has(c.author))", activation) == .bool(true))
        #expect(try eval("data.commits.exists_one(c, c.author.startsWith('a'))", activation) == .bool(true))
        #expect(try eval("data.commits.map(c, c.id)", activation) == .list(["x", "y"]))
        #expect(try eval("data.commits.map(c, c.author == 'bob', c.id)", activation) == .list(["y"]))
        #expect(try eval("[1, 2, 3, 4].filter(n, n % 2 == 0)") == .list([2, 4]))
        #expect(try eval("{'b': 1, 'a': 2}.map(k, k)") == .list(["a", "b"]))
        #expect(try eval("data.labels.exists(k, k == 'team')", activation) == .bool(true))
        #expect(try eval("[].all(x, x > 0)") == .bool(true))
        #expect(try eval("[[1, 2], [3]].all(l, l.all(x, x > 0))") == .bool(true))
        #expect(try eval("[1, 2].exists(x, [3, 4].exists(y, x + y == 6))") == .bool(true))
    }

    @Test("macro variables shadow top-level variables, and a leading dot reaches the top level")
    func macroScope() throws {
        let activation = try cloudEvent()
        #expect(try eval("['a', 'b'].map(type, type + '!')", activation) == .list(["a!", "b!"]))
        #expect(try eval("['a'].map(type, .type)", activation) == .list(["dev.example.push"]))
    }

    @Test("exists and all absorb errors when another element decides")
    func macroErrorAbsorption() throws {
        #expect(try eval("[{'a': 1}, {}].exists(m, m.a == 1)") == .bool(true))
        #expect(try eval("[{}, {'a': 2}].all(m, m.a == 1)") == .bool(false))
        #expect(try evaluationError("[{}, {'a': 1}].all(m, m.a == 1)")?.message == "no such key: a")
        #expect(try evaluationError("[1, 2].exists(x, dyn(x))")?.code == .noMatchingOverload)
    }

    @Test("dyn() hides a static type")
    func dyn() throws {
        #expect(try Expression.compile("dyn(1)").resultType == nil)
        #expect(try eval("dyn([1])[0]") == .int(1))
    }
}

@Suite("Documented examples")
struct DocumentedExampleTests {
    @Test("examples from docs/expressions.md evaluate as documented")
    func examples() throws {
        let activation = try cloudEvent()
        #expect(try eval("'a/b/c'.lastIndexOf('/')") == .int(3))
        #expect(try eval("data.ref.split('/')[2]", activation) == .string("main"))
        #expect(try eval("'https://x.io'.replace('https://', '')") == .string("x.io"))
        #expect(try eval("(timestamp(data.deployed) - timestamp(data.committed)).getMinutes()", activation) == .int(750))
        #expect(try eval("time.getDayOfWeek() < 5", activation) == .bool(true))
        #expect(try eval("'aaa'.replace('a', 'b', 9223372036854775807)") == .string("bbb"))
        #expect(try eval("'hello'.lastIndexOf('')") == .int(5))
        #expect(try eval("has(data.a) && has(data.a.b)", activation) == .bool(true))
    }
}
