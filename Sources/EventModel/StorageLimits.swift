import PacerCore

/// Limits Pacer enforces on every incoming event so that PostgreSQL never refuses one it accepted: an event that
/// passes validation can always be stored, and one that cannot is answered 400 naming the attribute and the limit.
public enum StorageLimits {
    /// The most UTF-8 bytes of an indexed identifier: CloudEvents `id`, `source`, `type`, `subject`; CDEvents
    /// `context.id`, `context.source`, `context.type`, `subject.id`, `subject.source`.
    ///
    /// They are btree-indexed (`UNIQUE (source, id)`, the type and subject indexes), and PostgreSQL refuses an index
    /// row over 2704 bytes (a third of an 8 KiB page). Two values of 1024 bytes plus the tuple overhead stay well
    /// under, whatever the compression; real identifiers (UUIDs, URLs, reverse-DNS types) are far shorter.
    public static let maxIdentifierBytes = 1024

    /// The earliest instant a `time` (CloudEvents) or `context.timestamp` (CDEvents) may denote, in seconds since
    /// the epoch: 0001-01-01T00:00:00Z. RFC 3339 allows year 0000, but PostgreSQL's timestamptz has no year 0 and
    /// Pacer writes times in UTC, so `0000-…` and `0001-01-01T00:30:00+01:00` are refused. The latest RFC 3339 time
    /// (9999-12-31T23:59:59.999999999-23:59, early in year 10000 in UTC) is within timestamptz's range (to 294276 AD).
    public static let earliestTimestampSeconds: Int64 = -62_135_596_800

    /// The description of the earliest accepted instant, for error messages.
    public static let earliestTimestamp = "0001-01-01T00:00:00Z"

    /// Nil when `value` fits `maxIdentifierBytes`, else the reason to give.
    static func identifierProblem(_ value: String) -> String? {
        let size = value.utf8.count
        guard size > maxIdentifierBytes else { return nil }
        return "is \(size) bytes long; Pacer stores at most \(maxIdentifierBytes) bytes (UTF-8) for it"
    }

    /// Nil when the RFC 3339 `text` denotes an instant PostgreSQL can store (or is not RFC 3339 at all: that is
    /// checked elsewhere), else the reason to give.
    static func timestampProblem(_ text: String) -> String? {
        guard let instant = RFC3339.parseInstant(text), instant.seconds < earliestTimestampSeconds else { return nil }
        return "\"\(text)\" is before \(earliestTimestamp), the earliest time Pacer stores (PostgreSQL has no year 0)"
    }

    /// The reason PostgreSQL's jsonb refuses a NUL character, for error messages.
    static let nulReason = "contains U+0000 (\\u0000), which PostgreSQL cannot store"

    /// The path (`data.items[2].name`) of the first string or member name in `value` holding U+0000, or nil.
    public static func nulPath(in value: JSONValue, at path: String) -> String? {
        switch value {
        case .string(let text):
            return text.utf8.contains(0) ? path : nil
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                if let found = nulPath(in: element, at: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if key.utf8.contains(0) { return child }
                if let member = members[key], let found = nulPath(in: member, at: child) { return found }
            }
            return nil
        case .null, .bool, .int, .double:
            return nil
        }
    }
}
