// CloudEventHTTPBinding.decode (EventModel) as the ingest route calls it, then CDEvent(cloudEvent:).normalized().
// The input is an HTTP request: header lines `name: value` (or `name:value`) up to an empty line, then the body.
// Without an empty line the whole input is the body, with Content-Type taken from the first byte.
import EventModel
import PacerCore

private let contentTypes = [
    "application/cloudevents+json", "application/cloudevents-batch+json", "application/json", "text/plain",
    "application/cloudevents+json; charset=utf-8", "application/cloudevents-batch+json; charset=utf-8",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var headers: [(name: String, value: String)] = []
    var body = bytes[...]
    if let split = findBlankLine(bytes) {
        for line in bytes[..<split].split(separator: UInt8(ascii: "\n")) {
            let text = String(decoding: line, as: UTF8.self)
            guard let colon = text.firstIndex(of: ":") else { continue }
            var value = text[text.index(after: colon)...]
            if value.first == " " { value = value.dropFirst() }
            headers.append((String(text[..<colon]), String(value)))
        }
        body = bytes[(split + 2)...]
    } else if let first = bytes.first {
        headers.append(("Content-Type", contentTypes[Int(first) % contentTypes.count]))
        body = bytes.dropFirst()
    }
    guard let decoded = try? CloudEventHTTPBinding.decode(headers: headers, body: body) else { return 0 }
    for event in decoded.events {
        _ = event.jsonFormat.jsonBytes()
        _ = try? CDEvent(cloudEvent: event).normalized()
    }
    return 0
}

private func findBlankLine(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 2 else { return nil }
    for index in 0..<(bytes.count - 1) where bytes[index] == 0x0A && bytes[index + 1] == 0x0A { return index }
    return nil
}
