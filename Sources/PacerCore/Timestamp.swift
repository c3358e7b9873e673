import Foundation

/// RFC 3339 timestamps as CloudEvents, CDEvents, CEL and Kubernetes write them.
public enum RFC3339 {
    /// Parses an RFC 3339 date-time (`2024-05-01T10:00:00Z`, `…T10:00:00.123456+02:00`) into whole seconds since the
    /// epoch and nanoseconds (digits past the ninth are dropped). Nil for anything else: a date without a time, a
    /// missing offset, an impossible calendar date such as 2023-02-30, or (unless allowed) a leap second.
    public static func parseInstant(_ text: String, allowLeapSecond: Bool = true) -> (seconds: Int64, nanoseconds: Int32)? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for i in start..<start + count {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == UInt8(ascii: "-"), let month = digits(5, 2), b[7] == UInt8(ascii: "-"),
            let day = digits(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
            let hour = digits(11, 2), b[13] == UInt8(ascii: ":"), let minute = digits(14, 2), b[16] == UInt8(ascii: ":"),
            let second = digits(17, 2),
            (1...12).contains(month), day >= 1, day <= CivilDate.daysInMonth(year: year, month: month),
            hour < 24, minute < 60, second < 60 || (allowLeapSecond && second == 60)
        else { return nil }
        var index = 19
        var nanos = 0
        if index < b.count, b[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 100_000_000
            let start = index
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                nanos += Int(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        guard index < b.count else { return nil }
        var offset = 0
        switch b[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            index += 1
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let sign = b[index] == UInt8(ascii: "+") ? 1 : -1
            guard let oh = digits(index + 1, 2), index + 3 < b.count, b[index + 3] == UInt8(ascii: ":"),
                let om = digits(index + 4, 2), oh < 24, om < 60
            else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            index += 6
        default:
            return nil
        }
        guard index == b.count else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        // A leap second counts as the last second of its minute.
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59) - offset)
        return (seconds, Int32(nanos))
    }

    /// Parses an RFC 3339 date-time into a `Date` (see `parseInstant`).
    public static func parse(_ text: String) -> Date? {
        guard let instant = parseInstant(text) else { return nil }
        return Date(timeIntervalSince1970: Double(instant.seconds) + Double(instant.nanoseconds) / 1e9)
    }

    /// Formats in UTC with the given number of fractional digits (0, 3, 6 or 9). Whole seconds are truncated like
    /// Go's `time.Format` (Kubernetes-style times never lie in the future); fractions are rounded to the nearest
    /// digit (a `Date` is a binary double: 0.123 is stored as 0.12299999…).
    public static func format(_ date: Date, fractionalDigits: Int = 3) -> String {
        let total = date.timeIntervalSince1970
        var seconds = Int64(total.rounded(.down))
        let scale = pow(10.0, Double(fractionalDigits))
        var fraction = fractionalDigits == 0 ? 0 : Int64(((total - Double(seconds)) * scale).rounded())
        if fraction >= Int64(scale) {
            seconds += 1
            fraction = 0
        }
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let civil = CivilDate(daysSinceEpoch: Int(days))
        func pad(_ v: Int64, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        var text = "\(pad(Int64(civil.year), 4))-\(pad(Int64(civil.month), 2))-\(pad(Int64(civil.day), 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
        if fractionalDigits > 0 { text += "." + pad(fraction, fractionalDigits) }
        return text + "Z"
    }
}
