import Foundation
import PostgresNIO

/// A piece of the calculator's SQL whose CRD-supplied strings (owner, selector values, CDEvent type names, custom
/// paths and literals) are bound values, not quoted text.
///
/// Fragments compose by string interpolation: a `String` is SQL text, `\(bind:)` a value, another fragment is spliced
/// with its values. The values are numbered `$1…` only when the statement is built (``query``), so composition
/// never has to track placeholder numbers.
struct SQLFragment: Sendable, ExpressibleByStringInterpolation {
    enum Part: Sendable {
        case sql(String)
        case text(String)
        case texts([String])
    }
    private(set) var parts: [Part]

    init(stringLiteral value: String) {
        parts = [.sql(value)]
    }

    init(stringInterpolation: StringInterpolation) {
        parts = stringInterpolation.parts
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var parts: [Part] = []

        init(literalCapacity: Int, interpolationCount: Int) {}

        mutating func appendLiteral(_ literal: String) { parts.append(.sql(literal)) }
        /// SQL text (an expression built from fixed names, never from a CRD string).
        mutating func appendInterpolation(_ sql: String) { parts.append(.sql(sql)) }
        mutating func appendInterpolation(_ fragment: SQLFragment) { parts += fragment.parts }
        /// A `text` value.
        mutating func appendInterpolation(bind value: String) { parts.append(.text(value)) }
        /// A `text[]` value.
        mutating func appendInterpolation(bind values: [String]) { parts.append(.texts(values)) }
    }

    /// `fragments` joined by `separator` (SQL text).
    init(joining fragments: [SQLFragment], separator: String) {
        parts = []
        for (index, fragment) in fragments.enumerated() {
            if index > 0 { parts.append(.sql(separator)) }
            parts += fragment.parts
        }
    }

    /// The statement, values bound as `$1…`.
    var query: PostgresQuery {
        var sql = ""
        var binds = PostgresBindings()
        for part in parts {
            switch part {
            case .sql(let text):
                sql += text
                continue
            case .text(let value): binds.append(value)
            case .texts(let values): binds.append(values)
            }
            sql += "$\(binds.count)"
        }
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// The statement with its values spelled as SQL literals: only for text that must be SQL (a fixed condition
    /// spliced into the fact statements, which are built as text).
    var inlined: String {
        parts.map { part in
            switch part {
            case .sql(let text): return text
            case .text(let value): return SQLFragment.literal(value)
            case .texts(let values): return SQLFragment.literal("{" + values.map(SQLFragment.arrayElement).joined(separator: ",") + "}") + "::text[]"
            }
        }.joined()
    }

    /// A SQL string literal (standard_conforming_strings is on by default since PostgreSQL 9.1).
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "\0", with: "").replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// An element of an array literal: double-quoted, with `"` and `\` escaped.
    private static func arrayElement(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension String.StringInterpolation {
    /// A fragment spliced into a `String` would lose its bound values: compose fragments as fragments.
    @available(*, unavailable, message: "build a SQLFragment, not a String, from a SQLFragment")
    mutating func appendInterpolation(_ fragment: SQLFragment) {}
}
