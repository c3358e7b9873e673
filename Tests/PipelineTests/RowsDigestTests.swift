@testable import Pipeline
import Testing

/// ``RowsDigest``: equal for the same rows in any order, different when a row differs in any way the tables can.
@Suite("Calculator: the digest of a table's rows")
struct RowsDigestTests {
    typealias Row = [Field]
    enum Field {
        case text(String)
        case int(Int64)
        case double(Double?)
    }

    static func digest(_ rows: [Row]) -> RowsDigest {
        var digest = RowsDigest()
        for row in rows {
            digest.add { hasher in
                for field in row {
                    switch field {
                    case .text(let text): hasher.lastPart(text)
                    case .int(let value): hasher.int64(value)
                    case .double(let value): hasher.optionalDouble(value)
                    }
                }
            }
        }
        return digest
    }

    @Test("the same rows in another order give the same digest; a repeated row counts twice")
    func orderFree() {
        let rows: [Row] = [[.text("app0"), .int(1), .double(1.5)], [.text("app1"), .int(2), .double(nil)], [.text("app2"), .int(3), .double(0)]]
        #expect(Self.digest(rows) == Self.digest(rows.reversed()))
        #expect(Self.digest(rows) == Self.digest([rows[1], rows[2], rows[0]]))
        #expect(Self.digest(rows) != Self.digest(rows + [rows[0]]))
        #expect(Self.digest(rows + [rows[0]]).count == 4)
    }

    @Test("rows that differ in one field, in how text splits into fields, in NULL against a value, or in two swapped values differ")
    func differences() {
        let base: Row = [.text("checkout"), .text("production"), .int(1_700_000_000_000_000), .double(2.25)]
        let changed: [Row] = [
            [.text("checkouT"), .text("production"), .int(1_700_000_000_000_000), .double(2.25)],
            // A byte beyond the first eight, and the last of a padded word.
            [.text("checkout"), .text("productioN"), .int(1_700_000_000_000_000), .double(2.25)],
            [.text("checkou"), .text("tproduction"), .int(1_700_000_000_000_000), .double(2.25)],
            [.text("checkout"), .text("production"), .int(1_700_000_000_000_001), .double(2.25)],
            [.text("checkout"), .text("production"), .int(1_700_000_000_000_000), .double(nil)],
            [.text("checkout"), .text("production"), .int(1_700_000_000_000_000), .double(-2.25)],
            [.text("checkout"), .text("production"), .int(1_700_000_000_000_000), .double(2.25), .text("")],
        ]
        for row in changed {
            #expect(Self.digest([base]) != Self.digest([row]), "\(row)")
        }
        // Two rows' values swapped between them (the same values in the table, in other rows).
        let a: Row = [.text("a"), .double(1)]
        let b: Row = [.text("b"), .double(2)]
        #expect(Self.digest([a, b]) != Self.digest([[.text("a"), .double(2)], [.text("b"), .double(1)]]))
    }

    @Test("strings hashed as parts of one text equal that text as PostgreSQL's concat_ws(E'\\x1f', …) sends it, for parts of every length across word boundaries; another split differs")
    func joinedParts() {
        let words = ["", "a", "checkout", "production", "sha1234567890abcdef", "grüße", "7 bytes", "exactly8"]
        for first in words {
            for second in words {
                for third in words {
                    var parts = RowsDigest()
                    parts.add { hasher in
                        hasher.part(first)
                        hasher.part(second)
                        hasher.lastPart(third)
                    }
                    let joined = first + "\u{1F}" + second + "\u{1F}" + third
                    var text = RowsDigest()
                    text.add { hasher in Array(joined.utf8).withUnsafeBytes { hasher.bytes($0) } }
                    #expect(parts == text, "\(first)|\(second)|\(third)")
                }
            }
        }
        var two = RowsDigest()
        two.add { hasher in
            hasher.part("checkout")
            hasher.lastPart("production")
        }
        #expect(two != Self.digest([[.text("checkout\u{1F}productio")]]))
        #expect(two != Self.digest([[.text("checkout"), .text("production")]]))
    }

    @Test("text of every length up to 24 bytes: all distinct, padding zeros included; a String and its streamed bytes hash alike")
    func lengths() {
        let texts = Set((0...24).flatMap { [String(repeating: "a", count: $0), String(repeating: "\0", count: $0)] })
        #expect(texts.count == 49)
        var seen: [RowsDigest] = []
        for text in texts {
            let digest = Self.digest([[.text(text)]])
            #expect(!seen.contains(digest), "\(text.utf8.count) bytes")
            seen.append(digest)
        }
        for text in ["", "abc", "exactly8", "sixteen bytes!!!", "grüße, 世界"] {
            var viaBytes = RowsDigest()
            viaBytes.add { hasher in Array(text.utf8).withUnsafeBytes { hasher.bytes($0) } }
            #expect(viaBytes == Self.digest([[.text(text)]]), "\(text)")
        }
    }
}
