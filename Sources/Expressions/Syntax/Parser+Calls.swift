import Foundation

extension Parser {
    mutating func parseGlobalCall(_ name: String, at offset: Int) throws(ExpressionError) -> Node {
        let open = advance()
        if name == "has" {
            let args = try parseArguments(openedAt: open.offset)
            guard args.count == 1 else {
                throw source.error(.wrongArity, "'has' expects 1 argument, got \(args.count)", at: offset)
            }
            guard case .select(let operand, let field) = args[0].kind else {
                throw source.error(.syntax, "has() needs a field selection such as has(data.field)", at: offset)
            }
            return try make(.presence(operand, field), .bool, at: offset)
        }
        guard let builtin = Builtin(rawValue: name) else {
            if Builtin.macros.contains(name) {
                throw source.error(.unknownFunction, "'\(name)' is a macro on lists: call it as list.\(name)(x, …)", at: offset)
            }
            throw source.error(.unknownFunction, "unknown function '\(name)'", at: offset)
        }
        guard builtin.style != .member else {
            throw source.error(.unknownFunction, "'\(name)' is a method: call it as x.\(name)(…)", at: offset)
        }
        let args = try parseArguments(openedAt: open.offset)
        return try call(builtin, args, member: false, at: offset)
    }

    mutating func parseMethodCall(_ receiver: Node, _ name: String, at offset: Int) throws(ExpressionError) -> Node {
        let open = advance()
        if let kind = Comprehension.Kind(rawValue: name) {
            return try parseComprehension(kind, receiver, openedAt: open.offset, at: offset)
        }
        guard let builtin = Builtin(rawValue: name) else {
            throw source.error(.unknownFunction, "unknown method '\(name)'", at: offset)
        }
        guard builtin.style != .global else {
            throw source.error(.unknownFunction, "'\(name)' is a function, not a method: call it as \(name)(x)", at: offset)
        }
        let args = try parseArguments(openedAt: open.offset)
        return try call(builtin, [receiver] + args, member: true, at: offset)
    }

    /// Checks arity and static types, folds literal timestamps/durations and compiles literal regexes.
    private func call(_ builtin: Builtin, _ args: [Node], member: Bool, at offset: Int) throws(ExpressionError) -> Node {
        let explicit = args.count - (member ? 1 : 0)
        let arities = builtin.arities(member: member)
        guard arities.contains(explicit) else {
            let expected = arities.map(String.init).joined(separator: " or ")
            let noun = arities == [1] ? "argument" : "arguments"
            throw source.error(.wrongArity, "'\(builtin.rawValue)' expects \(expected) \(noun), got \(explicit)", at: offset)
        }
        let types = args.map(\.type)
        let matching = builtin.matching(types)
        guard !matching.isEmpty else {
            let shown = member
                ? (types[0]?.shortName ?? "dyn") + "." + builtin.rawValue + Self.typeList(Array(types.dropFirst()))
                : builtin.rawValue + Self.typeList(types)
            throw typeError("found no matching overload for '\(builtin.rawValue)' applied to \(shown)", at: offset)
        }
        let results = Set(matching.map(\.result))
        let type = results.count == 1 ? results.first ?? nil : nil
        if let folded = try foldLiteral(builtin, args, at: offset) { return folded }
        if builtin == .matches, case .literal(.string(let pattern)) = args[1].kind {
            let regex = try compileRegex(pattern, at: offset)
            return try make(.matchesLiteral(args[0], regex), .bool, at: offset)
        }
        return try make(.call(builtin, args), type, at: offset)
    }

    /// `timestamp("literal")` and `duration("literal")` are checked and converted once, here.
    private func foldLiteral(_ builtin: Builtin, _ args: [Node], at offset: Int) throws(ExpressionError) -> Node? {
        guard args.count == 1, case .literal(.string(let text)) = args[0].kind else { return nil }
        switch builtin {
        case .timestamp:
            guard let value = CELTimestamp.parse(text) else {
                throw source.error(
                    .invalidLiteral, "invalid timestamp \"\(text)\" (expected RFC 3339, such as 2024-05-01T10:00:00Z)", at: offset)
            }
            return try make(.literal(.timestamp(value)), .timestamp, at: offset)
        case .duration:
            guard let value = CELDuration.parse(text) else {
                throw source.error(
                    .invalidLiteral, "invalid duration \"\(text)\" (expected a number and unit, such as 90s, 1h30m, 300ms)", at: offset)
            }
            return try make(.literal(.duration(value)), .duration, at: offset)
        default:
            return nil
        }
    }

    private func compileRegex(_ pattern: String, at offset: Int) throws(ExpressionError) -> CompiledRegex {
        do {
            return CompiledRegex(pattern: pattern, regex: try NSRegularExpression(pattern: pattern))
        } catch {
            throw source.error(.invalidLiteral, "invalid regular expression \"\(pattern)\"", at: offset)
        }
    }

    /// `range.all(x, p)`, `exists`, `exists_one`, `filter`, and `map(x, t)` / `map(x, p, t)`.
    private mutating func parseComprehension(
        _ kind: Comprehension.Kind, _ range: Node, openedAt open: Int, at offset: Int
    ) throws(ExpressionError) -> Node {
        guard case .identifier(let name) = current.kind, peekKind() == .comma else {
            throw source.error(.syntax, "the first argument of '\(kind.rawValue)' must be a variable name, as in "
                + "list.\(kind.rawValue)(x, x > 0)", at: current.offset)
        }
        advance()
        advance()
        if let type = range.type, type != .list, type != .map {
            throw typeError("'\(kind.rawValue)' needs a list or a map, not \(type.shortName)", at: offset)
        }
        let slot = scope.count
        scope.append(name)
        maxSlots = max(maxSlots, scope.count)
        let args = try parseArguments(openedAt: open)
        scope.removeLast()
        let allowed = kind == .map ? [1, 2] : [1]
        guard allowed.contains(args.count) else {
            let expected = kind == .map ? "2 or 3" : "2"
            throw source.error(.wrongArity, "'\(kind.rawValue)' expects \(expected) arguments, got \(args.count + 1)", at: offset)
        }
        let hasPredicate = kind != .map || args.count == 2
        let predicate = hasPredicate ? args[0] : nil
        if let predicate, let type = predicate.type, type != .bool {
            throw typeError("the predicate of '\(kind.rawValue)' must be bool, not \(type.shortName)", at: offset)
        }
        let transform = kind == .map ? args[args.count - 1] : nil
        let type: ExpressionType = (kind == .map || kind == .filter) ? .list : .bool
        let comprehension = Comprehension(kind: kind, range: range, slot: slot, predicate: predicate, transform: transform)
        return try make(.comprehension(comprehension), type, at: offset)
    }
}
