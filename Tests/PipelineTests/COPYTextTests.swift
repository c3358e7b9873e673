import PostgresNIO
@testable import Pipeline
import Testing

/// The COPY text the rebuild writes `deployments` and `lead_times` with (PostgreSQL's text format).
@Suite("COPY text format")
struct COPYTextTests {
    static func text(_ build: (inout COPYText) -> Void) -> String {
        var text = COPYText()
        build(&text)
        return text.allChunks.map { String(buffer: $0) }.joined()
    }

    @Test("tabs, newlines, carriage returns and backslashes escaped; NULL as \\N; booleans t/f; rows end in a newline")
    func fields() {
        let line = Self.text { text in
            text.field("plain")
            text.field("a\tb\nc\rd\\e")
            text.field(nil)
            text.bool(true)
            text.bool(false, last: true)
        }
        #expect(line == "plain\ta\\tb\\nc\\rd\\\\e\t\\N\tt\tf\n")
    }

    @Test("microseconds since 1970 as UTC timestamps, before 1970 too")
    func times() {
        let line = Self.text { text in
            text.time(0)
            // 2026-02-02 10:00:00.000123 UTC: 1,770,026,400 s (2026-02-02 00:00 is 1,769,990,400) + 123 µs.
            text.time(1_770_026_400_000_123)
            // One microsecond before 1970.
            text.time(-1)
            text.time(nil, last: true)
        }
        #expect(line == "1970-01-01 00:00:00.000000+00\t2026-02-02 10:00:00.000123+00\t1969-12-31 23:59:59.999999+00\t\\N\n")
    }
}
