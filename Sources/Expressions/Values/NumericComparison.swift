/// The order of two values.
enum Ordering: Sendable {
    case less, equal, greater

    init<T: Comparable>(_ a: T, _ b: T) {
        self = a < b ? .less : (a == b ? .equal : .greater)
    }
}

/// Exact comparison across CEL's numeric types (int, uint, double), as CEL's heterogeneous equality and
/// ordering require: no precision is lost when comparing a large int with a double.
enum NumericComparison {
    /// `nil` when either side is not a number or a double is NaN.
    static func compare(_ lhs: Value, _ rhs: Value) -> Ordering? {
        switch (lhs, rhs) {
        case (.int(let a), .int(let b)): return Ordering(a, b)
        case (.uint(let a), .uint(let b)): return Ordering(a, b)
        case (.double(let a), .double(let b)):
            if a.isNaN || b.isNaN { return nil }
            return Ordering(a, b)
        case (.int(let a), .uint(let b)): return a < 0 ? .less : Ordering(UInt64(a), b)
        case (.uint(let a), .int(let b)): return b < 0 ? .greater : Ordering(a, UInt64(b))
        case (.int(let a), .double(let b)): return compare(int: a, double: b)
        case (.double(let a), .int(let b)): return compare(int: b, double: a).map(flip)
        case (.uint(let a), .double(let b)): return compare(uint: a, double: b)
        case (.double(let a), .uint(let b)): return compare(uint: b, double: a).map(flip)
        default: return nil
        }
    }

    private static func flip(_ o: Ordering) -> Ordering {
        switch o {
        case .less: return .greater
        case .equal: return .equal
        case .greater: return .less
        }
    }

    private static func compare(int a: Int64, double b: Double) -> Ordering? {
        if b.isNaN { return nil }
        if b >= 9_223_372_036_854_775_808.0 { return .less }
        if b < -9_223_372_036_854_775_808.0 { return .greater }
        let truncated = b.rounded(.towardZero)
        let whole = Int64(truncated)
        if a != whole { return Ordering(a, whole) }
        if b > truncated { return .less }
        if b < truncated { return .greater }
        return .equal
    }

    private static func compare(uint a: UInt64, double b: Double) -> Ordering? {
        if b.isNaN { return nil }
        if b < 0 { return .greater }
        if b >= 18_446_744_073_709_551_616.0 { return .less }
        let truncated = b.rounded(.towardZero)
        let whole = UInt64(truncated)
        if a != whole { return Ordering(a, whole) }
        return b > truncated ? .less : .equal
    }
}
