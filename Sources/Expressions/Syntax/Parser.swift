/// A recursive-descent parser for the CEL subset. It resolves names, functions and macros and infers
/// static types while parsing, so its output is a ready-to-evaluate `Node` tree.
///
/// Grammar (CEL, lowest precedence first):
/// ```
/// Expr           = ConditionalOr ["?" ConditionalOr ":" Expr]
/// ConditionalOr  = ConditionalAnd {"||" ConditionalAnd}
/// ConditionalAnd = Relation {"&&" Relation}
/// Relation       = Addition {("<" | "<=" | ">=" | ">" | "==" | "!=" | "in") Addition}
/// Addition       = Multiplication {("+" | "-") Multiplication}
/// Multiplication = Unary {("*" | "/" | "%") Unary}
/// Unary          = Member | "!" {"!"} Member | "-" {"-"} Member
/// Member         = Primary {"." IDENT ["(" [ExprList] ")"] | "[" Expr "]"}
/// Primary        = ["."] IDENT ["(" [ExprList] ")"] | "(" Expr ")" | "[" [ExprList] [","] "]"
///                | "{" [MapInits] [","] "}" | LITERAL
/// ```
struct Parser {
    let source: SourceText
    let tokens: [Token]
    let variables: Set<String>?
    var position = 0
    /// Names of the comprehension variables in scope; a variable's slot is its index.
    var scope: [String] = []
    var maxSlots = 0
    var referencedVariables: Set<String> = []
    private var depth = 0

    static let maxDepth = 200

    init(source: SourceText, tokens: [Token], variables: Set<String>?) {
        self.source = source
        self.tokens = tokens
        self.variables = variables
    }

    var current: Token { tokens[position] }

    func peekKind(_ ahead: Int = 1) -> Token.Kind {
        let i = position + ahead
        return i < tokens.count ? tokens[i].kind : .end
    }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func expect(_ kind: Token.Kind, _ what: String) throws(ExpressionError) -> Token {
        guard current.kind == kind else {
            throw source.error(.syntax, "unexpected \(current.display), expected \(what)", at: current.offset)
        }
        return advance()
    }

    /// Builds a node; refuses trees deeper than `maxDepth` so evaluation recursion stays bounded.
    func make(_ kind: NodeKind, _ type: ExpressionType?, at offset: Int) throws(ExpressionError) -> Node {
        let (line, column) = source.position(of: offset)
        let node = Node(kind, type: type, line: line, column: column)
        guard node.depth <= Self.maxDepth else {
            throw source.error(.syntax, "expression is nested too deeply (more than \(Self.maxDepth) levels)", at: offset)
        }
        return node
    }

    func typeError(_ message: String, at offset: Int) -> ExpressionError {
        source.error(.typeMismatch, message, at: offset)
    }

    static func typeList(_ types: [ExpressionType?]) -> String {
        "(" + types.map { $0?.shortName ?? "dyn" }.joined(separator: ", ") + ")"
    }

    /// Parses the whole input; anything left over is an error.
    mutating func parseAll() throws(ExpressionError) -> Node {
        if current.kind == .end {
            throw source.error(.syntax, "empty expression", at: current.offset)
        }
        let node = try parseExpression()
        guard current.kind == .end else {
            throw source.error(.syntax, "unexpected \(current.display) after the end of the expression", at: current.offset)
        }
        return node
    }

    mutating func parseExpression() throws(ExpressionError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw source.error(.syntax, "expression is nested too deeply (more than \(Self.maxDepth) levels)", at: current.offset)
        }
        let condition = try parseOr()
        guard current.kind == .question else { return condition }
        let question = advance()
        let whenTrue = try parseOr()
        _ = try expect(.colon, "':' of the conditional expression started at \(positionText(question.offset))")
        let whenFalse = try parseExpression()
        if let type = condition.type, type != .bool {
            throw typeError("the condition of '?:' must be bool, not \(type.shortName)", at: question.offset)
        }
        let type = whenTrue.type == whenFalse.type ? whenTrue.type : nil
        return try make(.conditional(condition, whenTrue, whenFalse), type, at: question.offset)
    }

    func positionText(_ offset: Int) -> String {
        let (line, column) = source.position(of: offset)
        return "\(line):\(column)"
    }

    private mutating func parseOr() throws(ExpressionError) -> Node {
        var left = try parseAnd()
        while current.kind == .or {
            let op = advance()
            let right = try parseAnd()
            try checkLogical(left, right, "||", op.offset)
            left = try make(.or(left, right), .bool, at: op.offset)
        }
        return left
    }

    private mutating func parseAnd() throws(ExpressionError) -> Node {
        var left = try parseRelation()
        while current.kind == .and {
            let op = advance()
            let right = try parseRelation()
            try checkLogical(left, right, "&&", op.offset)
            left = try make(.and(left, right), .bool, at: op.offset)
        }
        return left
    }

    private func checkLogical(_ left: Node, _ right: Node, _ op: String, _ offset: Int) throws(ExpressionError) {
        if (left.type != nil && left.type != .bool) || (right.type != nil && right.type != .bool) {
            throw typeError("found no matching overload for '\(op)' applied to \(Self.typeList([left.type, right.type]))", at: offset)
        }
    }

    private mutating func parseRelation() throws(ExpressionError) -> Node {
        var left = try parseAddition()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .equal: op = .equal
            case .notEqual: op = .notEqual
            case .less: op = .less
            case .lessEqual: op = .lessEqual
            case .greater: op = .greater
            case .greaterEqual: op = .greaterEqual
            case .keywordIn: op = .in
            default: return left
            }
            let token = advance()
            let right = try parseAddition()
            left = try binary(op, left, right, token.offset)
        }
    }

    private mutating func parseAddition() throws(ExpressionError) -> Node {
        var left = try parseMultiplication()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return left
            }
            let token = advance()
            let right = try parseMultiplication()
            left = try binary(op, left, right, token.offset)
        }
    }

    private mutating func parseMultiplication() throws(ExpressionError) -> Node {
        var left = try parseUnary()
        while true {
            let op: BinaryOperator
            switch current.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .percent: op = .remainder
            default: return left
            }
            let token = advance()
            let right = try parseUnary()
            left = try binary(op, left, right, token.offset)
        }
    }

    private func binary(_ op: BinaryOperator, _ left: Node, _ right: Node, _ offset: Int) throws(ExpressionError) -> Node {
        switch OperatorSignatures.resultType(op, left.type, right.type) {
        case .success(let type):
            return try make(.binary(op, left, right), type, at: offset)
        case .failure:
            throw typeError(
                "found no matching overload for '\(op.rawValue)' applied to \(Self.typeList([left.type, right.type]))", at: offset)
        }
    }

    private mutating func parseUnary() throws(ExpressionError) -> Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw source.error(.syntax, "expression is nested too deeply (more than \(Self.maxDepth) levels)", at: current.offset)
        }
        switch current.kind {
        case .bang:
            let token = advance()
            let operand = try parseUnary()
            if let type = operand.type, type != .bool {
                throw typeError("found no matching overload for '!' applied to (\(type.shortName))", at: token.offset)
            }
            return try make(.not(operand), .bool, at: token.offset)
        case .minus:
            let token = advance()
            switch current.kind {
            case .int(let magnitude):
                advance()
                guard magnitude <= UInt64(Int64.max) + 1 else {
                    throw source.error(.syntax, "integer literal -\(magnitude) is out of range", at: token.offset)
                }
                let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
                return try parseMemberSuffix(try make(.literal(.int(value)), .int, at: token.offset))
            case .double(let d):
                advance()
                return try parseMemberSuffix(try make(.literal(.double(-d)), .double, at: token.offset))
            default:
                let operand = try parseUnary()
                if let type = operand.type, type != .int, type != .double {
                    throw typeError("found no matching overload for '-' applied to (\(type.shortName))", at: token.offset)
                }
                return try make(.negate(operand), operand.type, at: token.offset)
            }
        default:
            return try parseMember()
        }
    }

    mutating func parseMember() throws(ExpressionError) -> Node {
        try parseMemberSuffix(try parsePrimary())
    }
}
