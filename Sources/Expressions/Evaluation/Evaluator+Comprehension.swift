extension Evaluator {
    /// The list macros. They iterate a finite list (or a map's keys, in sorted order), so they always end.
    /// `all` and `exists` absorb errors like `&&` and `||`: a deciding element wins over an error elsewhere.
    mutating func evalComprehension(_ c: Comprehension, at node: Node) throws(EvaluationError) -> Value {
        let range = try eval(c.range)
        let elements: [Value]
        switch range {
        case .list(let list): elements = list
        case .map(let map): elements = map.keys.sorted().map(Value.string)
        default: throw node.error(.noMatchingOverload, "'\(c.kind.rawValue)' needs a list or a map, not \(range.type.shortName)")
        }
        switch c.kind {
        case .all, .exists:
            let deciding = c.kind == .exists
            var firstError: EvaluationError?
            for element in elements {
                locals[c.slot] = element
                do {
                    switch try predicate(c, node) {
                    case deciding: return .bool(deciding)
                    default: continue
                    }
                } catch {
                    firstError = firstError ?? error
                }
            }
            if let firstError { throw firstError }
            return .bool(!deciding)
        case .existsOne:
            var count = 0
            for element in elements {
                locals[c.slot] = element
                if try predicate(c, node) { count += 1 }
            }
            return .bool(count == 1)
        case .filter, .map:
            var result: [Value] = []
            for element in elements {
                locals[c.slot] = element
                if c.predicate != nil, try !predicate(c, node) { continue }
                if let transform = c.transform {
                    result.append(try eval(transform))
                } else {
                    result.append(element)
                }
            }
            return .list(result)
        }
    }

    private mutating func predicate(_ c: Comprehension, _ node: Node) throws(EvaluationError) -> Bool {
        guard let predicateNode = c.predicate else { return true }
        let value = try eval(predicateNode)
        guard case .bool(let b) = value else {
            throw predicateNode.error(.noMatchingOverload, "the predicate of '\(c.kind.rawValue)' must be bool, not \(value.type.shortName)")
        }
        return b
    }
}
