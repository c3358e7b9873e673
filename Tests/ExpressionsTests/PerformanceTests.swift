import Testing

@testable import Expressions

/// Many evaluations of one compiled expression give the same answer every time (no state leaks between
/// evaluations, no cache that goes stale). How fast they are is a benchmark's question, not a test's: the time
/// limit is only a hang guard.
@Suite("Repeated evaluation", .serialized, .timeLimit(.minutes(5)))  // each test holds a cooperative thread; one at a time leaves the other free
struct PerformanceTests {
    @Test("100,000 evaluations of a typical route filter all match")
    func typicalFilter() throws {
        let filter = try Expression.compile(#"type == "dev.example.push" && data.a.b == 1"#, expecting: .bool)
        let activation = try cloudEvent()
        var matched = 0
        for _ in 0..<100_000 where try filter.evaluateBool(activation) { matched += 1 }
        #expect(matched == 100_000)
    }

    @Test("a macro over a list and a literal regex, 20,000 times, always true")
    func macroAndRegex() throws {
        let expression = try Expression.compile(
            "data.commits.exists(c, c.author == 'bob') && data.ref.matches('^refs/heads/')", expecting: .bool)
        let activation = try cloudEvent()
        var matched = 0
        for _ in 0..<20_000 where try expression.evaluateBool(activation) { matched += 1 }
        #expect(matched == 20_000)
    }
}
