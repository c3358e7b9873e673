/// The functions and methods of the language, with their CEL overloads for static checking.
enum Builtin: String, Sendable, CaseIterable {
    case size
    case startsWith, endsWith, contains, matches
    case lowerAscii, upperAscii, trim, split, join, replace, indexOf, lastIndexOf, substring, charAt
    case timestamp, duration, string, int, uint, double, bool, bytes, dyn
    case getFullYear, getMonth, getDayOfYear, getDayOfMonth, getDate, getDayOfWeek
    case getHours, getMinutes, getSeconds, getMilliseconds

    /// How a function may be called.
    enum Style { case global, member, both }

    /// One overload; for member calls the receiver is the first parameter. `nil` parameter types accept anything.
    struct Overload {
        let params: [ExpressionType?]
        let result: ExpressionType?
    }

    var style: Style {
        switch self {
        case .size, .matches: return .both
        case .timestamp, .duration, .string, .int, .uint, .double, .bool, .bytes, .dyn: return .global
        default: return .member
        }
    }

    var overloads: [Overload] {
        switch self {
        case .size:
            return [.string, .bytes, .list, .map].map { Overload(params: [$0], result: .int) }
        case .startsWith, .endsWith, .contains, .matches:
            return [Overload(params: [.string, .string], result: .bool)]
        case .lowerAscii, .upperAscii, .trim:
            return [Overload(params: [.string], result: .string)]
        case .split:
            return [Overload(params: [.string, .string], result: .list), Overload(params: [.string, .string, .int], result: .list)]
        case .join:
            return [Overload(params: [.list], result: .string), Overload(params: [.list, .string], result: .string)]
        case .replace:
            return [Overload(params: [.string, .string, .string], result: .string),
                    Overload(params: [.string, .string, .string, .int], result: .string)]
        case .indexOf, .lastIndexOf:
            return [Overload(params: [.string, .string], result: .int), Overload(params: [.string, .string, .int], result: .int)]
        case .substring:
            return [Overload(params: [.string, .int], result: .string), Overload(params: [.string, .int, .int], result: .string)]
        case .charAt:
            return [Overload(params: [.string, .int], result: .string)]
        case .timestamp:
            return [.string, .timestamp, .int].map { Overload(params: [$0], result: .timestamp) }
        case .duration:
            return [.string, .duration].map { Overload(params: [$0], result: .duration) }
        case .string:
            return [.string, .int, .uint, .double, .bool, .bytes, .timestamp, .duration].map { Overload(params: [$0], result: .string) }
        case .int:
            return [.int, .uint, .double, .string, .timestamp].map { Overload(params: [$0], result: .int) }
        case .uint:
            return [.uint, .int, .double, .string].map { Overload(params: [$0], result: .uint) }
        case .double:
            return [.double, .int, .uint, .string].map { Overload(params: [$0], result: .double) }
        case .bool:
            return [.bool, .string].map { Overload(params: [$0], result: .bool) }
        case .bytes:
            return [.bytes, .string].map { Overload(params: [$0], result: .bytes) }
        case .dyn:
            return [Overload(params: [nil], result: nil)]
        case .getFullYear, .getMonth, .getDayOfYear, .getDayOfMonth, .getDate, .getDayOfWeek:
            return [Overload(params: [.timestamp], result: .int), Overload(params: [.timestamp, .string], result: .int)]
        case .getHours, .getMinutes, .getSeconds, .getMilliseconds:
            return [Overload(params: [.timestamp], result: .int), Overload(params: [.timestamp, .string], result: .int),
                    Overload(params: [.duration], result: .int)]
        }
    }

    /// The numbers of explicit arguments accepted (the receiver of a method call not counted).
    func arities(member: Bool) -> [Int] {
        let counts = Set(overloads.map { $0.params.count - (member ? 1 : 0) })
        return counts.sorted()
    }

    /// Overloads matching the statically known argument types (`nil` = unknown, matches anything).
    func matching(_ types: [ExpressionType?]) -> [Overload] {
        overloads.filter { overload in
            overload.params.count == types.count
                && zip(overload.params, types).allSatisfy { param, type in param == nil || type == nil || param == type }
        }
    }

    /// The comprehension macros, called as methods with a variable name as first argument.
    static let macros: Set<String> = ["all", "exists", "exists_one", "map", "filter"]
}

/// Static overloads of the operators.
enum OperatorSignatures {
    private static let numeric: [ExpressionType] = [.int, .uint, .double]

    /// The result type of `lhs op rhs` when statically known; `.failure` when no overload can match.
    static func resultType(_ op: BinaryOperator, _ lhs: ExpressionType?, _ rhs: ExpressionType?) -> Result<ExpressionType?, Mismatch> {
        let pairs = overloads(op)
        if op == .equal || op == .notEqual { return .success(.bool) }
        if op == .in {
            if let rhs, rhs != .list && rhs != .map { return .failure(Mismatch()) }
            return .success(.bool)
        }
        let candidates = pairs.filter { (lhs == nil || $0.0 == lhs) && (rhs == nil || $0.1 == rhs) }
        if candidates.isEmpty { return .failure(Mismatch()) }
        let results = Set(candidates.map(\.2))
        return .success(results.count == 1 ? results.first : nil)
    }

    struct Mismatch: Error {}

    private static func overloads(_ op: BinaryOperator) -> [(ExpressionType, ExpressionType, ExpressionType)] {
        switch op {
        case .add:
            return numeric.map { ($0, $0, $0) } + [(.string, .string, .string), (.bytes, .bytes, .bytes), (.list, .list, .list),
                (.timestamp, .duration, .timestamp), (.duration, .timestamp, .timestamp), (.duration, .duration, .duration)]
        case .subtract:
            return numeric.map { ($0, $0, $0) } + [(.timestamp, .timestamp, .duration), (.timestamp, .duration, .timestamp),
                (.duration, .duration, .duration)]
        case .multiply, .divide:
            return numeric.map { ($0, $0, $0) }
        case .remainder:
            return [(.int, .int, .int), (.uint, .uint, .uint)]
        case .less, .lessEqual, .greater, .greaterEqual:
            var pairs: [(ExpressionType, ExpressionType, ExpressionType)] = []
            for a in numeric { for b in numeric { pairs.append((a, b, .bool)) } }
            return pairs + [ExpressionType.string, .bytes, .bool, .timestamp, .duration].map { ($0, $0, .bool) }
        case .equal, .notEqual, .in:
            return []
        }
    }
}
