/// The arithmetic, comparison and membership operators with CEL's overloads and error rules.
enum Operators {
    static func noOverload(_ op: String, _ operands: [Value], at node: Node) -> EvaluationError {
        let types = operands.map { $0.type.shortName }.joined(separator: ", ")
        return node.error(.noMatchingOverload, "no matching overload for '\(op)' applied to (\(types))")
    }

    static func apply(_ op: BinaryOperator, _ a: Value, _ b: Value, at node: Node) throws(EvaluationError) -> Value {
        switch op {
        case .equal: return .bool(a == b)
        case .notEqual: return .bool(a != b)
        case .less, .lessEqual, .greater, .greaterEqual: return try compare(op, a, b, at: node)
        case .in: return try membership(a, b, at: node)
        case .add: return try add(a, b, at: node)
        case .subtract: return try subtract(a, b, at: node)
        case .multiply, .divide, .remainder: return try multiplicative(op, a, b, at: node)
        }
    }

    static func negate(_ value: Value, at node: Node) throws(EvaluationError) -> Value {
        switch value {
        case .int(let i):
            guard i != Int64.min else { throw node.error(.overflow, "integer overflow: -(\(i))") }
            return .int(-i)
        case .double(let d): return .double(-d)
        default: throw noOverload("-", [value], at: node)
        }
    }

    private static func compare(_ op: BinaryOperator, _ a: Value, _ b: Value, at node: Node) throws(EvaluationError) -> Value {
        let order: Ordering?
        switch (a, b) {
        case (.int, _), (.uint, _), (.double, _):
            guard b.type.isNumeric else { throw noOverload(op.rawValue, [a, b], at: node) }
            order = NumericComparison.compare(a, b)
        case (.string(let x), .string(let y)): order = compareBytes(x.utf8, y.utf8)
        case (.bytes(let x), .bytes(let y)): order = compareBytes(x, y)
        case (.bool(let x), .bool(let y)): order = x == y ? .equal : (x ? .greater : .less)
        case (.timestamp(let x), .timestamp(let y)): order = Ordering(x, y)
        case (.duration(let x), .duration(let y)): order = Ordering(x, y)
        default: throw noOverload(op.rawValue, [a, b], at: node)
        }
        guard let order else { return .bool(false) }  // NaN: every ordering comparison is false
        switch op {
        case .less: return .bool(order == .less)
        case .lessEqual: return .bool(order != .greater)
        case .greater: return .bool(order == .greater)
        default: return .bool(order != .less)
        }
    }

    /// Lexicographic by UTF-8 bytes, which is Unicode code point order (CEL's string ordering).
    private static func compareBytes<C: Sequence<UInt8>>(_ x: C, _ y: C) -> Ordering {
        var i = x.makeIterator()
        var j = y.makeIterator()
        while true {
            switch (i.next(), j.next()) {
            case (nil, nil): return .equal
            case (nil, _): return .less
            case (_, nil): return .greater
            case (let p?, let q?): if p != q { return p < q ? .less : .greater }
            }
        }
    }

    private static func membership(_ a: Value, _ b: Value, at node: Node) throws(EvaluationError) -> Value {
        switch b {
        case .list(let list): return .bool(list.contains(a))
        case .map(let map):
            guard case .string(let key) = a else { return .bool(false) }
            return .bool(map[key] != nil)
        default: throw noOverload("in", [a, b], at: node)
        }
    }

    private static func add(_ a: Value, _ b: Value, at node: Node) throws(EvaluationError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            guard !o else { throw node.error(.overflow, "integer overflow: \(x) + \(y)") }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            guard !o else { throw node.error(.overflow, "unsigned integer overflow: \(x)u + \(y)u") }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.bytes(let x), .bytes(let y)): return .bytes(x + y)
        case (.list(let x), .list(let y)): return .list(x + y)
        case (.timestamp(let t), .duration(let d)), (.duration(let d), .timestamp(let t)):
            return try timestamp(t.nanosecondsSinceEpoch + d.nanoseconds, at: node)
        case (.duration(let x), .duration(let y)): return try duration(x.nanoseconds + y.nanoseconds, at: node)
        default: throw noOverload("+", [a, b], at: node)
        }
    }

    private static func subtract(_ a: Value, _ b: Value, at node: Node) throws(EvaluationError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            guard !o else { throw node.error(.overflow, "integer overflow: \(x) - \(y)") }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            guard !o else { throw node.error(.overflow, "unsigned integer overflow: \(x)u - \(y)u") }
            return .uint(r)
        case (.double(let x), .double(let y)): return .double(x - y)
        case (.timestamp(let x), .timestamp(let y)):
            return try duration(x.nanosecondsSinceEpoch - y.nanosecondsSinceEpoch, at: node)
        case (.timestamp(let t), .duration(let d)): return try timestamp(t.nanosecondsSinceEpoch - d.nanoseconds, at: node)
        case (.duration(let x), .duration(let y)): return try duration(x.nanoseconds - y.nanoseconds, at: node)
        default: throw noOverload("-", [a, b], at: node)
        }
    }

    private static func multiplicative(_ op: BinaryOperator, _ a: Value, _ b: Value, at node: Node) throws(EvaluationError) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            if op != .multiply && y == 0 {
                throw node.error(.divisionByZero, op == .divide ? "division by zero" : "modulus by zero")
            }
            let (r, o): (Int64, Bool)
            switch op {
            case .multiply: (r, o) = x.multipliedReportingOverflow(by: y)
            case .divide: (r, o) = x.dividedReportingOverflow(by: y)
            default: (r, o) = x.remainderReportingOverflow(dividingBy: y)
            }
            guard !o else { throw node.error(.overflow, "integer overflow: \(x) \(op.rawValue) \(y)") }
            return .int(r)
        case (.uint(let x), .uint(let y)):
            if op != .multiply && y == 0 {
                throw node.error(.divisionByZero, op == .divide ? "division by zero" : "modulus by zero")
            }
            switch op {
            case .multiply:
                let (r, o) = x.multipliedReportingOverflow(by: y)
                guard !o else { throw node.error(.overflow, "unsigned integer overflow: \(x)u * \(y)u") }
                return .uint(r)
            case .divide: return .uint(x / y)
            default: return .uint(x % y)
            }
        case (.double(let x), .double(let y)) where op != .remainder:
            return .double(op == .multiply ? x * y : x / y)
        default:
            throw noOverload(op.rawValue, [a, b], at: node)
        }
    }

    private static func timestamp(_ nanos: Int128, at node: Node) throws(EvaluationError) -> Value {
        guard let t = CELTimestamp(nanosecondsSinceEpoch: nanos) else { throw node.error(.overflow, "timestamp out of range") }
        return .timestamp(t)
    }

    private static func duration(_ nanos: Int128, at node: Node) throws(EvaluationError) -> Value {
        guard let d = CELDuration(nanoseconds: nanos) else { throw node.error(.overflow, "duration out of range") }
        return .duration(d)
    }
}
