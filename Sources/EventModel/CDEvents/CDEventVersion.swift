/// A CDEvents semantic version `MAJOR.MINOR.PATCH`, as it appears at the end of an event type
/// (`dev.cdevents.service.deployed.0.3.0`) and as a spec version (`0.5.1`).
///
/// Versions compare numerically (`0.10.0 > 0.9.0`). Pre-release and build suffixes are not part of the
/// CDEvents type grammar and are refused.
public struct CDEventVersion: Sendable, Hashable, Comparable, CustomStringConvertible, LosslessStringConvertible {
    public var major: Int
    public var minor: Int
    public var patch: Int

    public init(_ major: Int, _ minor: Int, _ patch: Int) {
        self.major = major
        self.minor = minor
        self.patch = patch
    }

    /// Parses `M.m.p` (three non-negative decimal numbers without leading `+` or spaces); nil for anything else.
    public init?(_ description: String) {
        let parts = description.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var numbers: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 9, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(part) else {
                return nil
            }
            numbers.append(value)
        }
        self.init(numbers[0], numbers[1], numbers[2])
    }

    public var description: String { "\(major).\(minor).\(patch)" }

    public static func < (lhs: CDEventVersion, rhs: CDEventVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }

    /// The CDEvents specification release whose format Pacer emits.
    public static let specification = CDEventVersion(0, 5, 1)
}
