import Foundation
import PacerCore

/// The CloudEvents HTTP protocol binding (v1.0.2) for requests Pacer receives.
///
/// Mode detection follows the spec: a `Content-Type` starting with `application/cloudevents-batch` is batched,
/// one starting with `application/cloudevents` is structured, anything else is binary mode (`ce-` headers).
public enum CloudEventHTTPBinding {
    public enum Mode: String, Sendable {
        case binary, structured, batched
    }

    /// Decodes the CloudEvents carried by one HTTP request.
    /// - Parameters:
    ///   - headers: the request headers as (name, value) pairs; names are matched case-insensitively.
    ///   - body: the request body.
    /// - Returns: the mode and the events, each already validated. A batch may be empty.
    public static func decode(headers: [(name: String, value: String)], body: some Collection<UInt8>) throws(CloudEventError) -> (mode: Mode, events: [CloudEvent]) {
        let contentType = headers.first { $0.name.lowercased() == "content-type" }?.value
        let essence = contentType.map(mediaTypeEssence) ?? ""
        if essence.hasPrefix("application/cloudevents-batch") {
            guard essence == "application/cloudevents-batch+json" else {
                throw CloudEventError(.unsupportedMediaType, attribute: "Content-Type", "unsupported batch format \"\(essence)\": Pacer reads application/cloudevents-batch+json")
            }
            return (.batched, try decodeBatch(body))
        }
        if essence.hasPrefix("application/cloudevents") {
            guard essence == "application/cloudevents+json" || essence == "application/cloudevents" else {
                throw CloudEventError(.unsupportedMediaType, attribute: "Content-Type", "unsupported event format \"\(essence)\": Pacer reads application/cloudevents+json")
            }
            return (.structured, [try decodeStructured(body)])
        }
        return (.binary, [try decodeBinary(headers: headers, contentType: contentType, body: body)])
    }

    static func decodeStructured(_ body: some Collection<UInt8>) throws(CloudEventError) -> CloudEvent {
        // The event object is at depth 1: a repeated attribute is refused (which value would be meant?).
        try CloudEvent(jsonFormat: parseJSON(body, uniqueKeysDepth: 1))
    }

    static func decodeBatch(_ body: some Collection<UInt8>) throws(CloudEventError) -> [CloudEvent] {
        // The events are at depth 2, in the top-level array.
        guard case .array(let elements) = try parseJSON(body, uniqueKeysDepth: 2) else {
            throw CloudEventError(.malformed, "a batch must be a JSON array of CloudEvents")
        }
        var events: [CloudEvent] = []
        events.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            do {
                events.append(try CloudEvent(jsonFormat: element))
            } catch {
                throw error.at(index: index)
            }
        }
        return events
    }

    static func decodeBinary(headers: [(name: String, value: String)], contentType: String?, body: some Collection<UInt8>) throws(CloudEventError) -> CloudEvent {
        var attributes: [String: String] = [:]
        for (name, value) in headers {
            let lower = name.lowercased()
            guard lower.hasPrefix("ce-") else { continue }
            let attribute = String(lower.dropFirst(3))
            if attribute == "datacontenttype" {
                throw CloudEventError(.invalid, attribute: "ce-datacontenttype", "must not be sent in binary mode: the Content-Type header carries datacontenttype")
            }
            guard attributes[attribute] == nil else {
                throw CloudEventError(.invalid, attribute: name, "header appears more than once")
            }
            attributes[attribute] = try decodeHeaderValue(value, header: name)
        }
        guard !attributes.isEmpty else {
            throw CloudEventError(
                .unsupportedMediaType, attribute: "Content-Type",
                "not a CloudEvent: send ce-id, ce-source, ce-specversion and ce-type headers (binary mode) or use Content-Type application/cloudevents+json (structured) or application/cloudevents-batch+json (batched)")
        }
        func take(_ name: String, required: Bool) throws(CloudEventError) -> String? {
            guard let value = attributes.removeValue(forKey: name) else {
                if required { throw CloudEventError(.invalid, attribute: "ce-\(name)", "required header is missing") }
                return nil
            }
            return value
        }
        let specversion = try take("specversion", required: true) ?? ""
        guard specversion == "1.0" else {
            throw CloudEventError(.invalid, attribute: "ce-specversion", "unsupported value \"\(specversion)\": Pacer accepts CloudEvents \"1.0\"")
        }
        let id = try take("id", required: true) ?? ""
        let source = try take("source", required: true) ?? ""
        let type = try take("type", required: true) ?? ""
        let dataschema = try take("dataschema", required: false)
        let subject = try take("subject", required: false)
        let time = try take("time", required: false)
        var data: CloudEventData?
        if !body.isEmpty {
            if CloudEvent.isJSONMediaType(contentType) {
                do {
                    data = .json(try JSONValue.parse(body))
                } catch {
                    throw CloudEventError(.malformed, attribute: "data", "the body is not valid JSON but Content-Type says \(contentType ?? "application/json")")
                }
            } else {
                data = .binary(Array(body))
            }
        }
        let event = CloudEvent(
            id: id, source: source, type: type, specversion: specversion, datacontenttype: contentType,
            dataschema: dataschema, subject: subject, time: time, extensions: attributes.mapValues { .string($0) }, data: data)
        do {
            try event.validate()
        } catch {
            // Name what the sender wrote: the header (the body for data, Content-Type for datacontenttype).
            var named = error
            named.attribute = error.attribute.map { attribute in
                switch attribute {
                case "data": "data"
                case "datacontenttype": "Content-Type"
                default: "ce-\(attribute)"
                }
            }
            throw named
        }
        return event
    }

    /// Header value decoding (§3.1.3.2): unquote an RFC 7230 quoted-string, then one round of percent-decoding.
    ///
    /// Refused: a raw value with anything but printable ASCII and space (U+0020–U+007E: the binding has senders
    /// percent-encode everything else; a byte that was not valid UTF-8 arrives as U+FFFD and is refused too),
    /// percent-decoded bytes that are not valid UTF-8, and decoded control characters (U+0000–U+001F,
    /// U+007F–U+009F).
    public static func decodeHeaderValue(_ raw: String, header: String = "header") throws(CloudEventError) -> String {
        for scalar in raw.unicodeScalars where scalar.value < 0x20 || scalar.value > 0x7E {
            let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
            let what = scalar == "\u{FFFD}" ? "a byte that is not valid UTF-8 (read as U+FFFD)" : "\(code), which is not printable ASCII"
            throw CloudEventError(.invalid, attribute: header, "contains \(what): percent-encode it (%XY of its UTF-8 bytes), as the CloudEvents HTTP binding says")
        }
        var value = Substring(raw)
        if value.count >= 2, value.first == "\"", value.last == "\"" {
            var unquoted = ""
            var escaping = false
            for character in value.dropFirst().dropLast() {
                if escaping {
                    unquoted.append(character)
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else {
                    unquoted.append(character)
                }
            }
            value = Substring(unquoted)
        }
        guard value.contains("%") else { return String(value) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count)
        var iterator = value.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else {
                    throw CloudEventError(.invalid, attribute: header, "malformed percent-encoding (expected %XY with two hex digits)")
                }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw CloudEventError(.invalid, attribute: header, "percent-decoded value is not valid UTF-8")
        }
        for scalar in decoded.unicodeScalars where scalar.value < 0x20 || (scalar.value >= 0x7F && scalar.value <= 0x9F) {
            let code = "U+" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 4)
            throw CloudEventError(.invalid, attribute: header, "percent-decoded value contains the control character \(code)")
        }
        return decoded
    }

    /// Percent-encodes an attribute value for a `ce-` header (space, `"`, `%` and anything outside U+0021–U+007E).
    public static func encodeHeaderValue(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "%") {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// `application/cloudevents+json; charset=utf-8` → `application/cloudevents+json` (lower-cased).
    public static func mediaTypeEssence(_ contentType: String) -> String {
        (contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? "").trimmingCharacters(in: .whitespaces).lowercased()
    }

    private static func parseJSON(_ body: some Collection<UInt8>, uniqueKeysDepth: Int) throws(CloudEventError) -> JSONValue {
        guard !body.isEmpty else { throw CloudEventError(.malformed, "the body is empty") }
        do {
            return try JSONValue.parse(body, options: JSONParseOptions(uniqueKeysDepth: uniqueKeysDepth))
        } catch {
            if let key = error.duplicateKey {
                throw CloudEventError(.invalid, attribute: key, "appears more than once in the event")
            }
            throw CloudEventError(.malformed, "the body is not valid JSON")
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
