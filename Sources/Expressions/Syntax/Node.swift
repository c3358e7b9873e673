import Foundation

/// A node of a compiled expression: the parsed, resolved and statically typed tree that the evaluator walks.
final class Node: Sendable {
    let kind: NodeKind
    /// The statically known result type, `nil` when it depends on the input (`dyn`).
    let type: ExpressionType?
    /// 1-based position of the node's operator or first token, for error messages.
    let line: Int32
    let column: Int32
    /// Height of the subtree (a leaf is 1); bounded by the parser so evaluation cannot exhaust the stack.
    let depth: Int

    init(_ kind: NodeKind, type: ExpressionType?, line: Int, column: Int) {
        self.kind = kind
        self.type = type
        self.line = Int32(clamping: line)
        self.column = Int32(clamping: column)
        self.depth = 1 + kind.children.reduce(0) { max($0, $1.depth) }
    }
}

enum NodeKind: Sendable {
    case literal(Value)
    /// A top-level variable from the activation.
    case variable(String)
    /// A comprehension (macro) variable, by slot.
    case local(Int)
    case select(Node, String)
    /// `has(operand.field)`.
    case presence(Node, String)
    case index(Node, Node)
    case not(Node)
    case negate(Node)
    case binary(BinaryOperator, Node, Node)
    case and(Node, Node)
    case or(Node, Node)
    case conditional(Node, Node, Node)
    case list([Node])
    case map([MapEntry])
    /// A function or method call; for methods the receiver is the first argument.
    case call(Builtin, [Node])
    /// `target.matches(<literal pattern>)` with the pattern compiled once.
    case matchesLiteral(Node, CompiledRegex)
    case comprehension(Comprehension)
}

extension NodeKind {
    var children: [Node] {
        switch self {
        case .literal, .variable, .local: return []
        case .select(let n, _), .presence(let n, _), .not(let n), .negate(let n), .matchesLiteral(let n, _): return [n]
        case .index(let a, let b), .binary(_, let a, let b), .and(let a, let b), .or(let a, let b): return [a, b]
        case .conditional(let a, let b, let c): return [a, b, c]
        case .list(let items), .call(_, let items): return items
        case .map(let entries): return entries.flatMap { [$0.key, $0.value] }
        case .comprehension(let c): return [c.range] + [c.predicate, c.transform].compactMap { $0 }
        }
    }
}

struct MapEntry: Sendable {
    let key: Node
    let value: Node
}

/// A regular expression compiled at compile time.
struct CompiledRegex: Sendable {
    let pattern: String
    let regex: NSRegularExpression
}

/// The list macros: `all`, `exists`, `exists_one`, `map`, `filter`.
struct Comprehension: Sendable {
    enum Kind: String, Sendable {
        case all, exists
        case existsOne = "exists_one"
        case map, filter
    }

    let kind: Kind
    let range: Node
    let slot: Int
    /// The predicate (all, exists, exists_one, filter, three-argument map) or `nil`.
    let predicate: Node?
    /// The transform of `map`.
    let transform: Node?
}

enum BinaryOperator: String, Sendable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case remainder = "%"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="
    case `in` = "in"
}
