/// Splits expression source into tokens (CEL's lexical grammar: identifiers, int/uint/double literals,
/// quoted, triple-quoted, raw and bytes strings, operators, `//` comments).
struct Lexer {
    private let source: SourceText
    private var bytes: [UInt8] { source.bytes }
    private var index = 0

    private static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package",
        "namespace", "return", "var", "void", "while",
    ]

    init(source: SourceText) {
        self.source = source
    }

    static func tokenize(_ source: SourceText) throws(ExpressionError) -> [Token] {
        var lexer = Lexer(source: source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> UInt8 {
        index + ahead < bytes.count ? bytes[index + ahead] : 0
    }

    private static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 97 && b <= 122) || (b >= 65 && b <= 90) || b == 95
    }

    private static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    private mutating func skipTrivia() {
        while index < bytes.count {
            let b = bytes[index]
            if b == 32 || b == 9 || b == 10 || b == 13 || b == 12 {
                index += 1
            } else if b == UInt8(ascii: "/") && peek(1) == UInt8(ascii: "/") {
                while index < bytes.count && bytes[index] != 10 { index += 1 }
            } else {
                return
            }
        }
    }

    private mutating func next() throws(ExpressionError) -> Token {
        skipTrivia()
        let start = index
        guard index < bytes.count else { return Token(kind: .end, offset: start) }
        let b = bytes[index]
        if Self.isIdentStart(b) {
            if let quote = stringPrefixLength() {
                return try lexString(start: start, prefixLength: quote)
            }
            return try lexIdentifier(start: start)
        }
        if Self.isDigit(b) || (b == UInt8(ascii: ".") && Self.isDigit(peek(1))) {
            return try lexNumber(start: start)
        }
        if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") {
            return try lexString(start: start, prefixLength: 0)
        }
        return try lexPunctuation(start: start)
    }

    private mutating func lexIdentifier(start: Int) throws(ExpressionError) -> Token {
        while index < bytes.count && (Self.isIdentStart(bytes[index]) || Self.isDigit(bytes[index])) { index += 1 }
        let name = String(decoding: bytes[start..<index], as: UTF8.self)
        switch name {
        case "true": return Token(kind: .keywordTrue, offset: start)
        case "false": return Token(kind: .keywordFalse, offset: start)
        case "null": return Token(kind: .keywordNull, offset: start)
        case "in": return Token(kind: .keywordIn, offset: start)
        default:
            if Self.reserved.contains(name) {
                throw source.error(.syntax, "reserved identifier '\(name)'", at: start)
            }
            return Token(kind: .identifier(name), offset: start)
        }
    }

    /// If the identifier at `index` is a string prefix (`r`, `b`, `rb`, `br`, any case) directly followed
    /// by a quote, its length.
    private func stringPrefixLength() -> Int? {
        func isPrefix(_ b: UInt8) -> Bool { b == 114 || b == 82 || b == 98 || b == 66 }  // r R b B
        func isQuote(_ b: UInt8) -> Bool { b == 34 || b == 39 }
        if isPrefix(peek()) && isQuote(peek(1)) { return 1 }
        if isPrefix(peek()) && isPrefix(peek(1)) && (peek() | 0x20) != (peek(1) | 0x20) && isQuote(peek(2)) { return 2 }
        return nil
    }

    private mutating func lexNumber(start: Int) throws(ExpressionError) -> Token {
        if peek() == UInt8(ascii: "0") && (peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X")) {
            index += 2
            let digitsStart = index
            while index < bytes.count, hexValue(bytes[index]) != nil { index += 1 }
            guard index > digitsStart, let value = UInt64(String(decoding: bytes[digitsStart..<index], as: UTF8.self), radix: 16)
            else { throw source.error(.syntax, "invalid hexadecimal literal", at: start) }
            return try integerToken(value, start: start)
        }
        var isDouble = false
        while Self.isDigit(peek()) { index += 1 }
        if peek() == UInt8(ascii: ".") && Self.isDigit(peek(1)) {
            isDouble = true
            index += 1
            while Self.isDigit(peek()) { index += 1 }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            let save = index
            index += 1
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { index += 1 }
            if Self.isDigit(peek()) {
                isDouble = true
                while Self.isDigit(peek()) { index += 1 }
            } else {
                index = save
            }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isDouble {
            guard let value = Double(text) else { throw source.error(.syntax, "invalid number '\(text)'", at: start) }
            return Token(kind: .double(value), offset: start)
        }
        guard let value = UInt64(text) else {
            throw source.error(.syntax, "integer literal '\(text)' is out of range", at: start)
        }
        return try integerToken(value, start: start)
    }

    private mutating func integerToken(_ value: UInt64, start: Int) throws(ExpressionError) -> Token {
        if peek() == UInt8(ascii: "u") || peek() == UInt8(ascii: "U") {
            index += 1
            return Token(kind: .uint(value), offset: start)
        }
        if Self.isIdentStart(peek()) {
            throw source.error(.syntax, "invalid character '\(Character(Unicode.Scalar(peek())))' after number", at: index)
        }
        return Token(kind: .int(value), offset: start)
    }

    private func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case 48...57: return UInt32(b - 48)
        case 97...102: return UInt32(b - 87)
        case 65...70: return UInt32(b - 55)
        default: return nil
        }
    }

    private mutating func lexPunctuation(start: Int) throws(ExpressionError) -> Token {
        let b = bytes[index]
        let two = (b, peek(1))
        let kind: Token.Kind
        var width = 1
        switch two {
        case (UInt8(ascii: "="), UInt8(ascii: "=")): kind = .equal; width = 2
        case (UInt8(ascii: "!"), UInt8(ascii: "=")): kind = .notEqual; width = 2
        case (UInt8(ascii: "<"), UInt8(ascii: "=")): kind = .lessEqual; width = 2
        case (UInt8(ascii: ">"), UInt8(ascii: "=")): kind = .greaterEqual; width = 2
        case (UInt8(ascii: "&"), UInt8(ascii: "&")): kind = .and; width = 2
        case (UInt8(ascii: "|"), UInt8(ascii: "|")): kind = .or; width = 2
        default:
            switch b {
            case UInt8(ascii: "("): kind = .leftParen
            case UInt8(ascii: ")"): kind = .rightParen
            case UInt8(ascii: "["): kind = .leftBracket
            case UInt8(ascii: "]"): kind = .rightBracket
            case UInt8(ascii: "{"): kind = .leftBrace
            case UInt8(ascii: "}"): kind = .rightBrace
            case UInt8(ascii: "."): kind = .dot
            case UInt8(ascii: ","): kind = .comma
            case UInt8(ascii: ":"): kind = .colon
            case UInt8(ascii: "?"): kind = .question
            case UInt8(ascii: "+"): kind = .plus
            case UInt8(ascii: "-"): kind = .minus
            case UInt8(ascii: "*"): kind = .star
            case UInt8(ascii: "/"): kind = .slash
            case UInt8(ascii: "%"): kind = .percent
            case UInt8(ascii: "!"): kind = .bang
            case UInt8(ascii: "<"): kind = .less
            case UInt8(ascii: ">"): kind = .greater
            case UInt8(ascii: "="):
                throw source.error(.syntax, "unexpected character '=', did you mean '=='?", at: start)
            case UInt8(ascii: "&"):
                throw source.error(.syntax, "unexpected character '&', did you mean '&&'?", at: start)
            case UInt8(ascii: "|"):
                throw source.error(.syntax, "unexpected character '|', did you mean '||'?", at: start)
            default:
                throw source.error(.syntax, "unexpected character '\(currentCharacter())'", at: start)
            }
        }
        index += width
        return Token(kind: kind, offset: start)
    }

    private func currentCharacter() -> String {
        let rest = String(decoding: bytes[index...], as: UTF8.self)
        return rest.first.map(String.init) ?? "?"
    }

    private mutating func lexString(start: Int, prefixLength: Int) throws(ExpressionError) -> Token {
        let prefix = bytes[start..<start + prefixLength].map { $0 | 0x20 }
        let raw = prefix.contains(UInt8(ascii: "r"))
        let isBytes = prefix.contains(UInt8(ascii: "b"))
        index = start + prefixLength
        var reader = StringLiteralReader(source: source, index: index, raw: raw, isBytes: isBytes)
        let content = try reader.read(literalStart: start)
        index = reader.index
        if isBytes { return Token(kind: .bytes(content), offset: start) }
        return Token(kind: .string(String(decoding: content, as: UTF8.self)), offset: start)
    }
}
