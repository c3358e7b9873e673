import PacerCore

/// A CEL value: what an expression reads from its activation and what it produces.
///
/// Maps use `String` keys only (CEL also allows int, uint and bool keys; Pacer's inputs are JSON, whose
/// object keys are strings). Numbers keep CEL's three numeric types apart: `int` (Int64), `uint` (UInt64)
/// and `double`. `==` follows CEL's heterogeneous equality (`1 == 1.0` and `1 == 1u` are true).
public enum Value: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list([Value])
    case map([String: Value])
    case timestamp(CELTimestamp)
    case duration(CELDuration)

    /// The runtime type of this value.
    public var type: ExpressionType {
        switch self {
        case .null: return .null
        case .bool: return .bool
        case .int: return .int
        case .uint: return .uint
        case .double: return .double
        case .string: return .string
        case .bytes: return .bytes
        case .list: return .list
        case .map: return .map
        case .timestamp: return .timestamp
        case .duration: return .duration
        }
    }

    public var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
    public var intValue: Int64? { if case .int(let i) = self { return i }; return nil }
    public var doubleValue: Double? { if case .double(let d) = self { return d }; return nil }
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }
    public var listValue: [Value]? { if case .list(let l) = self { return l }; return nil }
    public var mapValue: [String: Value]? { if case .map(let m) = self { return m }; return nil }
    public var timestampValue: CELTimestamp? { if case .timestamp(let t) = self { return t }; return nil }
    public var durationValue: CELDuration? { if case .duration(let d) = self { return d }; return nil }
    public var isNull: Bool { if case .null = self { return true }; return false }
}

extension Value: Equatable {
    /// CEL equality: numbers compare across int/uint/double by numeric value, lists and maps deeply,
    /// values of different types are unequal (never an error). `NaN` is unequal to everything.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        // By code points, as CEL does (Swift's `==` would also equate canonically equivalent strings).
        case (.string(let a), .string(let b)): return a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8)
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.timestamp(let a), .timestamp(let b)): return a == b
        case (.duration(let a), .duration(let b)): return a == b
        case (.list(let a), .list(let b)):
            guard a.count == b.count else { return false }
            for i in a.indices where a[i] != b[i] { return false }
            return true
        case (.map(let a), .map(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                guard let other = b[key], other == value else { return false }
            }
            return true
        case (.int, _), (.uint, _), (.double, _):
            return NumericComparison.compare(lhs, rhs) == .some(.equal)
        default:
            return false
        }
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        self = .map(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}

extension Value: CustomStringConvertible {
    /// A CEL-literal-like rendering, used in tests and debugging (`"a"`, `1u`, `[1, 2]`, `{"k": true}`).
    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return "\(u)u"
        case .double(let d): return DoubleFormatting.cel(d)
        case .string(let s): return Self.quoted(s)
        case .bytes(let b): return "b\"" + b.map { String($0, radix: 16) }.joined(separator: " ") + "\""
        case .list(let l): return "[" + l.map(\.description).joined(separator: ", ") + "]"
        case .map(let m):
            return "{" + m.keys.sorted().map { "\(Self.quoted($0)): \(m[$0]?.description ?? "")" }.joined(separator: ", ") + "}"
        case .timestamp(let t): return "timestamp(\"\(t.rfc3339)\")"
        case .duration(let d): return "duration(\"\(d.celString)\")"
        }
    }

    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
