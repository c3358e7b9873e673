/// A CEL `duration`: a signed span of time with nanosecond precision, within CEL's range of
/// ±315,576,000,000 seconds (about 10,000 years).
public struct CELDuration: Sendable, Hashable, Comparable {
    /// The signed length in nanoseconds.
    public let nanoseconds: Int128

    static let maxSeconds: Int128 = 315_576_000_000
    static let maxNanoseconds: Int128 = maxSeconds * 1_000_000_000 + 999_999_999

    /// `nil` outside CEL's duration range.
    public init?(nanoseconds: Int128) {
        guard nanoseconds >= -Self.maxNanoseconds, nanoseconds <= Self.maxNanoseconds else { return nil }
        self.nanoseconds = nanoseconds
    }

    /// `nil` outside CEL's duration range.
    public init?(seconds: Int64, nanos: Int32 = 0) {
        self.init(nanoseconds: Int128(seconds) * 1_000_000_000 + Int128(nanos))
    }

    /// Whole seconds, truncated toward zero (`-1.5s` → -1).
    public var seconds: Int64 { Int64(nanoseconds / 1_000_000_000) }

    /// The length in seconds as a Double.
    public var timeInterval: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: CELDuration, rhs: CELDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// CEL's canonical text: seconds with an `s` suffix and only the needed fraction (`3600s`, `1.5s`, `-0.001s`).
    public var celString: String {
        let magnitude = nanoseconds.magnitude
        var text = (nanoseconds < 0 ? "-" : "") + String(magnitude / 1_000_000_000)
        let fraction = Int(magnitude % 1_000_000_000)
        if fraction > 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.last == "0" { digits.removeLast() }
            text += "." + digits
        }
        return text + "s"
    }

    /// Parses a CEL/Go duration string: an optional sign and a sequence of decimal numbers with a unit,
    /// `ns`, `us` (or `µs`), `ms`, `s`, `m`, `h`, such as `300ms`, `-1.5h`, `2h45m`, `90s`. `"0"` is allowed.
    public static func parse(_ text: String) -> CELDuration? {
        var scalars = Array(text.unicodeScalars)[...]
        var negative = false
        if let first = scalars.first, first == "-" || first == "+" {
            negative = first == "-"
            scalars = scalars.dropFirst()
        }
        if scalars.count == 1 && scalars.first == "0" { return CELDuration(nanoseconds: 0) }
        guard !scalars.isEmpty else { return nil }
        var total: Int128 = 0
        while !scalars.isEmpty {
            guard let component = parseComponent(&scalars) else { return nil }
            total += component
            guard total <= maxNanoseconds else { return nil }
        }
        return CELDuration(nanoseconds: negative ? -total : total)
    }

    /// One `<number><unit>` component, in nanoseconds.
    private static func parseComponent(_ s: inout ArraySlice<Unicode.Scalar>) -> Int128? {
        func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
        var whole: Int128 = 0
        var wholeDigits = 0
        while let c = s.first, isDigit(c) {
            guard whole < maxNanoseconds else { return nil }
            whole = whole * 10 + Int128(c.value - 48)
            wholeDigits += 1
            s = s.dropFirst()
        }
        var fraction: Int128 = 0
        var scale: Int128 = 1
        var fractionDigits = 0
        if s.first == "." {
            s = s.dropFirst()
            while let c = s.first, isDigit(c) {
                if scale < 1_000_000_000_000_000_000 {
                    fraction = fraction * 10 + Int128(c.value - 48)
                    scale *= 10
                }
                fractionDigits += 1
                s = s.dropFirst()
            }
        }
        guard wholeDigits + fractionDigits > 0 else { return nil }
        var unitText = ""
        while let c = s.first, c != ".", !isDigit(c) {
            unitText.unicodeScalars.append(c)
            s = s.dropFirst()
        }
        let unit: Int128
        switch unitText {
        case "ns": unit = 1
        case "us", "µs", "μs": unit = 1_000
        case "ms": unit = 1_000_000
        case "s": unit = 1_000_000_000
        case "m": unit = 60_000_000_000
        case "h": unit = 3_600_000_000_000
        default: return nil
        }
        return whole * unit + fraction * unit / scale
    }
}
