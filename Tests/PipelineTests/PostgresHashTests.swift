import Foundation
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// ``PostgresHash``: the same numbers as the server's hash functions, asked of a running PostgreSQL.
@Suite("Calculator: PostgreSQL's hash functions computed in Swift", .enabled(if: TestDatabase.enabled))
struct PostgresHashTests {
    /// Seeds: none (no mixing), small, with only the high half set, negative, the extremes.
    static let seeds: [Int64] = [0, 1, 42, 1 << 32, -7, Int64.max, Int64.min, 0x1234_5678_9ABC_DEF0]

    /// The server's answers for `sql` with `binds`, one int8 per row.
    static func server(_ sql: String, _ binds: PostgresBindings) async throws -> [Int64] {
        try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            var values: [Int64] = []
            for try await value in try await client.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: TestDatabase.logger).decode(Int64.self) {
                values.append(value)
            }
            return values
        }
    }

    @Test("hashtextextended: every length from 0 to 40 bytes (each tail of the 12-byte blocks), non-ASCII text, under every seed")
    func text() async throws {
        // Printable ASCII of every length, varied by position and length.
        var texts: [String] = (0...40).map { length in
            let bytes: [UInt8] = (0..<length).map { UInt8(33 + ($0 * 7 + length) % 90) }
            return String(decoding: bytes, as: UTF8.self)
        }
        texts += ["é", "grüße, 世界 😀", "\u{1F}", String(repeating: "ÿ", count: 13)]
        var binds = PostgresBindings()
        binds.append(texts)
        binds.append(Self.seeds)
        let server = try await Self.server(
            "SELECT hashtextextended(t, s) FROM unnest($1::text[]) WITH ORDINALITY a(t, i), unnest($2::int8[]) WITH ORDINALITY b(s, j) ORDER BY i, j",
            binds)
        let swift = texts.flatMap { text in Self.seeds.map { Int64(bitPattern: PostgresHash.text(text, seed: UInt64(bitPattern: $0))) } }
        #expect(server.count == texts.count * Self.seeds.count)
        #expect(swift == server)
    }

    @Test("hashint8extended and timestamp_hash_extended: zero, ±1, the halves' edges, the extremes; times before and after 2000")
    func integers() async throws {
        let values: [Int64] = [0, 1, -1, 4_294_967_295, 4_294_967_296, -4_294_967_296, Int64.max, Int64.min, 1_770_026_400_000_123, -5]
        var binds = PostgresBindings()
        binds.append(values)
        binds.append(Self.seeds)
        let server = try await Self.server(
            """
            SELECT h FROM unnest($1::int8[]) WITH ORDINALITY a(v, i), unnest($2::int8[]) WITH ORDINALITY b(s, j),
                LATERAL (VALUES (1, hashint8extended(v, s)),
                                (2, timestamp_hash_extended((to_timestamp(0) + v % 4000000000000000 * interval '1 microsecond') AT TIME ZONE 'UTC', s))) h(k, h)
            ORDER BY i, j, k
            """,
            binds)
        let swift = values.flatMap { value in
            Self.seeds.flatMap { seed in
                [PostgresHash.int8(value, seed: UInt64(bitPattern: seed)), PostgresHash.timestamp(value % 4_000_000_000_000_000, seed: UInt64(bitPattern: seed))]
                    .map { Int64(bitPattern: $0) }
            }
        }
        #expect(swift == server)
    }

    @Test("hashfloat8extended and hash_array_extended: zero of either sign, NaN, infinities, fractions; arrays empty, of one value, of several")
    func floats() async throws {
        let values: [Double] = [0, -0.0, .nan, .infinity, -.infinity, 1.5, -2.25, 0.1, 1e-300, 123_456.789]
        var binds = PostgresBindings()
        binds.append(values)
        binds.append(Self.seeds)
        let server = try await Self.server(
            """
            SELECT h FROM unnest($2::int8[]) WITH ORDINALITY b(s, j),
                LATERAL (SELECT i, hashfloat8extended(v, s) FROM unnest($1::float8[]) WITH ORDINALITY a(v, i)
                         UNION ALL SELECT 100, hash_array_extended('{}'::float8[], s)
                         UNION ALL SELECT 101, hash_array_extended(ARRAY[2.5]::float8[], s)
                         UNION ALL SELECT 102, hash_array_extended($1::float8[], s)) h(i, h)
            ORDER BY j, i
            """,
            binds)
        let swift = Self.seeds.flatMap { signed in
            let seed = UInt64(bitPattern: signed)
            return (values.map { PostgresHash.float8($0, seed: seed) }
                + [PostgresHash.float8Array([], seed: seed), PostgresHash.float8Array([2.5], seed: seed), PostgresHash.float8Array(values, seed: seed)])
                .map { Int64(bitPattern: $0) }
        }
        #expect(swift == server)
    }

    @Test("hash_record_extended: text, NULL and non-NULL float8, int8, timestamptz and float8[] columns, NULL array")
    func records() async throws {
        let server = try await Self.server(
            """
            SELECT hash_record_extended(ROW('checkout'::text, NULL::float8, 7::int8, to_timestamp(1770026400.5), ARRAY[1.5, 2]::float8[], 0.25::float8), 99)
            UNION ALL SELECT hash_record_extended(ROW('checkout'::text, 3.0::float8, -7::int8, to_timestamp(0), NULL::float8[], 0::float8), -99)
            """,
            PostgresBindings())
        var first = PostgresHash.Record()
        first.add(PostgresHash.text("checkout", seed: 99))
        first.add(0)
        first.add(PostgresHash.int8(7, seed: 99))
        first.add(PostgresHash.timestamp(1_770_026_400_500_000, seed: 99))
        first.add(PostgresHash.float8Array([1.5, 2], seed: 99))
        first.add(PostgresHash.float8(0.25, seed: 99))
        let seed = UInt64(bitPattern: -99)
        var second = PostgresHash.Record()
        second.add(PostgresHash.text("checkout", seed: seed))
        second.add(PostgresHash.float8(3, seed: seed))
        second.add(PostgresHash.int8(-7, seed: seed))
        second.add(PostgresHash.timestamp(0, seed: seed))
        second.add(0)
        second.add(PostgresHash.float8(0, seed: seed))
        #expect([Int64(bitPattern: first.value), Int64(bitPattern: second.value)] == server)
    }
}
