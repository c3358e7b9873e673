// CloudEvent(jsonFormat:) (EventModel): the structured-mode event object, parsed as ingest parses it.
// Checks: no trap; an event read and validated is written back (jsonFormat) and read again to an equal event.
import EventModel
import PacerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let json = try? JSONValue.parse(bytes, options: JSONParseOptions(uniqueKeysDepth: 1)),
          let event = try? CloudEvent(jsonFormat: json)
    else { return 0 }
    _ = try? event.validate()
    let written = event.jsonFormat
    guard let again = try? CloudEvent(jsonFormat: written) else {
        fatalError("a CloudEvent Pacer wrote does not read back: \(written.jsonString())")
    }
    guard again.jsonFormat == written else {
        fatalError("CloudEvent JSON round trip differs: \(written.jsonString()) vs \(again.jsonFormat.jsonString())")
    }
    _ = try? CDEvent(cloudEvent: event).normalized()
    return 0
}
