import PacerCore
import Foundation

/// The timestamp and duration accessors (`getHours()`, `getFullYear("Europe/Berlin")`, …).
///
/// Timestamp accessors work in UTC unless a time zone is given: an IANA name (`"America/New_York"`),
/// `"UTC"`, or a fixed offset (`"+05:30"`, `"-08:00"`). `getMonth`, `getDayOfYear`, `getDayOfMonth` are
/// 0-based, `getDate` is 1-based, `getDayOfWeek` is 0 for Sunday, as in CEL. Duration accessors return
/// the whole duration in that unit (`duration("90m").getHours()` is 1).
enum TimeAccessors {
    static func apply(_ builtin: Builtin, _ args: Arguments, at node: Node) throws(EvaluationError) -> Value {
        switch args[0] {
        case .duration(let d):
            guard args.count == 1 else { throw Functions.noOverload(builtin, args, node) }
            let nanos = d.nanoseconds
            switch builtin {
            case .getHours: return .int(Int64(nanos / 3_600_000_000_000))
            case .getMinutes: return .int(Int64(nanos / 60_000_000_000))
            case .getSeconds: return .int(Int64(nanos / 1_000_000_000))
            case .getMilliseconds: return .int(Int64(nanos / 1_000_000))
            default: throw Functions.noOverload(builtin, args, node)
            }
        case .timestamp(let t):
            var offset = 0
            if args.count == 2 {
                guard case .string(let zone) = args[1] else { throw Functions.noOverload(builtin, args, node) }
                guard let seconds = offsetSeconds(zone, at: t) else {
                    throw node.error(.invalidArgument, "unknown time zone \"\(zone)\"")
                }
                offset = seconds
            }
            let c = t.civil(offsetSeconds: offset)
            let result: Int
            switch builtin {
            case .getFullYear: result = c.year
            case .getMonth: result = c.month - 1
            case .getDayOfYear: result = c.dayOfYear
            case .getDayOfMonth: result = c.day - 1
            case .getDate: result = c.day
            case .getDayOfWeek: result = c.dayOfWeek
            case .getHours: result = c.hour
            case .getMinutes: result = c.minute
            case .getSeconds: result = c.second
            default: result = c.millisecond
            }
            return .int(Int64(result))
        default:
            throw Functions.noOverload(builtin, args, node)
        }
    }

    /// Seconds east of UTC for a zone name or fixed offset at the given instant.
    static func offsetSeconds(_ zone: String, at t: CELTimestamp) -> Int? {
        if zone == "UTC" || zone == "Z" { return 0 }
        let scalars = Array(zone.utf8)
        if let first = scalars.first, first == UInt8(ascii: "+") || first == UInt8(ascii: "-") {
            let parts = zone.dropFirst().split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
                h < 24, m < 60
            else { return nil }
            return (first == UInt8(ascii: "-") ? -1 : 1) * (h * 3600 + m * 60)
        }
        guard let timeZone = TimeZone(identifier: zone) else { return nil }
        return timeZone.secondsFromGMT(for: t.date)
    }
}
