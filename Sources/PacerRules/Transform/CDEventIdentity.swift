/// The `context.id` of a CDEvent a transform makes of a CloudEvent: derived, never random, so a replay, a
/// restart or a second replica produces the same id and `cdevents_raw`'s key `(cd_source, cd_id)` keeps one row.
///
/// The id is a name-based UUID (RFC 9562 version 8 layout) over SHA-256 of the length-prefixed triple
/// (CloudEvent `source`, CloudEvent `id`, transform `namespace/name`): different triples cannot collide by
/// concatenation, and the same triple always gives the same id.
public enum CDEventIdentity {
    /// The derived id, lower-case UUID text (`8-4-4-4-12` hex digits).
    public static func id(cloudEventSource source: String, cloudEventId id: String, transform: String) -> String {
        derive([source, id, transform])
    }

    /// The id of element `element` (from 0) of a fan-out (`spec.forEach`) without `spec.id`: the triple above plus
    /// the element's position as a fourth length-prefixed part, so it never equals a triple's id.
    public static func id(cloudEventSource source: String, cloudEventId id: String, transform: String, element: Int) -> String {
        derive([source, id, transform, String(element)])
    }

    private static func derive(_ parts: [String]) -> String {
        var input: [UInt8] = Array("pacer.dev/transform/v1".utf8)
        for part in parts {
            let bytes = Array(part.utf8)
            let count = UInt64(bytes.count)
            for shift in stride(from: 56, through: 0, by: -8) { input.append(UInt8(truncatingIfNeeded: count >> UInt64(shift))) }
            input += bytes
        }
        var bytes = Array(SHA256.hash(input).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8 (custom, name-based)
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return uuidText(bytes)
    }

    static func uuidText(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(36)
        for (index, byte) in bytes.enumerated() {
            if [4, 6, 8, 10].contains(index) { out.append(UInt8(ascii: "-")) }
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
