import Foundation
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// The calculator's stream reader (``RowCells``): rows selected as one row value, read in PostgreSQL's binary form.
@Suite("Calculator: streamed rows read as row values", .enabled(if: TestDatabase.enabled))
struct RowCellsTests {
    typealias Fields = (String, String?, Int64, Int64?, Double?, Bool, String)

    /// The rows of `sql`, selected as row values (``RowCells/rows(of:)``), each read as text, text or NULL, int8, int8 or NULL, float8 or NULL,
    /// bool, text; with one `RepeatedStrings` over the whole stream, as the calculator reads.
    static func read(_ sql: String) async throws -> [Result<Fields, RowCellsError>] {
        try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            var strings = RepeatedStrings(columns: 7)
            var results: [Result<Fields, RowCellsError>] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: RowCells.rows(of: sql)), logger: TestDatabase.logger) {
                do {
                    results.append(.success(try RowCells.read(row) { cells in
                        (try cells.string(&strings), try cells.optionalString(&strings), try cells.int64(), try cells.optionalInt64(),
                         try cells.optionalDouble(), try cells.bool(), try cells.string(&strings))
                    }))
                } catch let error as RowCellsError {
                    results.append(.failure(error))
                }
            }
            return results
        }
    }

    @Test("every field type, NULLs, non-ASCII text, negative and extreme numbers; a string repeated from the row before, or not")
    func fields() async throws {
        let results = try await Self.read("""
            SELECT a, b, c, d, e, f, g FROM (VALUES
                (1, 'app-1', 'x', 0::int8, 5::int8, 1.5::float8, true, ''),
                (2, 'app-1', NULL, -1::int8, NULL::int8, NULL::float8, false, 'é€😀'),
                -- same length as 'app-1', other bytes: must not reuse the previous row's string
                (3, 'app-2', 'x', 9223372036854775807::int8, '-9223372036854775808'::int8, -0.25::float8, true, 'é€😀'),
                (4, 'app-2', 'tab\tand\nnewline', 1770026400000123::int8, 7::int8, 'Infinity'::float8, false, 'z')
            ) v(n, a, b, c, d, e, f, g) ORDER BY n
            """)
        let rows = try results.map { try $0.get() }
        #expect(rows.count == 4)
        #expect(rows.map(\.0) == ["app-1", "app-1", "app-2", "app-2"])
        #expect(rows.map(\.1) == ["x", nil, "x", "tab\tand\nnewline"])
        #expect(rows.map(\.2) == [0, -1, Int64.max, 1_770_026_400_000_123])
        #expect(rows.map(\.3) == [5, nil, Int64.min, 7])
        #expect(rows.map(\.4) == [1.5, nil, -0.25, .infinity])
        #expect(rows.map(\.5) == [true, false, true, false])
        #expect(rows.map(\.6) == ["", "é€😀", "é€😀", "z"])
    }

    @Test("a field of another type, a NULL where a value is required and a missing field are errors naming the field")
    func errors() async throws {
        // A good row, then a row whose first field is NULL.
        let null = try await Self.read("""
            SELECT a, 'x'::text, 1::int8, NULL::int8, NULL::float8, true, 'ok'::text FROM (VALUES (1, 'ok'), (2, NULL)) v(n, a) ORDER BY n
            """)
        #expect(null.count == 2)
        #expect((try? null[0].get())?.6 == "ok")
        // Field 5 is text where the reader expects a bool.
        let type = try await Self.read("SELECT 'a'::text, 'b'::text, 1::int8, 2::int8, 0.5::float8, 'true'::text, 'c'::text")
        // Three fields where the reader reads seven.
        let short = try await Self.read("SELECT 'a'::text, 'b'::text, 1::int8")
        guard case .failure(let isNull) = null.last, case .failure(let otherType) = type.first, case .failure(let missing) = short.first else {
            Issue.record("each of these must fail: \(null), \(type), \(short)")
            return
        }
        #expect(isNull.column == 0)
        #expect(isNull.problem == "NULL where a value is required")
        #expect(otherType.column == 5)
        #expect(otherType.problem == "a value of type OID 25 where a bool is expected")
        #expect(missing.column == 3)
        #expect(missing.problem == "the row has no such field")
    }

    @Test("a timestamptz is read as microseconds since 1970, whatever the session's time zone; NULL; infinity is an error")
    func times() async throws {
        let read: [Result<(Int64, Int64?), RowCellsError>] = try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            // A zone far from UTC: the binary value does not depend on it.
            try await client.query("SET TimeZone = 'Pacific/Kiritimati'", logger: TestDatabase.logger)
            var results: [Result<(Int64, Int64?), RowCellsError>] = []
            let sql = """
                SELECT t, u FROM (VALUES
                    (1, '2026-02-02 10:00:00.000123+00'::timestamptz, NULL::timestamptz),
                    (2, '1970-01-01 00:00:00+00', '1969-12-31 23:59:59.999999+00'),
                    (3, '2000-01-01 00:00:00+00', '2000-01-01 02:00:00+02'),
                    (4, 'infinity', NULL)
                ) v(n, t, u) ORDER BY n
                """
            for try await row in try await client.query(PostgresQuery(unsafeSQL: RowCells.rows(of: sql)), logger: TestDatabase.logger) {
                do {
                    results.append(.success(try RowCells.read(row) { cells in (try cells.time(), try cells.optionalTime()) }))
                } catch let error as RowCellsError {
                    results.append(.failure(error))
                }
            }
            return results
        }
        #expect(read.count == 4)
        let rows = read.prefix(3).compactMap { try? $0.get() }
        // 2026-02-02 10:00 UTC = 1,770,026,400 s since 1970, plus 123 µs; one microsecond before 1970 is -1; 2000-01-01
        // is 946,684,800 s (both forms of the same instant).
        #expect(rows.map(\.0) == [1_770_026_400_000_123, 0, 946_684_800_000_000])
        #expect(rows.map(\.1) == [nil, -1, 946_684_800_000_000])
        guard case .failure(let infinite) = read.last else {
            Issue.record("infinity must be an error: \(read)")
            return
        }
        #expect(infinite.column == 0)
        #expect(infinite.problem == "an infinite timestamp")
    }
}
