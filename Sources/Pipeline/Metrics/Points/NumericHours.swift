/// Hours as PostgreSQL computes `(extract(epoch FROM b - a) / 3600)::float8` (failed deployment recovery time's
/// samples, ``MetricPlan``): the seconds are a `numeric` of scale 6, divided by 3600 in `numeric` at the scale
/// `select_div_scale` picks (16 significant digits, at least 6 decimals), rounded half away from zero, and the
/// decimal text read as a `float8`. Dividing the `float8` seconds instead differs in the last bit for some values.
enum NumericHours {
    static func hours(micros: Int64) -> Double {
        guard micros != 0 else { return 0 }
        let magnitude = micros.magnitude
        // The seconds' weight in base-10000 digits and their first nonzero digit.
        let integer = magnitude / 1_000_000
        var weight = 0
        var first: UInt64
        if integer > 0 {
            first = integer
            while first >= 10_000 {
                first /= 10_000
                weight += 1
            }
        } else {
            // Six decimals as two base-10000 digits (the second padded to four).
            let decimals = (magnitude % 1_000_000) * 100
            if decimals / 10_000 > 0 {
                weight = -1
                first = decimals / 10_000
            } else {
                weight = -2
                first = decimals % 10_000
            }
        }
        // The quotient's weight, assumed one lower when the first digits do not show the dividend is the larger.
        let quotientWeight = first <= 3600 ? weight - 1 : weight
        let scale = min(max(16 - quotientWeight * 4, 6), 1000)
        // Long division of the microseconds by 3,600,000,000 to `scale` decimals, the next digit deciding the rounding.
        let divisor: UInt64 = 3_600_000_000
        var whole = magnitude / divisor
        var remainder = magnitude % divisor
        var decimals: [UInt8] = []
        decimals.reserveCapacity(scale)
        for _ in 0..<scale {
            remainder *= 10
            decimals.append(UInt8(remainder / divisor))
            remainder %= divisor
        }
        if remainder * 10 / divisor >= 5 {
            var index = decimals.count - 1
            while index >= 0 && decimals[index] == 9 {
                decimals[index] = 0
                index -= 1
            }
            if index >= 0 { decimals[index] += 1 } else { whole += 1 }
        }
        let text = (micros < 0 ? "-" : "") + String(whole) + "." + String(decoding: decimals.map { $0 + UInt8(ascii: "0") }, as: UTF8.self)
        return Double(text) ?? .nan
    }
}
