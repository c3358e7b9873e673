/// The media type grammar of RFC 9110 §8.3.1, for `datacontenttype` (CloudEvents says it follows RFC 2046):
///
///     media-type = type "/" subtype parameters
///     parameters = *( OWS ";" OWS [ parameter ] )
///     parameter  = parameter-name "=" ( token / quoted-string )
///
/// `type`, `subtype` and parameter names are tokens (`1*tchar`); `OWS` is spaces and tabs. ASCII only: `obs-text`
/// in quoted strings is not accepted.
enum MediaType {
    static func isValid(_ text: String) -> Bool {
        var reader = Reader(bytes: Array(text.utf8))
        guard reader.token(), reader.take(UInt8(ascii: "/")), reader.token() else { return false }
        while !reader.atEnd {
            reader.skipWhitespace()
            guard reader.take(UInt8(ascii: ";")) else { return false }
            reader.skipWhitespace()
            // An empty parameter (`;;`, or a trailing `;`) is allowed by the grammar.
            if reader.atEnd || reader.peek == UInt8(ascii: ";") { continue }
            guard reader.token(), reader.take(UInt8(ascii: "=")) else { return false }
            if reader.peek == UInt8(ascii: "\"") {
                guard reader.quotedString() else { return false }
            } else if !reader.token() {
                return false
            }
        }
        return true
    }

    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var atEnd: Bool { index == bytes.count }
        var peek: UInt8? { atEnd ? nil : bytes[index] }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            index += 1
            return true
        }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 { index += 1 }
        }

        /// `token = 1*tchar`.
        mutating func token() -> Bool {
            let start = index
            while let byte = peek, Self.isTChar(byte) { index += 1 }
            return index > start
        }

        /// `quoted-string = DQUOTE *( qdtext / quoted-pair ) DQUOTE`.
        mutating func quotedString() -> Bool {
            guard take(UInt8(ascii: "\"")) else { return false }
            while let byte = peek {
                index += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return true
                case UInt8(ascii: "\\"):
                    // quoted-pair = "\" ( HTAB / SP / VCHAR )
                    guard let escaped = peek, escaped == 0x09 || (escaped >= 0x20 && escaped <= 0x7E) else { return false }
                    index += 1
                case 0x09, 0x20, 0x21, 0x23...0x5B, 0x5D...0x7E:
                    continue
                default:
                    return false
                }
            }
            return false
        }

        /// `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA`.
        static func isTChar(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
    }
}
