/// Splits a byte stream of concatenated JSON values (`{...}{...}\n{...}`) into single values,
/// independent of how the bytes are chunked: a value may span many chunks and a chunk may hold
/// many values. Whitespace between values is skipped. Only objects and arrays are accepted at top
/// level (that is all a watch stream carries).
///
/// Memory is bounded: a single value larger than `maximumValueBytes` is an error.
public struct JSONStreamSplitter: Sendable {
    public let maximumValueBytes: Int
    private var buffer: [UInt8] = []
    /// Index in `buffer` where the value being scanned starts.
    private var valueStart = 0
    /// Index of the next byte to scan.
    private var scan = 0
    private var depth = 0
    private var inString = false
    private var escaped = false

    /// Problems in the stream.
    public enum SplitError: Error, Sendable, Hashable, CustomStringConvertible {
        case valueTooLarge(limit: Int)
        case unexpectedByte(UInt8, offset: Int)
        case unbalanced

        public var description: String {
            switch self {
            case .valueTooLarge(let limit): "JSON value larger than \(limit) bytes"
            case .unexpectedByte(let byte, let offset): "unexpected byte 0x\(String(byte, radix: 16)) between JSON values (offset \(offset))"
            case .unbalanced: "unbalanced JSON brackets"
            }
        }
    }

    public init(maximumValueBytes: Int = 16 * 1024 * 1024) {
        self.maximumValueBytes = maximumValueBytes
    }

    /// True when a value has started but not finished (bytes are buffered).
    public var hasPartialValue: Bool { depth > 0 }

    /// Feeds bytes and returns every value completed by them, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(SplitError) -> [[UInt8]] {
        buffer.append(contentsOf: bytes)
        var values: [[UInt8]] = []
        while scan < buffer.count {
            let byte = buffer[scan]
            if depth == 0 {
                switch byte {
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    scan += 1
                    valueStart = scan
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    valueStart = scan
                    depth = 1
                    scan += 1
                    continue
                default:
                    throw .unexpectedByte(byte, offset: scan)
                }
            }
            scan += 1
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 {
                    values.append(Array(buffer[valueStart..<scan]))
                    valueStart = scan
                }
            default: break
            }
        }
        compact()
        if depth > 0, buffer.count - valueStart > maximumValueBytes {
            throw .valueTooLarge(limit: maximumValueBytes)
        }
        return values
    }

    /// Call at end of stream: throws when a value was cut off.
    public func finish() throws(SplitError) {
        if depth > 0 { throw .unbalanced }
    }

    private mutating func compact() {
        guard valueStart > 0 else { return }
        if valueStart >= buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
        } else if valueStart > 64 * 1024 || valueStart > buffer.count / 2 {
            buffer.removeFirst(valueStart)
        } else {
            return
        }
        scan -= valueStart
        valueStart = 0
    }
}
