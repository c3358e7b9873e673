/// Reads the body of a string or bytes literal after its prefix: `'…'`, `"…"`, `'''…'''`, `"""…"""`,
/// with CEL's escapes (`\n \t \r \a \b \f \v \\ \' \" \` \?`, `\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal `\ooo`)
/// unless the literal is raw. Returns UTF-8 bytes (for strings) or the raw bytes (for bytes literals).
struct StringLiteralReader {
    let source: SourceText
    var index: Int
    let raw: Bool
    let isBytes: Bool

    private var bytes: [UInt8] { source.bytes }

    private func peek(_ ahead: Int = 0) -> UInt8? {
        index + ahead < bytes.count ? bytes[index + ahead] : nil
    }

    mutating func read(literalStart: Int) throws(ExpressionError) -> [UInt8] {
        guard let quote = peek() else { throw source.error(.syntax, "unterminated string literal", at: literalStart) }
        let triple = peek(1) == quote && peek(2) == quote
        index += triple ? 3 : 1
        var out: [UInt8] = []
        while true {
            guard let b = peek() else {
                throw source.error(.syntax, "unterminated string literal", at: literalStart)
            }
            if b == quote && (!triple || (peek(1) == quote && peek(2) == quote)) {
                index += triple ? 3 : 1
                return out
            }
            if !triple && (b == 10 || b == 13) {
                throw source.error(.syntax, "unterminated string literal (a newline needs a triple-quoted string)", at: literalStart)
            }
            if b == UInt8(ascii: "\\") && !raw {
                try readEscape(into: &out)
            } else {
                out.append(b)
                index += 1
            }
        }
    }

    private mutating func readEscape(into out: inout [UInt8]) throws(ExpressionError) {
        let escapeStart = index
        index += 1
        guard let c = peek() else { throw source.error(.syntax, "unterminated string literal", at: escapeStart) }
        index += 1
        switch c {
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "t"): out.append(9)
        case UInt8(ascii: "r"): out.append(13)
        case UInt8(ascii: "a"): out.append(7)
        case UInt8(ascii: "b"): out.append(8)
        case UInt8(ascii: "f"): out.append(12)
        case UInt8(ascii: "v"): out.append(11)
        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "`"), UInt8(ascii: "?"):
            out.append(c)
        case UInt8(ascii: "x"), UInt8(ascii: "X"):
            let value = try readHex(count: 2, escapeStart: escapeStart)
            try append(codePoint: value, byte: true, into: &out, escapeStart: escapeStart)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            guard !isBytes else { throw badEscape(escapeStart, "\\\(Character(Unicode.Scalar(c)))") }
            let value = try readHex(count: c == UInt8(ascii: "u") ? 4 : 8, escapeStart: escapeStart)
            try append(codePoint: value, byte: false, into: &out, escapeStart: escapeStart)
        case UInt8(ascii: "0")...UInt8(ascii: "3"):
            guard let d1 = peek(), d1 >= 48, d1 <= 55, let d2 = peek(1), d2 >= 48, d2 <= 55 else {
                throw badEscape(escapeStart, "\\\(Character(Unicode.Scalar(c)))")
            }
            index += 2
            let value = UInt32(c - 48) * 64 + UInt32(d1 - 48) * 8 + UInt32(d2 - 48)
            try append(codePoint: value, byte: true, into: &out, escapeStart: escapeStart)
        default:
            let text = String(decoding: bytes[(index - 1)...].prefix(4), as: UTF8.self).first.map(String.init) ?? "?"
            throw badEscape(escapeStart, "\\" + text)
        }
    }

    private func badEscape(_ at: Int, _ text: String) -> ExpressionError {
        source.error(.syntax, "invalid escape sequence '\(text)'", at: at)
    }

    private mutating func readHex(count: Int, escapeStart: Int) throws(ExpressionError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let b = peek(), let digit = hexDigit(b) else {
                let text = String(decoding: bytes[escapeStart..<min(bytes.count, index + 1)], as: UTF8.self)
                throw badEscape(escapeStart, text)
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func hexDigit(_ b: UInt8) -> UInt32? {
        switch b {
        case 48...57: return UInt32(b - 48)
        case 97...102: return UInt32(b - 87)
        case 65...70: return UInt32(b - 55)
        default: return nil
        }
    }

    /// Appends an escaped value: a raw byte in bytes literals (for `\x` and octal), else a code point as UTF-8.
    private func append(codePoint: UInt32, byte: Bool, into out: inout [UInt8], escapeStart: Int) throws(ExpressionError) {
        if isBytes && byte {
            out.append(UInt8(truncatingIfNeeded: codePoint))
            return
        }
        guard let scalar = Unicode.Scalar(codePoint) else {
            throw source.error(.syntax, "invalid code point in escape sequence", at: escapeStart)
        }
        out.append(contentsOf: Array(String(Character(scalar)).utf8))
    }
}
