import Logging
import PostgresNIO

/// An order-independent digest of a set of table rows: their count and the XOR of a keyed hash of each row, the
/// same number PostgreSQL computes over the stored rows (``stored(_:from:where:binds:on:logger:)``), so a recompute
/// compares the rows it computed with those stored without reading them (reading and decoding them cost Pacer more
/// than computing them: 718,000 rows of `lead_times` and `metric_points` for a million CDEvents).
///
/// A row's hash is PostgreSQL's `hash_record_extended` of its columns (``PostgresHash``), under a seed drawn at
/// random once per process, then hashed again as the text of that number (`hashtextextended`): the record hash adds
/// its columns' hashes linearly, which a set of rows would let two rows swap values through; the second hash mixes
/// them. The tables' keys make their rows distinct, so XOR loses none; two different sets of rows have the same
/// digest with a probability of about 2⁻⁶⁴, and with the seed unknown none can be made to on purpose.
///
/// A kept recompute compares the digest of the rows it computed with that of the stored rows and leaves the table
/// alone when they are equal (``MetricFactStore/loadDeployments(from:prepare:keepUnchangedLeadTimes:samples:readers:on:)``
/// for `lead_times`, ``PointsTableSwap`` for `metric_points`): rewriting 400,000 unchanged rows and their indexes
/// cost about a second. A difference the digest misses could only leave rows Pacer wrote as they are.
struct RowsDigest: Equatable, Sendable {
    private(set) var count = 0
    private var xor: UInt64 = 0

    init() {}

    /// The process's seed (PostgreSQL's hash functions mix in a seed only when it is not zero).
    static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        var seed: UInt64 = 0
        while seed == 0 { seed = generator.next() }
        return seed
    }()

    /// `hashtextextended` of a text column under ``seed``: for columns whose values repeat from row to row, hashed once.
    static func text(_ string: String) -> UInt64 { PostgresHash.text(string, seed: seed) }

    /// Adds the row whose columns' hashes `columns` adds, in the order of the columns the stored digest names.
    mutating func add(_ columns: (inout PostgresHash.Record) -> Void) {
        var record = PostgresHash.Record()
        columns(&record)
        count += 1
        xor ^= PostgresHash.text(String(Int64(bitPattern: record.value)), seed: Self.seed)
    }

    mutating func merge(_ other: RowsDigest) {
        count += other.count
        xor ^= other.xor
    }

    /// The digest of the rows of `table` (that match `condition`, whose parameters `binds` gives from `$1`),
    /// `columns` (an SQL list) in the order the computed rows add them, computed by PostgreSQL on `connection`.
    static func stored(
        _ columns: String, from table: String, where condition: String? = nil, binds: PostgresBindings = PostgresBindings(),
        on connection: PostgresConnection, logger: Logger
    ) async throws -> RowsDigest {
        var binds = binds
        binds.append(Int64(bitPattern: seed))
        let seed = "$\(binds.count)"
        let sql = """
            SELECT count(*), coalesce(bit_xor(hashtextextended(hash_record_extended(ROW(\(columns)), \(seed))::text, \(seed))), 0)
            FROM \(table)\(condition.map { " WHERE \($0)" } ?? "")
            """
        var digest = RowsDigest()
        for try await (count, xor) in try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: logger).decode((Int64, Int64).self) {
            digest.count = Int(count)
            digest.xor = UInt64(bitPattern: xor)
        }
        return digest
    }
}

extension RowsDigest {
    /// Adds a `lead_times` row made by the pass (``leadTimeColumns``).
    mutating func addLeadTime(app: String, environment: String, _ row: MetricFactStore.LeadTimeRow) {
        add { record in
            let seed = Self.seed
            record.add(PostgresHash.text(app, seed: seed))
            record.add(PostgresHash.text(environment, seed: seed))
            record.add(PostgresHash.text(row.sha, seed: seed))
            record.add(PostgresHash.text(row.cluster, seed: seed))
            record.add(PostgresHash.text(row.deploySource, seed: seed))
            record.add(PostgresHash.text(row.deployId, seed: seed))
            record.add(PostgresHash.text(row.team, seed: seed))
            record.add(PostgresHash.text(row.namespace, seed: seed))
            record.add(PostgresHash.timestamp(row.changeTime, seed: seed))
            record.add(PostgresHash.timestamp(row.deployTime, seed: seed))
            record.add(PostgresHash.float8(row.hours, seed: seed))
        }
    }

    /// The `lead_times` columns in the order ``addLeadTime(app:environment:_:)`` adds them.
    static let leadTimeColumns = "app, environment, sha, cluster, deploy_source, deploy_id, team, namespace, change_time, deploy_time, hours"

    /// Adds a `metric_points` row made by ``MemoryPoints`` (``pointColumns``), its text columns given as their
    /// ``text(_:)`` hashes (they repeat: one definition, four buckets, a few groups); `labels` as `jsonb` prints them
    /// (``MetricPlan/jsonbText(_:)``).
    mutating func addPoint(
        namespace: UInt64, name: UInt64, bucket: UInt64, groupKey: UInt64, labels: UInt64, start: Int64, value: Double?, samples: Int64,
        dayValues: [Double]?
    ) {
        add { record in
            let seed = Self.seed
            record.add(namespace)
            record.add(name)
            record.add(bucket)
            record.add(groupKey)
            record.add(labels)
            record.add(PostgresHash.timestamp(start, seed: seed))
            record.add(value.map { PostgresHash.float8($0, seed: seed) } ?? 0)
            record.add(PostgresHash.int8(samples, seed: seed))
            record.add(dayValues.map { PostgresHash.float8Array($0, seed: seed) } ?? 0)
        }
    }

    /// The `metric_points` columns in the order ``addPoint(namespace:name:bucket:groupKey:labels:start:value:samples:dayValues:)``
    /// adds them (`labels` as text: `jsonb`'s own hash is not the hash of its text).
    static let pointColumns = "namespace, name, bucket, group_key, labels::text, bucket_start, value, samples, day_values"
}
