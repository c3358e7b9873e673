/// PostgreSQL's 64-bit seeded hash functions, computed in Swift: the same numbers as the server's
/// `hashtextextended`, `hashint8extended`, `hashfloat8extended`, `timestamp_hash_extended`, `hash_array_extended`
/// and `hash_record_extended` (PostgreSQL 14 and later; Pacer requires 15), on a little-endian machine, so that a digest of rows
/// computed in memory compares with one the server computes over stored rows without sending them (``RowsDigest``).
///
/// The byte hash is Bob Jenkins' lookup3 in the variant PostgreSQL uses (`hash_bytes_extended`): the state
/// starts from the length, a non-zero seed is added to two of its words and mixed in, the bytes are added 12 at a
/// time as three little-endian words (the last up to 11 with the top of the third word holding bytes 9 to 11),
/// and the 64-bit result is the final state's second and third words. Written from the algorithm's description;
/// `PostgresHashTests` checks every function against a running server, for lengths 0 to 40 and a range of values.
enum PostgresHash {
    /// `hash_bytes_extended` (`hash_any_extended`): the hash of `bytes` under `seed`.
    static func bytes(_ bytes: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 {
        let length = bytes.count
        var state = State(start: 0x9E37_79B9 &+ UInt32(truncatingIfNeeded: length) &+ 3_923_095, seed: seed)
        var offset = 0
        while length - offset >= 12 {
            state.a &+= bytes.word(at: offset)
            state.b &+= bytes.word(at: offset + 4)
            state.c &+= bytes.word(at: offset + 8)
            state.mix()
            offset += 12
        }
        // The last 0 to 11 bytes: a takes bytes 0-3, b 4-7, c 8-10 (shifted up by one byte).
        let left = length - offset
        if left >= 9 {
            state.c &+= bytes.partialWord(at: offset + 8, count: left - 8) << 8
        }
        if left >= 5 {
            state.b &+= bytes.partialWord(at: offset + 4, count: min(left - 4, 4))
        }
        if left >= 1 {
            state.a &+= bytes.partialWord(at: offset, count: min(left, 4))
        }
        state.final()
        return state.result
    }

    /// `hashtextextended` of a text in a deterministic collation: the hash of its UTF-8 bytes.
    static func text(_ string: String, seed: UInt64) -> UInt64 {
        var string = string
        return string.withUTF8 { bytes(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// `hash_uint32_extended`: one 32-bit word.
    static func uint32(_ value: UInt32, seed: UInt64) -> UInt64 {
        var state = State(start: 0x9E37_79B9 &+ 4 &+ 3_923_095, seed: seed)
        state.a &+= value
        state.final()
        return state.result
    }

    /// `hashint8extended` (and `timestamp_hash_extended`): the two halves folded into one word (the high half
    /// inverted for negative values), hashed as a 32-bit word.
    static func int8(_ value: Int64, seed: UInt64) -> UInt64 {
        let bits = UInt64(bitPattern: value)
        var low = UInt32(truncatingIfNeeded: bits)
        let high = UInt32(truncatingIfNeeded: bits >> 32)
        low ^= value >= 0 ? high : ~high
        return uint32(low, seed: seed)
    }

    /// Microseconds from 1970 to 2000-01-01, PostgreSQL's epoch for `timestamp` and `timestamptz`.
    static let postgresEpoch: Int64 = 946_684_800_000_000

    /// `timestamp_hash_extended` of a `timestamptz` given as microseconds since 1970.
    static func timestamp(_ micros: Int64, seed: UInt64) -> UInt64 {
        int8(micros &- postgresEpoch, seed: seed)
    }

    /// `hashfloat8extended`: zero (either sign) hashes to the seed; every NaN as the one PostgreSQL makes; other
    /// values as their eight bytes.
    static func float8(_ value: Double, seed: UInt64) -> UInt64 {
        if value == 0 { return seed }
        var bits = (value.isNaN ? Double.nan : value).bitPattern.littleEndian
        return withUnsafeBytes(of: &bits) { bytes($0, seed: seed) }
    }

    /// `hash_array_extended` of a one-dimensional `float8[]` without NULL elements: from 1, each element's hash
    /// added to the running value times 31.
    static func float8Array(_ values: [Double], seed: UInt64) -> UInt64 {
        var result: UInt64 = 1
        for value in values { result = result &* 31 &+ float8(value, seed: seed) }
        return result
    }

    /// `hash_record_extended`: from 0, each column's hash (0 for NULL) added to the running value times 31.
    struct Record {
        private(set) var value: UInt64 = 0

        mutating func add(_ elementHash: UInt64) { value = value &* 31 &+ elementHash }
    }

    /// lookup3's three 32-bit words.
    private struct State {
        var a: UInt32
        var b: UInt32
        var c: UInt32

        init(start: UInt32, seed: UInt64) {
            (a, b, c) = (start, start, start)
            if seed != 0 {
                a &+= UInt32(truncatingIfNeeded: seed >> 32)
                b &+= UInt32(truncatingIfNeeded: seed)
                mix()
            }
        }

        var result: UInt64 { UInt64(b) << 32 | UInt64(c) }

        mutating func mix() {
            a &-= c; a ^= c.rotatedLeft(4); c &+= b
            b &-= a; b ^= a.rotatedLeft(6); a &+= c
            c &-= b; c ^= b.rotatedLeft(8); b &+= a
            a &-= c; a ^= c.rotatedLeft(16); c &+= b
            b &-= a; b ^= a.rotatedLeft(19); a &+= c
            c &-= b; c ^= b.rotatedLeft(4); b &+= a
        }

        mutating func final() {
            c ^= b; c &-= b.rotatedLeft(14)
            a ^= c; a &-= c.rotatedLeft(11)
            b ^= a; b &-= a.rotatedLeft(25)
            c ^= b; c &-= b.rotatedLeft(16)
            a ^= c; a &-= c.rotatedLeft(4)
            b ^= a; b &-= a.rotatedLeft(14)
            c ^= b; c &-= b.rotatedLeft(24)
        }
    }
}

extension UInt32 {
    fileprivate func rotatedLeft(_ count: UInt32) -> UInt32 { self << count | self >> (32 - count) }
}

extension UnsafeRawBufferPointer {
    /// The little-endian word at `offset`.
    fileprivate func word(at offset: Int) -> UInt32 {
        UInt32(littleEndian: loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    /// `count` (1 to 4) bytes from `offset` as the low bytes of a little-endian word.
    fileprivate func partialWord(at offset: Int, count: Int) -> UInt32 {
        if count == 4 { return word(at: offset) }
        var word: UInt32 = 0
        for index in 0..<count { word |= UInt32(self[offset + index]) << (8 * index) }
        return word
    }
}
