/// A lexical token of the expression language.
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        case int(UInt64)  // magnitude; the parser folds a leading '-' so Int64.min is expressible
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        case keywordTrue, keywordFalse, keywordNull, keywordIn
        case leftParen, rightParen, leftBracket, rightBracket, leftBrace, rightBrace
        case dot, comma, colon, question
        case plus, minus, star, slash, percent, bang
        case equal, notEqual, less, lessEqual, greater, greaterEqual, and, or
        case end
    }

    let kind: Kind
    /// Byte offset of the first character.
    let offset: Int

    /// How the token is named in error messages.
    var display: String {
        switch kind {
        case .identifier(let name): return "identifier '\(name)'"
        case .int(let v): return "number \(v)"
        case .uint(let v): return "number \(v)u"
        case .double(let v): return "number \(DoubleFormatting.cel(v))"
        case .string: return "string literal"
        case .bytes: return "bytes literal"
        case .end: return "end of input"
        default: return "'\(symbol)'"
        }
    }

    var symbol: String {
        switch kind {
        case .keywordTrue: return "true"
        case .keywordFalse: return "false"
        case .keywordNull: return "null"
        case .keywordIn: return "in"
        case .leftParen: return "("
        case .rightParen: return ")"
        case .leftBracket: return "["
        case .rightBracket: return "]"
        case .leftBrace: return "{"
        case .rightBrace: return "}"
        case .dot: return "."
        case .comma: return ","
        case .colon: return ":"
        case .question: return "?"
        case .plus: return "+"
        case .minus: return "-"
        case .star: return "*"
        case .slash: return "/"
        case .percent: return "%"
        case .bang: return "!"
        case .equal: return "=="
        case .notEqual: return "!="
        case .less: return "<"
        case .lessEqual: return "<="
        case .greater: return ">"
        case .greaterEqual: return ">="
        case .and: return "&&"
        case .or: return "||"
        default: return ""
        }
    }
}
