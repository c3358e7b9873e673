import Foundation
import PostgresNIO

/// The fields of a streamed row read in order, for the calculator's large streams (hundreds of thousands of rows;
/// public for `pacer-bench stream`, which measures this way of reading).
///
/// The statement selects one column, a row value (``rows(of:)``: `ROW(r.*)` of the statement that selects the fields),
/// which PostgreSQL sends in its binary form: the field count, then per field its type's OID, its length (-1 for NULL) and its binary value. Read
/// straight from the message's bytes this costs a fraction of one PostgresNIO cell per field (`pacer-bench stream`:
/// 1.26 s against 1.94 s for the 400,000 stored deployment reports). A string field whose bytes repeat the previous
/// row's reuses its `String` (``RepeatedStrings``), which is most of them in a stream sorted by app and environment.
public struct RowCells {
    private let bytes: UnsafeRawBufferPointer
    private let count: Int
    private var offset = 4
    private var column = 0

    /// `statement`'s rows, in its order, each as one row value. The value is made over the statement's output (a
    /// subquery with an ORDER BY is kept whole, sort included), not inside it: an anonymous row value cannot cross
    /// from a parallel worker, so made below a sort it would keep PostgreSQL from sorting in parallel.
    public static func rows(of statement: String) -> String { "SELECT ROW(r.*) FROM (\(statement)) r" }

    /// Calls `body` with the fields of `row`, whose one column is a row value (``rows(of:)``).
    public static func read<T>(_ row: PostgresRow, _ body: (inout RowCells) throws -> T) throws -> T {
        try record(of: row).withUnsafeReadableBytes { try read(record: $0, body) }
    }

    /// The bytes of `row`'s row value (``rows(of:)``), for ``read(record:_:)``.
    public static func record(of row: PostgresRow) throws -> ByteBuffer {
        var columns = row.makeIterator()
        guard let cell = columns.next() else { throw RowCellsError(column: 0, problem: "the row has no column") }
        guard let record = cell.bytes else { throw RowCellsError(column: 0, problem: "the row value is NULL") }
        guard cell.format == .binary else { throw RowCellsError(column: 0, problem: "the row value is not in binary format") }
        return record
    }

    /// Calls `body` with the fields of a row value's bytes (``record(of:)``; or a copy of them).
    public static func read<T>(record bytes: UnsafeRawBufferPointer, _ body: (inout RowCells) throws -> T) throws -> T {
        guard bytes.count >= 4 else { throw RowCellsError(column: 0, problem: "the row value has no field count") }
        var cells = RowCells(bytes: bytes, count: Int(Int32(bigEndian: bytes.loadUnaligned(as: Int32.self))))
        return try body(&cells)
    }

    private init(bytes: UnsafeRawBufferPointer, count: Int) {
        self.bytes = bytes
        self.count = count
    }

    /// The next field's value (nil for NULL), checked to be of one of the `types` (OIDs).
    private mutating func next(_ expected: String, _ types: (UInt32, UInt32, UInt32)) throws -> UnsafeRawBufferPointer? {
        guard column < count, offset + 8 <= bytes.count else { throw RowCellsError(column: column, problem: "the row has no such field") }
        let type = UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
        let length = Int(Int32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset + 4, as: Int32.self)))
        guard type == types.0 || type == types.1 || type == types.2 else {
            throw RowCellsError(column: column, problem: "a value of type OID \(type) where \(expected) is expected")
        }
        offset += 8
        column += 1
        guard length >= 0 else { return nil }
        guard offset + length <= bytes.count else { throw RowCellsError(column: column - 1, problem: "the value is cut short") }
        defer { offset += length }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
    }

    /// The next field's fixed-size value.
    private mutating func next(_ expected: String, _ type: UInt32, size: Int) throws -> UnsafeRawBufferPointer? {
        guard let value = try next(expected, (type, type, type)) else { return nil }
        guard value.count == size else { throw RowCellsError(column: column - 1, problem: "\(expected) of \(value.count) bytes") }
        return value
    }

    /// `value` of the field just read, which must not be NULL.
    private func required<T>(_ value: T?) throws -> T {
        guard let value else { throw RowCellsError(column: column - 1, problem: "NULL where a value is required") }
        return value
    }

    public mutating func string(_ strings: inout RepeatedStrings) throws -> String {
        let value = try optionalString(&strings)
        return try required(value)
    }

    public mutating func optionalString(_ strings: inout RepeatedStrings) throws -> String? {
        // text, varchar, name
        guard let value = try next("text", (25, 1043, 19)) else { return nil }
        return strings.string(value, column: column - 1)
    }

    /// The next text field's UTF-8 bytes without making a `String`, or nil for NULL: valid only inside the closure
    /// of ``read(_:_:)``.
    mutating func optionalStringBytes() throws -> UnsafeRawBufferPointer? {
        try next("text", (25, 1043, 19))
    }

    public mutating func int64() throws -> Int64 {
        let value = try optionalInt64()
        return try required(value)
    }

    public mutating func optionalInt64() throws -> Int64? {
        try next("an int8", 20, size: 8).map { Int64(bigEndian: $0.loadUnaligned(as: Int64.self)) }
    }

    public mutating func double() throws -> Double {
        let value = try optionalDouble()
        return try required(value)
    }

    public mutating func optionalDouble() throws -> Double? {
        try next("a float8", 701, size: 8).map { Double(bitPattern: UInt64(bigEndian: $0.loadUnaligned(as: UInt64.self))) }
    }

    /// A `timestamptz` field as microseconds since 1970 (PostgreSQL sends microseconds since 2000): what
    /// `(extract(epoch FROM t) * 1000000)::int8` gives, without PostgreSQL's numeric arithmetic per row.
    public mutating func time() throws -> Int64 {
        let value = try optionalTime()
        return try required(value)
    }

    public mutating func optionalTime() throws -> Int64? {
        guard let value = try next("a timestamptz", 1184, size: 8) else { return nil }
        let since2000 = Int64(bigEndian: value.loadUnaligned(as: Int64.self))
        // `infinity` and `-infinity` are the extremes; no finite timestamptz comes near them.
        guard since2000 != .max, since2000 != .min else { throw RowCellsError(column: column - 1, problem: "an infinite timestamp") }
        return since2000 + Self.epoch2000
    }

    /// 2000-01-01 00:00:00 UTC in microseconds since 1970.
    static let epoch2000: Int64 = 946_684_800_000_000

    public mutating func bool() throws -> Bool {
        let value = try next("a bool", 16, size: 1)
        return try required(value).load(as: UInt8.self) != 0
    }
}

/// Per field, the previous row's `String`.
public struct RepeatedStrings {
    private var previous: [String?]

    public init(columns: Int) { previous = Array(repeating: nil, count: columns) }

    /// The string of `bytes` (UTF-8), the previous one of `column` when its bytes are the same.
    mutating func string(_ bytes: UnsafeRawBufferPointer, column: Int) -> String {
        if column < previous.count, let last = previous[column], last.utf8.count == bytes.count {
            let same = bytes.isEmpty || last.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 } == true
            if same { return last }
        }
        let value = String(decoding: bytes, as: UTF8.self)
        if column < previous.count { previous[column] = value }
        return value
    }
}

public struct RowCellsError: Error, CustomStringConvertible {
    public var column: Int
    public var problem: String
    public var description: String { "field \(column) of a streamed row: \(problem)" }
}
