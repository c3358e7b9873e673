// The CDEvents decoder, validator and normaliser (EventModel): CDEvent(json:), CDEvent(validating:) in both modes,
// validationErrors, normalized(), and the way back (jsonValue, cloudEvent()). Also CDEventType(parsing:) of the
// `context.type` text.
import EventModel
import PacerCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    guard let json = try? JSONValue.parse(bytes) else { return 0 }
    if let type = json["context"]?["type"]?.stringValue { _ = try? CDEventType(parsing: type) }
    _ = try? CDEvent(validating: json, mode: .received)
    _ = try? CDEvent(validating: json, mode: .strict)
    guard let event = try? CDEvent(json: json) else { return 0 }
    _ = event.validationErrors(.received)
    _ = event.validationErrors(.strict)
    let normalized = event.normalized()
    _ = normalized.validationErrors(.received)
    _ = normalized.jsonValue.jsonBytes()
    let cloudEvent = normalized.cloudEvent()
    _ = cloudEvent.jsonFormat.jsonBytes()
    _ = try? CDEvent(cloudEvent: cloudEvent)
    return 0
}
