/// The type conversion functions: `timestamp`, `duration`, `string`, `int`, `uint`, `double`, `bool`,
/// `bytes`, `dyn`, with CEL's range checks.
enum Conversions {
    static func apply(_ builtin: Builtin, _ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch builtin {
        case .timestamp: return try timestamp(value, at: node)
        case .duration: return try duration(value, at: node)
        case .string: return try string(value, at: node)
        case .int: return try int(value, at: node)
        case .uint: return try uint(value, at: node)
        case .double: return try double(value, at: node)
        case .bool: return try bool(value, at: node)
        case .bytes:
            switch value {
            case .bytes: return value
            case .string(let s): return .bytes(Array(s.utf8))
            default: throw fail(builtin, value, node)
            }
        default: return value
        }
    }

    private static func fail(_ builtin: Builtin, _ value: Value, _ node: Node) -> EvaluationError {
        Operators.noOverload(builtin.rawValue, [value], at: node)
    }

    private static func timestamp(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .timestamp: return value
        case .string(let text):
            guard let t = CELTimestamp.parse(text) else {
                throw node.error(.invalidArgument, "invalid timestamp \"\(text)\" (expected RFC 3339, such as 2024-05-01T10:00:00Z)")
            }
            return .timestamp(t)
        case .int(let seconds):
            guard let t = CELTimestamp(secondsSinceEpoch: seconds) else { throw node.error(.overflow, "timestamp out of range") }
            return .timestamp(t)
        default: throw fail(.timestamp, value, node)
        }
    }

    private static func duration(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .duration: return value
        case .string(let text):
            guard let d = CELDuration.parse(text) else {
                throw node.error(.invalidArgument, "invalid duration \"\(text)\" (expected a number and unit, such as 90s, 1h30m, 300ms)")
            }
            return .duration(d)
        default: throw fail(.duration, value, node)
        }
    }

    private static func string(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .string: return value
        case .int(let i): return .string(String(i))
        case .uint(let u): return .string(String(u))
        case .double(let d): return .string(DoubleFormatting.cel(d))
        case .bool(let b): return .string(b ? "true" : "false")
        case .bytes(let b):
            guard let s = String(validating: b, as: UTF8.self) else {
                throw node.error(.invalidArgument, "bytes are not valid UTF-8")
            }
            return .string(s)
        case .timestamp(let t): return .string(t.rfc3339)
        case .duration(let d): return .string(d.celString)
        default: throw fail(.string, value, node)
        }
    }

    private static func int(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .int: return value
        case .uint(let u):
            guard u <= UInt64(Int64.max) else { throw node.error(.overflow, "int(\(u)u) is out of range") }
            return .int(Int64(u))
        case .double(let d):
            // Doubles at or beyond ±2^63 (and NaN, infinities) do not fit.
            guard d.isFinite, d > -9_223_372_036_854_775_809.0, d < 9_223_372_036_854_775_808.0 else {
                throw node.error(.overflow, "int(\(DoubleFormatting.cel(d))) is out of range")
            }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s):
            guard let i = Int64(s) else { throw node.error(.invalidArgument, "cannot convert \"\(s)\" to int") }
            return .int(i)
        case .timestamp(let t): return .int(t.secondsSinceEpoch)
        default: throw fail(.int, value, node)
        }
    }

    private static func uint(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .uint: return value
        case .int(let i):
            guard i >= 0 else { throw node.error(.overflow, "uint(\(i)) is out of range") }
            return .uint(UInt64(i))
        case .double(let d):
            guard d.isFinite, d > -1, d < 18_446_744_073_709_551_616.0 else {
                throw node.error(.overflow, "uint(\(DoubleFormatting.cel(d))) is out of range")
            }
            return .uint(UInt64(d.rounded(.towardZero)))
        case .string(let s):
            guard let u = UInt64(s) else { throw node.error(.invalidArgument, "cannot convert \"\(s)\" to uint") }
            return .uint(u)
        default: throw fail(.uint, value, node)
        }
    }

    private static func double(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .double: return value
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            guard let d = Double(s) else { throw node.error(.invalidArgument, "cannot convert \"\(s)\" to double") }
            return .double(d)
        default: throw fail(.double, value, node)
        }
    }

    private static func bool(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .bool: return value
        case .string(let s):
            switch s {
            case "1", "t", "T", "true", "TRUE", "True": return .bool(true)
            case "0", "f", "F", "false", "FALSE", "False": return .bool(false)
            default: throw node.error(.invalidArgument, "cannot convert \"\(s)\" to bool")
            }
        default: throw fail(.bool, value, node)
        }
    }
}
