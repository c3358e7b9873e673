extension Parser {
    mutating func parsePrimary() throws(ExpressionError) -> Node {
        let token = current
        switch token.kind {
        case .int(let magnitude):
            advance()
            guard magnitude <= UInt64(Int64.max) else {
                throw source.error(.syntax, "integer literal \(magnitude) is out of range (use a 'u' suffix for uint)", at: token.offset)
            }
            return try make(.literal(.int(Int64(magnitude))), .int, at: token.offset)
        case .uint(let value):
            advance()
            return try make(.literal(.uint(value)), .uint, at: token.offset)
        case .double(let value):
            advance()
            return try make(.literal(.double(value)), .double, at: token.offset)
        case .string(let value):
            advance()
            return try make(.literal(.string(value)), .string, at: token.offset)
        case .bytes(let value):
            advance()
            return try make(.literal(.bytes(value)), .bytes, at: token.offset)
        case .keywordTrue, .keywordFalse:
            advance()
            return try make(.literal(.bool(token.kind == .keywordTrue)), .bool, at: token.offset)
        case .keywordNull:
            advance()
            return try make(.literal(.null), .null, at: token.offset)
        case .leftParen:
            advance()
            let inner = try parseExpression()
            guard current.kind == .rightParen else {
                throw source.error(
                    .syntax, "expected ')' to close '(' at \(positionText(token.offset)), found \(current.display)", at: current.offset)
            }
            advance()
            return inner
        case .leftBracket:
            return try parseList()
        case .leftBrace:
            return try parseMap()
        case .dot:
            // A leading dot names a top-level variable even when a macro variable shadows it.
            advance()
            guard case .identifier(let name) = current.kind else {
                throw source.error(.syntax, "unexpected \(current.display), expected an identifier after '.'", at: current.offset)
            }
            let nameToken = advance()
            return try variable(name, at: nameToken.offset, rootScoped: true)
        case .identifier(let name):
            advance()
            if current.kind == .leftParen {
                return try parseGlobalCall(name, at: token.offset)
            }
            if current.kind == .leftBrace {
                throw source.error(.syntax, "message construction ('\(name){…}') is not supported", at: current.offset)
            }
            return try variable(name, at: token.offset, rootScoped: false)
        default:
            throw source.error(.syntax, "unexpected \(token.display), expected an expression", at: token.offset)
        }
    }

    private mutating func variable(_ name: String, at offset: Int, rootScoped: Bool) throws(ExpressionError) -> Node {
        if !rootScoped, let slot = scope.lastIndex(of: name) {
            return try make(.local(slot), nil, at: offset)
        }
        if let variables, !variables.contains(name) {
            let known = variables.sorted().joined(separator: ", ")
            throw source.error(.unknownVariable, "unknown variable '\(name)' (available: \(known))", at: offset)
        }
        referencedVariables.insert(name)
        return try make(.variable(name), nil, at: offset)
    }

    private mutating func parseList() throws(ExpressionError) -> Node {
        let open = advance()
        var items: [Node] = []
        while current.kind != .rightBracket {
            items.append(try parseExpression())
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightBracket {
                throw source.error(.syntax, "unexpected \(current.display), expected ',' or ']' in the list started at "
                    + positionText(open.offset), at: current.offset)
            }
        }
        advance()
        return try make(.list(items), .list, at: open.offset)
    }

    private mutating func parseMap() throws(ExpressionError) -> Node {
        let open = advance()
        var entries: [MapEntry] = []
        while current.kind != .rightBrace {
            let keyOffset = current.offset
            let key = try parseExpression()
            if let type = key.type, type != .string {
                throw typeError("map keys must be strings in this subset of CEL, not \(type.shortName)", at: keyOffset)
            }
            _ = try expect(.colon, "':' after a map key")
            let value = try parseExpression()
            entries.append(MapEntry(key: key, value: value))
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightBrace {
                throw source.error(.syntax, "unexpected \(current.display), expected ',' or '}' in the map started at "
                    + positionText(open.offset), at: current.offset)
            }
        }
        advance()
        return try make(.map(entries), .map, at: open.offset)
    }

    mutating func parseMemberSuffix(_ start: Node) throws(ExpressionError) -> Node {
        var node = start
        while true {
            switch current.kind {
            case .dot:
                let dot = advance()
                guard case .identifier(let name) = current.kind else {
                    throw source.error(.syntax, "unexpected \(current.display), expected a field name after '.'", at: current.offset)
                }
                let nameToken = advance()
                if current.kind == .leftParen {
                    node = try parseMethodCall(node, name, at: nameToken.offset)
                } else {
                    if let type = node.type, type != .map {
                        throw typeError("type '\(type.shortName)' does not support field selection", at: dot.offset)
                    }
                    node = try make(.select(node, name), nil, at: dot.offset)
                }
            case .leftBracket:
                let open = advance()
                let index = try parseExpression()
                guard current.kind == .rightBracket else {
                    throw source.error(
                        .syntax, "expected ']' to close '[' at \(positionText(open.offset)), found \(current.display)", at: current.offset)
                }
                advance()
                try checkIndex(node, index, at: open.offset)
                node = try make(.index(node, index), nil, at: open.offset)
            default:
                return node
            }
        }
    }

    private func checkIndex(_ operand: Node, _ index: Node, at offset: Int) throws(ExpressionError) {
        switch operand.type {
        case nil: return
        case .list:
            if let type = index.type, !type.isNumeric {
                throw typeError("found no matching overload for '[]' applied to (list, \(type.shortName))", at: offset)
            }
        case .map:
            if let type = index.type, type != .string {
                throw typeError("found no matching overload for '[]' applied to (map, \(type.shortName))", at: offset)
            }
        case .some(let type):
            throw typeError("type '\(type.shortName)' does not support indexing", at: offset)
        }
    }

    /// Comma-separated arguments up to and including the closing ')'.
    mutating func parseArguments(openedAt open: Int) throws(ExpressionError) -> [Node] {
        var args: [Node] = []
        while current.kind != .rightParen {
            args.append(try parseExpression())
            if current.kind == .comma {
                advance()
            } else if current.kind != .rightParen {
                throw source.error(
                    .syntax, "expected ')' to close '(' at \(positionText(open)), found \(current.display)", at: current.offset)
            }
        }
        advance()
        return args
    }
}
