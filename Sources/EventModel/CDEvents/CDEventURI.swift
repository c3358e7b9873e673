/// RFC 3986 checks for the `uri` and `uri-reference` formats the CDEvents schemas use, and for CloudEvents
/// `source` (URI-reference) and `dataschema` (URI).
///
/// This is the grammar of RFC 3986 §3/§4 (scheme, authority with userinfo/host/port, path segments, query,
/// fragment, percent-escapes), ASCII only, the same rules `hack/validate-cdevents.py` applies in Python.
enum CDEventURI {
    /// `URI = scheme ":" hier-part [ "?" query ] [ "#" fragment ]` (absolute, fragment allowed).
    static func isURI(_ text: String) -> Bool {
        guard let parts = split(Array(text.utf8)), parts.scheme != nil else { return false }
        return check(parts)
    }

    /// `URI-reference = URI / relative-ref`.
    static func isURIReference(_ text: String) -> Bool {
        guard let parts = split(Array(text.utf8)) else { return false }
        return check(parts)
    }

    private struct Parts {
        var scheme: ArraySlice<UInt8>?
        var authority: ArraySlice<UInt8>?
        var path: ArraySlice<UInt8>
        var query: ArraySlice<UInt8>?
        var fragment: ArraySlice<UInt8>?
    }

    /// RFC 3986 Appendix B split; nil when a scheme-looking prefix is not a valid scheme.
    private static func split(_ bytes: [UInt8]) -> Parts? {
        var rest = bytes[...]
        var fragment: ArraySlice<UInt8>?
        if let hash = rest.firstIndex(of: UInt8(ascii: "#")) {
            fragment = rest[(hash + 1)...]
            rest = rest[..<hash]
        }
        var query: ArraySlice<UInt8>?
        if let mark = rest.firstIndex(of: UInt8(ascii: "?")) {
            query = rest[(mark + 1)...]
            rest = rest[..<mark]
        }
        var scheme: ArraySlice<UInt8>?
        if let colon = rest.firstIndex(of: UInt8(ascii: ":")), !rest[..<colon].contains(UInt8(ascii: "/")) {
            let candidate = rest[..<colon]
            if isScheme(candidate) {
                scheme = candidate
                rest = rest[(colon + 1)...]
            } else if candidate.isEmpty {
                return nil
            }
            // Otherwise a relative reference whose first segment holds ":": rejected by the path check.
        }
        var authority: ArraySlice<UInt8>?
        if rest.starts(with: [UInt8(ascii: "/"), UInt8(ascii: "/")]) {
            let afterSlashes = rest.dropFirst(2)
            let end = afterSlashes.firstIndex(of: UInt8(ascii: "/")) ?? afterSlashes.endIndex
            authority = afterSlashes[..<end]
            rest = afterSlashes[end...]
        }
        return Parts(scheme: scheme, authority: authority, path: rest, query: query, fragment: fragment)
    }

    private static func check(_ parts: Parts) -> Bool {
        if let authority = parts.authority, !isAuthority(authority) { return false }
        let segments = parts.path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard segments.allSatisfy({ $0.allPChars(extra: []) }) else { return false }
        // path-noscheme: a relative reference without authority must not have ":" in its first segment.
        if parts.scheme == nil, parts.authority == nil, let first = segments.first, first.contains(UInt8(ascii: ":")) {
            return false
        }
        let queryExtra: [UInt8] = [UInt8(ascii: "/"), UInt8(ascii: "?")]
        if let query = parts.query, !query.allPChars(extra: queryExtra) { return false }
        if let fragment = parts.fragment, !fragment.allPChars(extra: queryExtra) { return false }
        return true
    }

    private static func isScheme(_ text: ArraySlice<UInt8>) -> Bool {
        guard let first = text.first, isAlpha(first) else { return false }
        return text.allSatisfy { isAlpha($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// `authority = [ userinfo "@" ] host [ ":" port ]`.
    private static func isAuthority(_ text: ArraySlice<UInt8>) -> Bool {
        var hostPort = text
        if let at = text.firstIndex(of: UInt8(ascii: "@")) {
            let userinfo = text[..<at]
            guard userinfo.allPChars(extra: [], allowAt: false) else { return false }
            hostPort = text[(at + 1)...]
        }
        var port: ArraySlice<UInt8> = []
        var host = hostPort
        if hostPort.first == UInt8(ascii: "[") {
            guard let close = hostPort.firstIndex(of: UInt8(ascii: "]")) else { return false }
            let literal = hostPort[(hostPort.startIndex + 1)..<close]
            // IP-literal (IPv6address / IPvFuture), checked by character set only.
            guard !literal.isEmpty, literal.allSatisfy({ $0 == UInt8(ascii: ":") || isUnreserved($0) || isSubDelim($0) }) else { return false }
            let after = hostPort[(close + 1)...]
            if !after.isEmpty {
                guard after.first == UInt8(ascii: ":") else { return false }
                port = after.dropFirst()
            }
            return port.allSatisfy(isDigit)
        }
        if let colon = hostPort.firstIndex(of: UInt8(ascii: ":")) {
            host = hostPort[..<colon]
            port = hostPort[(colon + 1)...]
        }
        // reg-name = *( unreserved / pct-encoded / sub-delims )
        return port.allSatisfy(isDigit) && host.allPChars(extra: [], allowColon: false, allowAt: false)
    }

    static func isAlpha(_ byte: UInt8) -> Bool { (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) }
    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    static func isHex(_ byte: UInt8) -> Bool { isDigit(byte) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66) }
    static func isUnreserved(_ byte: UInt8) -> Bool {
        isAlpha(byte) || isDigit(byte) || "-._~".utf8.contains(byte)
    }
    static func isSubDelim(_ byte: UInt8) -> Bool { "!$&'()*+,;=".utf8.contains(byte) }
}

extension ArraySlice<UInt8> {
    /// Every byte is a `pchar` (unreserved / pct-encoded / sub-delims / ":" / "@"), or one of `extra`.
    fileprivate func allPChars(extra: [UInt8], allowColon: Bool = true, allowAt: Bool = true) -> Bool {
        var index = startIndex
        while index < endIndex {
            let byte = self[index]
            if byte == UInt8(ascii: "%") {
                guard index + 2 < endIndex, CDEventURI.isHex(self[index + 1]), CDEventURI.isHex(self[index + 2]) else { return false }
                index += 3
                continue
            }
            let allowed =
                CDEventURI.isUnreserved(byte) || CDEventURI.isSubDelim(byte) || extra.contains(byte)
                || (allowColon && byte == UInt8(ascii: ":")) || (allowAt && byte == UInt8(ascii: "@"))
            guard allowed else { return false }
            index += 1
        }
        return true
    }
}
