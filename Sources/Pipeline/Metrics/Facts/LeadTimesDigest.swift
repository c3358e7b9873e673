/// An order-independent digest of a multiset of `lead_times` rows: their count and the wrapping sum of a keyed hash
/// of each row's bytes (strings as their UTF-8 bytes, times as microseconds, hours as their bit pattern).
///
/// A kept recompute (``MetricFactStore/loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)``)
/// compares the digest of the rows it computed with that of the stored rows and leaves the table alone when they are
/// equal: rewriting 400,000 unchanged rows and their two indexes cost about a second. `Hasher` is seeded at random per
/// process, so no input can be made to collide on purpose; two different multisets of rows have the same digest with a
/// probability of about 2⁻⁶⁴.
struct LeadTimesDigest: Equatable, Sendable {
    private(set) var count = 0
    private var sum: UInt64 = 0

    /// Adds a row made by the pass.
    mutating func add(app: String, environment: String, _ row: MetricFactStore.LeadTimeRow) {
        var hasher = Hasher()
        Self.combine(app, into: &hasher)
        Self.combine(environment, into: &hasher)
        Self.combine(row.sha, into: &hasher)
        Self.combine(row.cluster, into: &hasher)
        hasher.combine(row.changeTime)
        hasher.combine(row.deployTime)
        Self.combine(row.deploySource, into: &hasher)
        Self.combine(row.deployId, into: &hasher)
        Self.combine(row.team, into: &hasher)
        Self.combine(row.namespace, into: &hasher)
        hasher.combine(row.hours.bitPattern)
        add(hasher)
    }

    /// Adds a stored row, streamed in ``storedColumns`` order, without making its strings.
    mutating func add(stored cells: inout RowCells) throws {
        var hasher = Hasher()
        for _ in 0..<4 { Self.combine(try cells.stringBytes(), into: &hasher) }
        hasher.combine(try cells.time())
        hasher.combine(try cells.time())
        for _ in 0..<4 { Self.combine(try cells.stringBytes(), into: &hasher) }
        hasher.combine(try cells.double().bitPattern)
        add(hasher)
    }

    /// The `lead_times` columns in the order ``add(stored:)`` reads them (``add(app:environment:_:)``'s).
    static let storedColumns = "app, environment, sha, cluster, change_time, deploy_time, deploy_source, deploy_id, team, namespace, hours"

    mutating func merge(_ other: LeadTimesDigest) {
        count += other.count
        sum &+= other.sum
    }

    private mutating func add(_ hasher: consuming Hasher) {
        count += 1
        sum &+= UInt64(bitPattern: Int64(hasher.finalize()))
    }

    /// A string's UTF-8 bytes and their length (so "ab"+"c" and "a"+"bc" differ), as ``combine(_:into:)-(UnsafeRawBufferPointer,_)`` does.
    private static func combine(_ string: String, into hasher: inout Hasher) {
        var string = string
        string.withUTF8 { combine(UnsafeRawBufferPointer($0), into: &hasher) }
    }

    private static func combine(_ bytes: UnsafeRawBufferPointer, into hasher: inout Hasher) {
        hasher.combine(bytes.count)
        hasher.combine(bytes: bytes)
    }
}
