/// Field selection (`a.b`) and indexing (`a[i]`, `m["k"]`).
enum Access {
    static func select(_ base: Value, _ field: String, at node: Node) throws(EvaluationError) -> Value {
        guard case .map(let map) = base else {
            throw node.error(.noMatchingOverload, "type '\(base.type.shortName)' does not support field selection (.\(field))")
        }
        guard let value = map[field] else { throw node.error(.noSuchKey, "no such key: \(field)") }
        return value
    }

    static func index(_ base: Value, _ index: Value, at node: Node) throws(EvaluationError) -> Value {
        switch base {
        case .list(let list):
            let position: Int64
            switch index {
            case .int(let i): position = i
            case .uint(let u): position = u > UInt64(Int64.max) ? Int64.max : Int64(u)
            case .double(let d) where d.rounded(.towardZero) == d && abs(d) < 9.2e18: position = Int64(d)
            default:
                throw node.error(.noMatchingOverload, "invalid list index \(index) of type \(index.type.shortName)")
            }
            guard position >= 0, position < list.count else {
                throw node.error(.indexOutOfRange, "index out of range: \(index) (list size \(list.count))")
            }
            return list[Int(position)]
        case .map(let map):
            guard case .string(let key) = index, let value = map[key] else {
                if case .string(let key) = index { throw node.error(.noSuchKey, "no such key: \(key)") }
                throw node.error(.noSuchKey, "no such key: \(index)")
            }
            return value
        default:
            throw node.error(.noMatchingOverload, "type '\(base.type.shortName)' does not support indexing")
        }
    }
}
