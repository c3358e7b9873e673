import EventStore
import Foundation

/// Translates the simple forms of a custom metric's `field` and `where` expressions to jsonb SQL over the CDEvent
/// (`r.content`), so custom metrics aggregate in PostgreSQL like the four keys.
///
/// Supported: `field` a dotted path from `context`, `subject` or `customData` (`customData.durationSeconds`,
/// `subject.content.environment.id`); `where` comparisons `<path> == <literal>` or `<path> != <literal>` (string,
/// number, `true`, `false`, `null`) joined by `&&`. Anything else makes the definition unsupported (logged).
enum CustomFieldSQL {
    /// `'{customData,x}'` (a text[] literal for `#>`), or nil when `expression` is not a simple path.
    static func path(_ expression: String) -> String? {
        let parts = expression.trimmingCharacters(in: .whitespaces).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, ["context", "subject", "customData"].contains(parts[0]) else { return nil }
        for part in parts {
            guard let first = part.unicodeScalars.first, first == "_" || CharacterSet.letters.contains(first),
                part.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && CharacterSet.alphanumerics.contains($0)) })
            else { return nil }
        }
        return MetricFactSQL.literal("{" + parts.joined(separator: ",") + "}")
    }

    /// SQL for a `where` of comparisons joined by `&&`; nil when it has another form.
    static func condition(_ expression: String) -> String? {
        let clauses = expression.components(separatedBy: "&&")
        var parts: [String] = []
        for clause in clauses {
            let text = clause.trimmingCharacters(in: .whitespaces)
            let op: String
            if text.contains("==") {
                op = "=="
            } else if text.contains("!=") {
                op = "!="
            } else {
                return nil
            }
            let sides = text.components(separatedBy: op)
            guard sides.count == 2, let path = path(sides[0]), let value = jsonLiteral(sides[1].trimmingCharacters(in: .whitespaces)) else {
                return nil
            }
            let comparison = op == "==" ? "=" : "IS DISTINCT FROM"
            parts.append("(r.content #> \(path)) \(comparison) \(MetricFactSQL.literal(value))::jsonb")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " AND ")
    }

    /// The JSON text of a CEL literal: a quoted string, a number, true, false or null.
    static func jsonLiteral(_ text: String) -> String? {
        if ["true", "false", "null"].contains(text) { return text }
        if let number = Double(text), number.isFinite, text.first != "+" { return text.hasPrefix(".") ? "0" + text : text }
        guard text.count >= 2, let quote = text.first, quote == "\"" || quote == "'", text.last == quote else { return nil }
        let inner = text.dropFirst().dropLast()
        guard !inner.contains("\\"), !inner.contains("\""), !inner.contains("'") else { return nil }
        var json = "\""
        for scalar in inner.unicodeScalars {
            if scalar.value < 0x20 { return nil }
            json.unicodeScalars.append(scalar)
        }
        return json + "\""
    }
}
