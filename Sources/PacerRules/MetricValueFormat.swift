/// How a metric value is written for people: `status.value`, the printer column, the API's `value`, the
/// dashboard.
public enum MetricValueFormat {
    /// Formats a value for `status.value`: one decimal from 1 up (`1.4`, `23.5`), none from 100 (`312`), two
    /// significant digits below 1 (`0.05`, `0.12`), trailing zeros removed (`2`, not `2.0`); `NaN`/infinite as `-`.
    public static func format(_ value: Double) -> String {
        guard value.isFinite else { return "-" }
        let magnitude = abs(value)
        let decimals: Int
        if magnitude >= 100 || magnitude == 0 {
            decimals = 0
        } else if magnitude >= 1 {
            decimals = 1
        } else {
            // two significant digits: 0.5 → 2 decimals, 0.05 → 3, capped at 6
            var digits = 1
            var scaled = magnitude * 10
            while scaled < 1 && digits < 6 {
                scaled *= 10
                digits += 1
            }
            decimals = digits + 1
        }
        var factor = 1.0
        for _ in 0..<decimals { factor *= 10 }
        let rounded = (value * factor).rounded() / factor
        if decimals == 0 { return String(Int64(rounded)) }
        var text = String(rounded)
        if text.contains("e") { return text }
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text == "-0" ? "0" : text
    }
}
