// JSONValue.parse (PacerCore): the reader every JSON input goes through (ingest bodies, CRD specs, watch events).
// Checks: no trap on any input; with and without duplicate-key refusal; what Pacer writes, it reads back.
import PacerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let value = try? JSONValue.parse(bytes) else {
        _ = try? JSONValue.parse(bytes, options: JSONParseOptions(uniqueKeysDepth: 2))
        return 0
    }
    _ = try? JSONValue.parse(bytes, options: JSONParseOptions(uniqueKeysDepth: 2))
    for pretty in [false, true] {
        let written = value.jsonBytes(pretty: pretty)
        guard let reread = try? JSONValue.parse(written) else {
            fatalError("Pacer cannot read its own JSON: \(String(decoding: written, as: UTF8.self))")
        }
        // Integral doubles are written without a fraction, so compare the text of a second write.
        guard reread.jsonBytes(pretty: pretty) == written else {
            fatalError("JSON write is not stable: \(String(decoding: written, as: UTF8.self))")
        }
    }
    return 0
}
