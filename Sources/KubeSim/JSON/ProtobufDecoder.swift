import Foundation
import PacerCore

/// Decodes the Kubernetes protobuf envelope (`k8s\0` + runtime.Unknown) for the built-in kinds that
/// kubectl's typed clients POST/PUT as `application/vnd.kubernetes.protobuf` (client-go has no JSON
/// fallback for protobuf). Only the fields of Namespace, ConfigMap, Event, Lease and Deployment
/// (with its pod template) are known; other fields are skipped. Empty/zero values are dropped, as
/// Go's `omitempty` JSON would.
enum ProtobufDecoder {
    indirect enum FieldType: Sendable {
        case string, bool, int, bytes, time, microTime, quantity, intOrString
        case message([Int: Field])
        case map(FieldType)
    }

    struct Field: Sendable {
        var name: String
        var type: FieldType
        var repeated = false
        var keepZero = false
        init(_ name: String, _ type: FieldType, repeated: Bool = false, keepZero: Bool = false) {
            self.name = name
            self.type = type
            self.repeated = repeated
            self.keepZero = keepZero
        }
    }

    struct DecodeError: Error, CustomStringConvertible {
        var description: String
    }

    static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        guard bytes.count >= 4, Array(bytes[0..<4]) == [0x6B, 0x38, 0x73, 0x00] else { throw DecodeError(description: "missing k8s protobuf magic") }
        var reader = Reader(bytes: bytes, index: 4, end: bytes.count)
        var apiVersion = ""
        var kind = ""
        var raw: (Int, Int)?
        while let (number, wire) = try reader.tag() {
            if number == 1, wire == 2 {
                let (start, end) = try reader.lengthDelimited()
                var meta = Reader(bytes: bytes, index: start, end: end)
                while let (n, w) = try meta.tag() {
                    if w == 2, n == 1 || n == 2 {
                        let (s, e) = try meta.lengthDelimited()
                        let text = String(decoding: bytes[s..<e], as: UTF8.self)
                        if n == 1 { apiVersion = text } else { kind = text }
                    } else {
                        try meta.skip(w)
                    }
                }
            } else if number == 2, wire == 2 {
                raw = try reader.lengthDelimited()
            } else {
                try reader.skip(wire)
            }
        }
        guard let raw, let schema = schemas[kind] else { throw DecodeError(description: "unsupported protobuf kind \"\(kind)\"") }
        var object = try decodeMessage(bytes, raw.0, raw.1, schema).objectValue ?? [:]
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return .object(object)
    }

    private static func decodeMessage(_ bytes: [UInt8], _ start: Int, _ end: Int, _ schema: [Int: Field]) throws -> JSONValue {
        var reader = Reader(bytes: bytes, index: start, end: end)
        var object: [String: JSONValue] = [:]
        while let (number, wire) = try reader.tag() {
            guard let field = schema[number] else {
                try reader.skip(wire)
                continue
            }
            let value = try decodeValue(&reader, wire: wire, field.type)
            if field.repeated {
                object[field.name] = .array((object[field.name]?.arrayValue ?? []) + [value])
            } else if case .map = field.type, let entry = value.objectValue {
                object[field.name] = .object((object[field.name]?.objectValue ?? [:]).merging(entry) { $1 })
            } else if !isEmpty(value) || (field.keepZero && value.intValue != nil) {
                object[field.name] = value
            }
        }
        return .object(object.filter { entry in
            !isEmpty(entry.value) || (schema.values.first { $0.name == entry.key }?.keepZero ?? false)
        })
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        case .double(let d): return d == 0
        }
    }

    private static func decodeValue(_ reader: inout Reader, wire: Int, _ type: FieldType) throws -> JSONValue {
        switch type {
        case .int:
            guard wire == 0 else { throw DecodeError(description: "expected varint") }
            return .int(Int64(bitPattern: try reader.varint()))
        case .bool:
            guard wire == 0 else { throw DecodeError(description: "expected varint") }
            return .bool(try reader.varint() != 0)
        case .string, .bytes:
            let (s, e) = try reader.lengthDelimited()
            if case .bytes = type { return .string(Data(reader.bytes[s..<e]).base64EncodedString()) }
            return .string(String(decoding: reader.bytes[s..<e], as: UTF8.self))
        case .message(let schema):
            let (s, e) = try reader.lengthDelimited()
            return try decodeMessage(reader.bytes, s, e, schema)
        case .time, .microTime:
            let (s, e) = try reader.lengthDelimited()
            let t = try decodeMessage(reader.bytes, s, e, [1: Field("seconds", .int), 2: Field("nanos", .int)])
            guard let seconds = t["seconds"]?.intValue, seconds != 0 else { return .null }
            let date = Date(timeIntervalSince1970: Double(seconds) + Double(t["nanos"]?.intValue ?? 0) / 1e9)
            if case .microTime = type { return .string(RFC3339.format(date, fractionalDigits: 6)) }
            return .string(RFC3339.format(date, fractionalDigits: 0))
        case .quantity:
            let (s, e) = try reader.lengthDelimited()
            return try decodeMessage(reader.bytes, s, e, [1: Field("string", .string)])["string"] ?? .null
        case .intOrString:
            let (s, e) = try reader.lengthDelimited()
            let v = try decodeMessage(reader.bytes, s, e, [1: Field("type", .int), 2: Field("intVal", .int), 3: Field("strVal", .string)])
            return v["type"]?.intValue == 1 ? (v["strVal"] ?? "") : .int(v["intVal"]?.intValue ?? 0)
        case .map(let valueType):
            let (s, e) = try reader.lengthDelimited()
            var entry = Reader(bytes: reader.bytes, index: s, end: e)
            var key = ""
            var value: JSONValue = valueType.isString ? "" : .null
            while let (n, w) = try entry.tag() {
                if n == 1 {
                    let (ks, ke) = try entry.lengthDelimited()
                    key = String(decoding: entry.bytes[ks..<ke], as: UTF8.self)
                } else if n == 2 {
                    value = try decodeValue(&entry, wire: w, valueType)
                } else {
                    try entry.skip(w)
                }
            }
            return [key: value]
        }
    }

    struct Reader {
        let bytes: [UInt8]
        var index: Int
        let end: Int

        mutating func varint() throws -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while index < end {
                let byte = bytes[index]
                index += 1
                result |= UInt64(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return result }
                shift += 7
                if shift > 63 { break }
            }
            throw DecodeError(description: "truncated varint")
        }

        mutating func tag() throws -> (Int, Int)? {
            guard index < end else { return nil }
            let key = try varint()
            return (Int(key >> 3), Int(key & 7))
        }

        mutating func lengthDelimited() throws -> (Int, Int) {
            let length = Int(try varint())
            guard length >= 0, index + length <= end else { throw DecodeError(description: "truncated field") }
            defer { index += length }
            return (index, index + length)
        }

        mutating func skip(_ wire: Int) throws {
            switch wire {
            case 0: _ = try varint()
            case 1: index += 8
            case 2: _ = try lengthDelimited()
            case 5: index += 4
            default: throw DecodeError(description: "unsupported wire type \(wire)")
            }
            guard index <= end else { throw DecodeError(description: "truncated field") }
        }
    }
}

extension ProtobufDecoder.FieldType {
    var isString: Bool {
        if case .string = self { return true }
        return false
    }
}
