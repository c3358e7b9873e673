import Foundation

/// Runtime implementations of the functions and methods (`Builtin`).
enum Functions {
    static func apply(_ builtin: Builtin, _ args: Arguments, at node: Node) throws(EvaluationError) -> Value {
        switch builtin {
        case .size: return try size(args[0], at: node)
        case .startsWith, .endsWith, .contains, .matches:
            guard case .string(let text) = args[0], case .string(let other) = args[1] else { throw noOverload(builtin, args, node) }
            switch builtin {
            case .startsWith: return .bool(text.utf8.starts(with: other.utf8))
            case .endsWith: return .bool(text.utf8.reversed().starts(with: other.utf8.reversed()))
            case .contains: return .bool(other.isEmpty || text.utf8.firstRange(of: other.utf8) != nil)
            default:
                guard let regex = try? NSRegularExpression(pattern: other) else {
                    throw node.error(.invalidArgument, "invalid regular expression \"\(other)\"")
                }
                return .bool(matches(text, regex))
            }
        case .lowerAscii, .upperAscii, .trim, .split, .join, .replace, .indexOf, .lastIndexOf, .substring, .charAt:
            return try StringFunctions.apply(builtin, args, at: node)
        case .timestamp, .duration, .string, .int, .uint, .double, .bool, .bytes, .dyn:
            return try Conversions.apply(builtin, args[0], at: node)
        case .getFullYear, .getMonth, .getDayOfYear, .getDayOfMonth, .getDate, .getDayOfWeek,
            .getHours, .getMinutes, .getSeconds, .getMilliseconds:
            return try TimeAccessors.apply(builtin, args, at: node)
        }
    }

    static func noOverload(_ builtin: Builtin, _ args: Arguments, _ node: Node) -> EvaluationError {
        Operators.noOverload(builtin.rawValue, args.values, at: node)
    }

    /// RE2-style partial match: true when the pattern matches anywhere in the text.
    static func matches(_ text: String, _ regex: NSRegularExpression) -> Bool {
        regex.firstMatch(in: text, range: NSRange(text.startIndex..<text.endIndex, in: text)) != nil
    }

    private static func size(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .string(let s): return .int(Int64(s.unicodeScalars.count))
        case .bytes(let b): return .int(Int64(b.count))
        case .list(let l): return .int(Int64(l.count))
        case .map(let m): return .int(Int64(m.count))
        default: throw Operators.noOverload("size", [value], at: node)
        }
    }
}
