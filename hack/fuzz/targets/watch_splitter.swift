// JSONStreamSplitter (KubeClient), the watch stream's framing, then JSONValue.parse of each value as the watch
// decoder does. The first input byte picks the chunk size (1–64 bytes), the rest is the stream.
// Checks: no trap; the values do not depend on the chunking (the same bytes fed in one piece give the same values,
// up to the first error).
import KubeClient
import PacerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let chunkSize = Int(data[0] % 64) + 1
    let stream = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    // A small limit so the value-too-large path is reached too.
    var chunked = JSONStreamSplitter(maximumValueBytes: 512)
    var chunkedValues: [[UInt8]] = []
    var chunkedFailed = false
    var offset = 0
    while offset < stream.count {
        let end = min(offset + chunkSize, stream.count)
        do {
            chunkedValues += try chunked.feed(stream[offset..<end])
        } catch {
            chunkedFailed = true
            break
        }
        offset = end
    }
    if !chunkedFailed { _ = try? chunked.finish() }
    for value in chunkedValues { _ = try? JSONValue.parse(value) }

    var whole = JSONStreamSplitter(maximumValueBytes: 1 << 20)
    guard let wholeValues = try? whole.feed(stream) else { return 0 }
    if !chunkedFailed, chunkedValues != wholeValues {
        fatalError("the splitter's values depend on the chunking (\(chunkSize) bytes)")
    }
    if chunkedFailed, !wholeValues.starts(with: chunkedValues) {
        fatalError("before an error, the chunked splitter returned values the whole feed does not")
    }
    return 0
}
