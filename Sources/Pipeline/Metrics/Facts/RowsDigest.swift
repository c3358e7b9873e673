/// An order-independent digest of a multiset of table rows: their count and the wrapping sum of a keyed hash of each
/// row's bytes (``RowHasher``: strings as their UTF-8 bytes and lengths, times as microseconds, doubles as their bit
/// patterns).
///
/// A kept recompute compares the digest of the rows it computed with that of the stored rows and leaves the table
/// alone when they are equal (``MetricFactStore/loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)``
/// for `lead_times`): rewriting 400,000 unchanged rows and their indexes cost about a second. The hash is keyed at
/// random per process, so no stored row can be made to collide with another on purpose; two different multisets of
/// rows have the same digest with a probability of about 2⁻⁶⁴.
struct RowsDigest: Equatable, Sendable {
    private(set) var count = 0
    private var sum: UInt64 = 0

    /// Adds the row whose fields `fields` hashes, in the order both sides of a comparison use.
    mutating func add(_ fields: (inout RowHasher) throws -> Void) rethrows {
        var hasher = RowHasher()
        try fields(&hasher)
        count += 1
        sum &+= hasher.finalize()
    }

    mutating func merge(_ other: RowsDigest) {
        count += other.count
        sum &+= other.sum
    }
}

/// The fields of one row, hashed (``RowsDigest/add(_:)``): each 8-byte word folded into the state by a 64×64→128-bit
/// multiply whose halves are XORed (the "folded multiply" of foldhash and aHash), under two keys drawn at random once
/// per process. Swift's `Hasher` (SipHash-1-3, seeded per row) cost about three times as much per row: hashing the
/// stored rows of both digests took more of Pacer's time than reading them.
struct RowHasher {
    private var state: UInt64

    /// The process's keys: the state's start and the multiplier (odd).
    private static let keys: (start: UInt64, multiplier: UInt64) = {
        var generator = SystemRandomNumberGenerator()
        return (generator.next(), generator.next() | 1)
    }()

    init() { state = Self.keys.start }

    private mutating func fold(_ word: UInt64) {
        let product = (state ^ word).multipliedFullWidth(by: Self.keys.multiplier)
        state = product.high ^ product.low
    }

    /// A string's UTF-8 bytes and their length (so "ab"+"c" and "a"+"bc" differ).
    mutating func string(_ string: String) {
        var string = string
        string.withUTF8 { bytes(UnsafeRawBufferPointer($0)) }
    }

    /// A text field's bytes as streamed (``RowCells/stringBytes()``), as ``string(_:)`` hashes them: the length, then
    /// each 8 bytes as a little-endian word, the last ones zero-padded.
    mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        fold(UInt64(bytes.count))
        var offset = 0
        while offset + 8 <= bytes.count {
            fold(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        if offset < bytes.count {
            var tail: UInt64 = 0
            for (shift, byte) in bytes[offset...].enumerated() { tail |= UInt64(byte) << (8 * shift) }
            fold(tail)
        }
    }

    mutating func int64(_ value: Int64) { fold(UInt64(bitPattern: value)) }

    mutating func double(_ value: Double) { fold(value.bitPattern) }

    /// NULL and a value hash differently.
    mutating func optionalDouble(_ value: Double?) {
        fold(value == nil ? 0 : 1)
        if let value { double(value) }
    }

    /// The state folded once more (with a constant): the last word is then multiplied into it as every other word is
    /// by the one that follows.
    fileprivate consuming func finalize() -> UInt64 {
        fold(0x9E37_79B9_7F4A_7C15)
        return state
    }
}

extension RowsDigest {
    /// Adds a `lead_times` row made by the pass.
    mutating func addLeadTime(app: String, environment: String, _ row: MetricFactStore.LeadTimeRow) {
        add { hasher in
            hasher.string(app)
            hasher.string(environment)
            hasher.string(row.sha)
            hasher.string(row.cluster)
            hasher.int64(row.changeTime)
            hasher.int64(row.deployTime)
            hasher.string(row.deploySource)
            hasher.string(row.deployId)
            hasher.string(row.team)
            hasher.string(row.namespace)
            hasher.double(row.hours)
        }
    }

    /// Adds a stored `lead_times` row, streamed in ``leadTimeColumns`` order, without making its strings.
    mutating func addStoredLeadTime(_ cells: inout RowCells) throws {
        try add { hasher in
            for _ in 0..<4 { hasher.bytes(try cells.stringBytes()) }
            hasher.int64(try cells.time())
            hasher.int64(try cells.time())
            for _ in 0..<4 { hasher.bytes(try cells.stringBytes()) }
            hasher.double(try cells.double())
        }
    }

    /// The `lead_times` columns in the order ``addStoredLeadTime(_:)`` reads them (``addLeadTime(app:environment:_:)``'s).
    static let leadTimeColumns = "app, environment, sha, cluster, change_time, deploy_time, deploy_source, deploy_id, team, namespace, hours"
}

extension RowsDigest {
    /// Adds a `metric_points` row made by ``MemoryPoints`` (`labels` as `jsonb` prints them, ``MetricPlan/jsonbText(_:)``).
    mutating func addPoint(
        namespace: String, name: String, bucket: String, start: Int64, groupKey: String, labels: String, value: Double?, samples: Int64,
        dayValues: [Double]?
    ) {
        add { hasher in
            for text in [namespace, name, bucket] { hasher.string(text) }
            hasher.int64(start)
            hasher.string(groupKey)
            hasher.string(labels)
            hasher.optionalDouble(value)
            hasher.int64(samples)
            if let dayValues {
                for day in dayValues { hasher.double(day) }
                hasher.int64(Int64(dayValues.count))
            } else {
                hasher.int64(-1)
            }
        }
    }

    /// Adds a stored `metric_points` row, streamed in ``pointColumns`` order.
    mutating func addStoredPoint(_ cells: inout RowCells) throws {
        try add { hasher in
            for _ in 0..<3 { hasher.bytes(try cells.stringBytes()) }
            hasher.int64(try cells.time())
            hasher.bytes(try cells.stringBytes())
            hasher.bytes(try cells.stringBytes())
            hasher.optionalDouble(try cells.optionalDouble())
            hasher.int64(try cells.int64())
            hasher.int64(Int64(try cells.optionalDoubleArray { hasher.double($0) } ?? -1))
        }
    }

    /// The `metric_points` columns in the order ``addStoredPoint(_:)`` reads them.
    static let pointColumns = "namespace, name, bucket, bucket_start, group_key, labels::text, value, samples, day_values"
}
