/// An order-independent digest of a multiset of table rows: their count and the wrapping sum of a keyed hash of each
/// row's bytes (``RowHasher``: strings as their UTF-8 bytes and lengths, a row's text fields joined by U+001F, times as
/// microseconds, doubles as their bit patterns). Two rows whose text fields hold U+001F where the other's join them
/// could hash alike: the digest only decides whether rows Pacer wrote are written again.
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

    /// Bytes of the text being hashed that do not fill a word yet, their count, and the text's length so far.
    private var pending: UInt64 = 0
    private var pendingCount = 0
    private var textLength: UInt64 = 0

    /// A text field's bytes as streamed (``RowCells/stringBytes()``): each 8 bytes as a little-endian word, the last
    /// ones zero-padded, then the length.
    mutating func bytes(_ bytes: UnsafeRawBufferPointer) {
        append(bytes)
        endText()
    }

    /// One of several strings hashed as the text PostgreSQL's `concat_ws(E'\x1f', …)` of them sends: its bytes, then
    /// the separator U+001F; the last one with ``lastPart(_:)``. A stored row's text fields are read joined so (one
    /// field in place of several: PostgreSQL sends each field of a row value through its type's send function).
    mutating func part(_ string: String) {
        append(string)
        var separator: UInt8 = 0x1F
        withUnsafeBytes(of: &separator) { append($0) }
    }

    /// The last of the strings joined (``part(_:)``), and the end of their text; alone, a string hashed as
    /// ``bytes(_:)`` hashes its UTF-8 bytes (so "ab"+"c" and "a"+"bc" differ).
    mutating func lastPart(_ string: String) {
        append(string)
        endText()
    }

    private mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        textLength &+= UInt64(bytes.count)
        var offset = 0
        while pendingCount != 0, offset < bytes.count {
            pending |= UInt64(bytes[offset]) << (8 * pendingCount)
            pendingCount += 1
            offset += 1
            if pendingCount == 8 {
                fold(pending)
                (pending, pendingCount) = (0, 0)
            }
        }
        while offset + 8 <= bytes.count {
            fold(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset += 8
        }
        while offset < bytes.count {
            pending |= UInt64(bytes[offset]) << (8 * pendingCount)
            pendingCount += 1
            offset += 1
        }
    }

    private mutating func endText() {
        if pendingCount > 0 { fold(pending) }
        fold(textLength)
        (pending, pendingCount, textLength) = (0, 0, 0)
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
            hasher.part(app)
            hasher.part(environment)
            hasher.part(row.sha)
            hasher.part(row.cluster)
            hasher.part(row.deploySource)
            hasher.part(row.deployId)
            hasher.part(row.team)
            hasher.lastPart(row.namespace)
            hasher.int64(row.changeTime)
            hasher.int64(row.deployTime)
            hasher.double(row.hours)
        }
    }

    /// Adds a stored `lead_times` row, streamed in ``leadTimeColumns`` order, without making its strings.
    mutating func addStoredLeadTime(_ cells: inout RowCells) throws {
        try add { hasher in
            hasher.bytes(try cells.stringBytes())
            hasher.int64(try cells.time())
            hasher.int64(try cells.time())
            hasher.double(try cells.double())
        }
    }

    /// The `lead_times` columns in the order ``addStoredLeadTime(_:)`` reads them (``addLeadTime(app:environment:_:)``'s),
    /// the text ones joined (``RowHasher/part(_:)``; all are NOT NULL, which `concat_ws` would skip). Joined, 400,000
    /// rows cost PostgreSQL 0.26 s to send against 0.32-0.41 s as eleven fields.
    static let leadTimeColumns = """
        concat_ws(E'\\x1f', app, environment, sha, cluster, deploy_source, deploy_id, team, namespace), change_time, deploy_time, hours
        """
}

extension RowsDigest {
    /// Adds a `metric_points` row made by ``MemoryPoints`` (`labels` as `jsonb` prints them, ``MetricPlan/jsonbText(_:)``).
    mutating func addPoint(
        namespace: String, name: String, bucket: String, start: Int64, groupKey: String, labels: String, value: Double?, samples: Int64,
        dayValues: [Double]?
    ) {
        add { hasher in
            hasher.part(namespace)
            hasher.part(name)
            hasher.part(bucket)
            hasher.part(groupKey)
            hasher.lastPart(labels)
            hasher.int64(start)
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
            hasher.bytes(try cells.stringBytes())
            hasher.int64(try cells.time())
            hasher.optionalDouble(try cells.optionalDouble())
            hasher.int64(try cells.int64())
            hasher.int64(Int64(try cells.optionalDoubleArray { hasher.double($0) } ?? -1))
        }
    }

    /// The `metric_points` columns in the order ``addStoredPoint(_:)`` reads them, the text ones joined as
    /// ``leadTimeColumns`` are.
    static let pointColumns = "concat_ws(E'\\x1f', namespace, name, bucket, group_key, labels::text), bucket_start, value, samples, day_values"
}
