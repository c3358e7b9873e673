/// The string extension methods of cel-go's `strings` library that Pacer supports. Indexes count Unicode
/// code points, as in CEL.
enum StringFunctions {
    static func apply(_ builtin: Builtin, _ args: Arguments, at node: Node) throws(EvaluationError) -> Value {
        if builtin == .join { return try join(args, at: node) }
        guard case .string(let text) = args[0] else { throw Functions.noOverload(builtin, args, node) }
        switch builtin {
        case .lowerAscii: return .string(mapASCII(text) { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 })
        case .upperAscii: return .string(mapASCII(text) { $0 >= 97 && $0 <= 122 ? $0 - 32 : $0 })
        case .trim:
            let scalars = Array(text.unicodeScalars)
            guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return .string("") }
            return .string(string(scalars[start...end]))
        case .split:
            guard case .string(let separator) = args[1] else { throw Functions.noOverload(builtin, args, node) }
            var limit = -1
            if args.count == 3 {
                guard case .int(let n) = args[2] else { throw Functions.noOverload(builtin, args, node) }
                limit = Int(clamping: n)
            }
            return .list(split(text, separator, limit: limit).map(Value.string))
        case .replace:
            guard case .string(let old) = args[1], case .string(let new) = args[2] else { throw Functions.noOverload(builtin, args, node) }
            var limit = -1
            if args.count == 4 {
                guard case .int(let n) = args[3] else { throw Functions.noOverload(builtin, args, node) }
                limit = Int(clamping: n)
            }
            return .string(replace(text, old, new, limit: limit))
        case .indexOf, .lastIndexOf:
            return try indexOf(text, args, last: builtin == .lastIndexOf, at: node)
        case .substring:
            let scalars = Array(text.unicodeScalars)
            guard case .int(let start) = args[1] else { throw Functions.noOverload(builtin, args, node) }
            var end = Int64(scalars.count)
            if args.count == 3 {
                guard case .int(let e) = args[2] else { throw Functions.noOverload(builtin, args, node) }
                end = e
            }
            guard start >= 0, start <= scalars.count, end >= start, end <= scalars.count else {
                throw node.error(.indexOutOfRange, "substring(\(start), \(end)) is out of range for a string of length \(scalars.count)")
            }
            return .string(string(scalars[Int(start)..<Int(end)]))
        case .charAt:
            let scalars = Array(text.unicodeScalars)
            guard case .int(let i) = args[1] else { throw Functions.noOverload(builtin, args, node) }
            guard i >= 0, i <= scalars.count else {
                throw node.error(.indexOutOfRange, "index out of range: \(i) (string length \(scalars.count))")
            }
            return .string(i == scalars.count ? "" : String(Character(scalars[Int(i)])))
        default:
            throw Functions.noOverload(builtin, args, node)
        }
    }

    private static func mapASCII(_ text: String, _ transform: (UInt8) -> UInt8) -> String {
        String(decoding: text.utf8.map(transform), as: UTF8.self)
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var s = ""
        s.unicodeScalars.append(contentsOf: scalars)
        return s
    }

    /// Go's `strings.SplitN`: limit 0 gives no parts, a negative limit all parts, and an empty separator
    /// splits into code points.
    static func split(_ text: String, _ separator: String, limit: Int) -> [String] {
        if limit == 0 { return [] }
        let scalars = Array(text.unicodeScalars)
        if separator.isEmpty {
            var parts = scalars.map { String(Character($0)) }
            if limit > 0 && parts.count > limit {
                parts = Array(parts[..<(limit - 1)]) + [string(scalars[(limit - 1)...])]
            }
            return parts
        }
        let sep = Array(separator.unicodeScalars)
        var parts: [String] = []
        var start = 0
        var i = 0
        while i + sep.count <= scalars.count {
            if limit > 0 && parts.count == limit - 1 { break }
            if scalars[i..<i + sep.count].elementsEqual(sep) {
                parts.append(string(scalars[start..<i]))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        parts.append(string(scalars[start...]))
        return parts
    }

    /// Go's `strings.Replace`: at most `limit` replacements (all when negative).
    private static func replace(_ text: String, _ old: String, _ new: String, limit: Int) -> String {
        if old.isEmpty {
            // Insert `new` before every code point and at the end, up to the limit.
            var out = ""
            var count = 0
            for scalar in text.unicodeScalars {
                if limit < 0 || count < limit { out += new; count += 1 }
                out.unicodeScalars.append(scalar)
            }
            if limit < 0 || count < limit { out += new }
            return out
        }
        let parts = split(text, old, limit: limit < 0 || limit == Int.max ? -1 : limit + 1)
        return parts.joined(separator: new)
    }

    private static func join(_ args: Arguments, at node: Node) throws(EvaluationError) -> Value {
        guard case .list(let list) = args[0] else { throw Functions.noOverload(.join, args, node) }
        var separator = ""
        if args.count == 2 {
            guard case .string(let s) = args[1] else { throw Functions.noOverload(.join, args, node) }
            separator = s
        }
        var parts: [String] = []
        parts.reserveCapacity(list.count)
        for item in list {
            guard case .string(let s) = item else {
                throw node.error(.noMatchingOverload, "join needs a list of strings, found \(item.type.shortName)")
            }
            parts.append(s)
        }
        return .string(parts.joined(separator: separator))
    }

    private static func indexOf(_ text: String, _ args: Arguments, last: Bool, at node: Node) throws(EvaluationError) -> Value {
        let builtin: Builtin = last ? .lastIndexOf : .indexOf
        guard case .string(let needleText) = args[1] else { throw Functions.noOverload(builtin, args, node) }
        let scalars = Array(text.unicodeScalars)
        let needle = Array(needleText.unicodeScalars)
        var bound = last ? scalars.count : 0
        if args.count == 3 {
            guard case .int(let b) = args[2] else { throw Functions.noOverload(builtin, args, node) }
            guard b >= 0, b <= scalars.count else {
                throw node.error(.indexOutOfRange, "index out of range: \(b) (string length \(scalars.count))")
            }
            bound = Int(b)
        }
        guard needle.count <= scalars.count else { return .int(-1) }
        let candidates: [Int] = last
            ? Array(stride(from: min(bound, scalars.count - needle.count), through: 0, by: -1))
            : Array(stride(from: bound, through: scalars.count - needle.count, by: 1))
        for i in candidates where scalars[i..<i + needle.count].elementsEqual(needle) {
            return .int(Int64(i))
        }
        return .int(-1)
    }
}
