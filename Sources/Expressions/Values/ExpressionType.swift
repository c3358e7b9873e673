/// The types of the expression language, as used for static checks (`expecting:`) and in messages.
public enum ExpressionType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case null = "null_type"
    case bool
    case int
    case uint
    case double
    case string
    case bytes
    case list
    case map
    case timestamp = "google.protobuf.Timestamp"
    case duration = "google.protobuf.Duration"

    /// CEL's name of the type (`int`, `string`, `google.protobuf.Timestamp`, …).
    public var description: String { rawValue }

    /// A short name for error messages (`timestamp` rather than `google.protobuf.Timestamp`).
    var shortName: String {
        switch self {
        case .null: return "null"
        case .timestamp: return "timestamp"
        case .duration: return "duration"
        default: return rawValue
        }
    }

    var isNumeric: Bool { self == .int || self == .uint || self == .double }
}
