import PostgresNIO

/// A streamed row's cells read in column order, for the calculator's large streams (hundreds of thousands of rows;
/// public for `pacer-bench stream`, which measures this way of reading).
/// Cheaper than decoding a tuple: a string column whose bytes repeat those of the previous row reuses its `String`
/// (``RepeatedStrings``), which is most of them in a stream sorted by app and environment.
public struct RowCells {
    private var cells: PostgresRow.Iterator
    private var column = 0

    public init(_ row: PostgresRow) { cells = row.makeIterator() }

    private mutating func next() throws -> PostgresCell {
        guard let cell = cells.next() else { throw RowCellsError(column: column, problem: "the row has no such column") }
        column += 1
        return cell
    }

    public mutating func string(_ strings: inout RepeatedStrings) throws -> String {
        let index = column
        guard let value = try optionalString(&strings) else { throw RowCellsError(column: index, problem: "NULL where a value is required") }
        return value
    }

    public mutating func optionalString(_ strings: inout RepeatedStrings) throws -> String? {
        let index = column
        let cell = try next()
        guard let bytes = cell.bytes else { return nil }
        return try strings.string(bytes, column: index) { try cell.decode(String.self) }
    }

    public mutating func int64() throws -> Int64 { try next().decode(Int64.self) }

    public mutating func optionalInt64() throws -> Int64? { try next().decode(Int64?.self) }

    public mutating func double() throws -> Double { try next().decode(Double.self) }

    public mutating func optionalDouble() throws -> Double? { try next().decode(Double?.self) }

    public mutating func bool() throws -> Bool { try next().decode(Bool.self) }
}

/// Per column, the previous row's bytes and `String`.
public struct RepeatedStrings {
    private var previous: [(bytes: ByteBuffer, value: String)?]

    public init(columns: Int) { previous = Array(repeating: nil, count: columns) }

    public mutating func string(_ bytes: ByteBuffer, column: Int, decode: () throws -> String) rethrows -> String {
        if column < previous.count, let last = previous[column], last.bytes == bytes { return last.value }
        let value = try decode()
        if column < previous.count { previous[column] = (bytes, value) }
        return value
    }
}

public struct RowCellsError: Error, CustomStringConvertible {
    public var column: Int
    public var problem: String
    public var description: String { "column \(column) of a streamed row: \(problem)" }
}
