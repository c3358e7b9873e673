/// Formats doubles the way cel-go's `string(double)` does, i.e. Go's `strconv.FormatFloat(d, 'g', -1, 64)`:
/// the shortest round-trip digits, in exponent form (`1.5e+07`, `1e-05`) when the decimal exponent is below -4
/// or at least the precision Go picks for shortest output (6, or the digit count for short integers).
enum DoubleFormatting {
    static func cel(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Inf" : "+Inf" }
        if d == 0 { return d.sign == .minus ? "-0" : "0" }
        let (digits, pointPosition) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        // Go: eprec = 6 when shortest; if eprec > nd && nd >= dp { eprec = nd }.
        var eprec = 6
        if eprec > digits.count && digits.count >= pointPosition { eprec = digits.count }
        let exponent = pointPosition - 1
        if exponent < -4 || exponent >= eprec {
            var mantissa = String(digits.first ?? "0")
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let expSign = exponent < 0 ? "-" : "+"
            let expDigits = String(abs(exponent))
            return sign + mantissa + "e" + expSign + (expDigits.count < 2 ? "0" + expDigits : expDigits)
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count)
        }
        let index = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<index] + "." + digits[index...]
    }

    /// The shortest round-trip decimal digits of a positive finite double and the position of the
    /// decimal point relative to the first digit (`123.4` → ("1234", 3); `0.05` → ("5", -1)).
    private static func shortestDigits(_ d: Double) -> (String, Int) {
        // Swift's description is the shortest round-trip representation, possibly with an exponent.
        let text = d.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var digits = ""
        var pointPosition = 0
        var seenPoint = false
        for ch in mantissa {
            if ch == "." { seenPoint = true; continue }
            digits.append(ch)
            if !seenPoint { pointPosition += 1 }
        }
        // Strip leading zeros (each moves the point left) and trailing zeros.
        while digits.first == "0" && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0" && digits.count > 1 { digits.removeLast() }
        return (digits, pointPosition + exponent)
    }
}
