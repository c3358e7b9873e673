/// The source of an expression as UTF-8 bytes, with line starts for turning byte offsets into positions.
struct SourceText: Sendable {
    let bytes: [UInt8]
    private let lineStarts: [Int]

    init(_ text: String) {
        bytes = Array(text.utf8)
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        lineStarts = starts
    }

    /// 1-based line and column (in characters) of a byte offset.
    func position(of offset: Int) -> (line: Int, column: Int) {
        let clamped = min(max(0, offset), bytes.count)
        var lineIndex = 0
        var low = 0
        var high = lineStarts.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if lineStarts[mid] <= clamped {
                lineIndex = mid
                low = mid + 1
            } else {
                high = mid - 1
            }
        }
        let prefix = String(decoding: bytes[lineStarts[lineIndex]..<clamped], as: UTF8.self)
        return (lineIndex + 1, prefix.count + 1)
    }

    /// The text of a 1-based line, without its line break.
    func lineText(_ line: Int) -> String {
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }

    func error(_ code: ExpressionError.Code, _ message: String, at offset: Int) -> ExpressionError {
        let (line, column) = position(of: offset)
        return ExpressionError(code: code, message: message, line: line, column: column, sourceLine: lineText(line))
    }
}
