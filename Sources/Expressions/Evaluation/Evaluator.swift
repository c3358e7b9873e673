import Foundation

/// Walks a compiled `Node` tree against one activation. Not shared between threads: one per evaluation.
struct Evaluator {
    let activation: [String: Value]
    /// Comprehension variables by slot.
    var locals: [Value]

    init(activation: [String: Value], slots: Int) {
        self.activation = activation
        self.locals = slots == 0 ? [] : Array(repeating: .null, count: slots)
    }

    mutating func eval(_ node: Node) throws(EvaluationError) -> Value {
        switch node.kind {
        case .literal(let value):
            return value
        case .variable(let name):
            guard let value = activation[name] else { throw node.error(.noSuchVariable, "no such variable: \(name)") }
            return value
        case .local(let slot):
            return locals[slot]
        case .select(let operand, let field):
            return try Access.select(try eval(operand), field, at: node)
        case .presence(let operand, let field):
            let base = try eval(operand)
            guard case .map(let map) = base else {
                throw node.error(.noMatchingOverload, "has() needs a map, not \(base.type.shortName)")
            }
            return .bool(map[field] != nil)
        case .index(let operand, let index):
            let base = try eval(operand)
            return try Access.index(base, try eval(index), at: node)
        case .not(let operand):
            let value = try eval(operand)
            guard case .bool(let b) = value else { throw Operators.noOverload("!", [value], at: node) }
            return .bool(!b)
        case .negate(let operand):
            return try Operators.negate(try eval(operand), at: node)
        case .binary(let op, let lhs, let rhs):
            let left = try eval(lhs)
            return try Operators.apply(op, left, try eval(rhs), at: node)
        case .and(let lhs, let rhs):
            return try logical(lhs, rhs, absorbing: false, at: node)
        case .or(let lhs, let rhs):
            return try logical(lhs, rhs, absorbing: true, at: node)
        case .conditional(let condition, let whenTrue, let whenFalse):
            let value = try eval(condition)
            guard case .bool(let b) = value else { throw Operators.noOverload("?:", [value], at: node) }
            return try eval(b ? whenTrue : whenFalse)
        case .list(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try eval(item)) }
            return .list(values)
        case .map(let entries):
            return try evalMap(entries, at: node)
        case .call(let builtin, let args):
            return try call(builtin, args, at: node)
        case .matchesLiteral(let target, let regex):
            let value = try eval(target)
            guard case .string(let text) = value else { throw Operators.noOverload("matches", [value, .string(regex.pattern)], at: node) }
            return .bool(Functions.matches(text, regex.regex))
        case .comprehension(let comprehension):
            return try evalComprehension(comprehension, at: node)
        }
    }

    /// CEL's commutative `&&` / `||`: the absorbing value (`false` for `&&`, `true` for `||`) on either side
    /// decides the result even when the other side is an error or not a bool.
    private mutating func logical(_ lhs: Node, _ rhs: Node, absorbing: Bool, at node: Node) throws(EvaluationError) -> Value {
        var leftError: EvaluationError?
        var left = Value.null
        do {
            left = try eval(lhs)
            if case .bool(let b) = left, b == absorbing { return .bool(absorbing) }
        } catch {
            leftError = error
        }
        let right: Value
        do {
            right = try eval(rhs)
        } catch {
            throw leftError ?? error
        }
        if case .bool(let b) = right, b == absorbing { return .bool(absorbing) }
        if let leftError { throw leftError }
        guard case .bool = left, case .bool = right else {
            throw Operators.noOverload(absorbing ? "||" : "&&", [left, right], at: node)
        }
        return .bool(!absorbing)
    }

    private mutating func evalMap(_ entries: [MapEntry], at node: Node) throws(EvaluationError) -> Value {
        var map: [String: Value] = [:]
        map.reserveCapacity(entries.count)
        for entry in entries {
            let key = try eval(entry.key)
            guard case .string(let name) = key else {
                throw entry.key.error(.noMatchingOverload, "map keys must be strings, not \(key.type.shortName)")
            }
            let value = try eval(entry.value)
            guard map.updateValue(value, forKey: name) == nil else {
                throw entry.key.error(.invalidArgument, "duplicate key in map literal: \(name)")
            }
        }
        return .map(map)
    }

    private mutating func call(_ builtin: Builtin, _ nodes: [Node], at node: Node) throws(EvaluationError) -> Value {
        var args = Arguments()
        for argument in nodes { args.append(try eval(argument)) }
        return try Functions.apply(builtin, args, at: node)
    }
}

extension Node {
    func error(_ code: EvaluationError.Code, _ message: String) -> EvaluationError {
        EvaluationError(code: code, message: message, line: Int(line), column: Int(column))
    }
}

/// Up to four evaluated call arguments without a heap allocation.
struct Arguments {
    private(set) var count = 0
    private var a0 = Value.null, a1 = Value.null, a2 = Value.null, a3 = Value.null

    mutating func append(_ value: Value) {
        switch count {
        case 0: a0 = value
        case 1: a1 = value
        case 2: a2 = value
        default: a3 = value
        }
        count += 1
    }

    subscript(_ i: Int) -> Value {
        switch i {
        case 0: return a0
        case 1: return a1
        case 2: return a2
        default: return a3
        }
    }

    var values: [Value] { (0..<count).map { self[$0] } }
}
