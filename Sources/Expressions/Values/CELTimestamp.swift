import Foundation
import PacerCore

/// A CEL `timestamp`: an instant with nanosecond precision, in CEL's range
/// `0001-01-01T00:00:00Z` … `9999-12-31T23:59:59.999999999Z`.
public struct CELTimestamp: Sendable, Hashable, Comparable {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public let nanosecondsSinceEpoch: Int128

    static let minSeconds: Int64 = -62_135_596_800
    static let maxSeconds: Int64 = 253_402_300_799
    static let nanosPerSecond: Int128 = 1_000_000_000

    /// `nil` outside CEL's timestamp range.
    public init?(nanosecondsSinceEpoch: Int128) {
        guard nanosecondsSinceEpoch >= Int128(Self.minSeconds) * Self.nanosPerSecond,
            nanosecondsSinceEpoch < (Int128(Self.maxSeconds) + 1) * Self.nanosPerSecond
        else { return nil }
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    /// `nil` outside CEL's timestamp range.
    public init?(secondsSinceEpoch seconds: Int64, nanos: Int32 = 0) {
        self.init(nanosecondsSinceEpoch: Int128(seconds) * Self.nanosPerSecond + Int128(nanos))
    }

    /// Converts a Foundation date (microsecond precision survives; `Date` is a Double).
    /// `nil` outside CEL's timestamp range.
    public init?(_ date: Date) {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds > Double(Self.minSeconds) - 1, seconds < Double(Self.maxSeconds) + 1 else { return nil }
        let whole = seconds.rounded(.down)
        let nanos = ((seconds - whole) * 1e9).rounded()
        self.init(nanosecondsSinceEpoch: Int128(Int64(whole)) * Self.nanosPerSecond + Int128(Int64(nanos)))
    }

    /// Whole seconds since the epoch (rounded down) and the nanoseconds within that second (0…999,999,999).
    public var secondsSinceEpoch: Int64 { Int64(floorDiv(nanosecondsSinceEpoch, Self.nanosPerSecond)) }
    public var nanos: Int32 { Int32(nanosecondsSinceEpoch - Int128(secondsSinceEpoch) * Self.nanosPerSecond) }

    /// The same instant as a Foundation `Date`.
    public var date: Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch) + Double(nanos) / 1e9)
    }

    public static func < (lhs: CELTimestamp, rhs: CELTimestamp) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// Parses an RFC 3339 date-time (`2024-05-01T10:00:00Z`, `2024-05-01T12:00:00.123456789+02:00`),
    /// as CEL's `timestamp(string)` does. Leap seconds and dates without a time or offset are refused.
    public static func parse(_ text: String) -> CELTimestamp? {
        guard let instant = RFC3339.parseInstant(text, allowLeapSecond: false) else { return nil }
        return CELTimestamp(nanosecondsSinceEpoch: Int128(instant.seconds) * nanosPerSecond + Int128(instant.nanoseconds))
    }

    /// RFC 3339 in UTC with as many fractional digits as needed (Go's `RFC3339Nano`), e.g.
    /// `2024-05-01T10:00:00Z`, `2024-05-01T10:00:00.5Z`.
    public var rfc3339: String {
        let c = civil(offsetSeconds: 0)
        var text = pad(c.year, 4) + "-" + pad(c.month, 2) + "-" + pad(c.day, 2) + "T" + pad(c.hour, 2) + ":"
            + pad(c.minute, 2) + ":" + pad(c.second, 2)
        if nanos > 0 {
            var fraction = pad(Int(nanos), 9)
            while fraction.last == "0" { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// The calendar fields of this instant in a zone `offsetSeconds` east of UTC.
    func civil(offsetSeconds: Int) -> CivilDate {
        let local = Int64(secondsSinceEpoch) + Int64(offsetSeconds)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = Int(local - days * 86_400)
        var date = CivilDate(daysSinceEpoch: Int(days))
        date.hour = secondOfDay / 3600
        date.minute = secondOfDay / 60 % 60
        date.second = secondOfDay % 60
        date.millisecond = Int(nanos) / 1_000_000
        return date
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// Floor division for Int128 (rounds toward negative infinity).
func floorDiv(_ a: Int128, _ b: Int128) -> Int128 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
