import Foundation
import PacerCore

/// Renders stored objects for one request: plain JSON in the requested version, a Table, or
/// PartialObjectMetadata. Plain JSON reuses the bytes serialised at commit time.
struct Renderer: Sendable {
    let type: ResourceType
    let version: String
    let format: OutputFormat
    let table: TableConverter?

    init(type: ResourceType, version: String, format: OutputFormat, includeObject: String?) {
        self.type = type
        self.version = version
        self.format = format
        if case .table(let apiVersion) = format {
            table = TableConverter(
                type: type, version: version, apiVersion: apiVersion,
                includeObject: includeObject.flatMap(TableConverter.IncludeObject.init(rawValue:)) ?? .metadata)
        } else {
            table = nil
        }
    }

    private var needsConversion: Bool { version != type.storageVersion }

    /// The object as JSON bytes in the requested version.
    func objectBytes(_ value: JSONValue, bytes: [UInt8]) -> [UInt8] {
        guard needsConversion else { return bytes }
        var copy = value
        copy["apiVersion"] = .string(type.apiVersion(version))
        return copy.jsonBytes()
    }

    func single(_ value: JSONValue, bytes: [UInt8]) -> [UInt8] {
        switch format {
        case .json: return objectBytes(value, bytes: bytes)
        case .partialMetadata: return (TableConverter.partialMetadata(value)).jsonBytes()
        case .table:
            let rv = value["metadata"]?["resourceVersion"]?.stringValue ?? ""
            return (table?.table([value], resourceVersion: rv, continueToken: nil) ?? .null).jsonBytes()
        }
    }

    func list(_ page: ObjectStore.ListPage) -> [UInt8] {
        var metadata: [String: JSONValue] = ["resourceVersion": .string(String(page.resourceVersion))]
        if let token = page.continueToken { metadata["continue"] = .string(token) }
        if let remaining = page.remainingItemCount { metadata["remainingItemCount"] = .int(Int64(remaining)) }
        switch format {
        case .table:
            return (table?.table(page.items.map(\.value), resourceVersion: String(page.resourceVersion), continueToken: page.continueToken) ?? .null)
                .jsonBytes()
        case .partialMetadata:
            let list: JSONValue = [
                "kind": "PartialObjectMetadataList", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
                "items": .array(page.items.map { TableConverter.partialMetadata($0.value) }),
            ]
            return list.jsonBytes()
        case .json:
            var out: [UInt8] = []
            out.reserveCapacity(page.items.reduce(256) { $0 + $1.bytes.count + 1 })
            out += Array("{\"apiVersion\":".utf8)
            JSONValue.appendJSONString(type.apiVersion(version), to: &out)
            out += Array(",\"items\":[".utf8)
            for (index, item) in page.items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                out += objectBytes(item.value, bytes: item.bytes)
            }
            out += Array("],\"kind\":".utf8)
            JSONValue.appendJSONString(type.listKind, to: &out)
            out += Array(",\"metadata\":".utf8)
            JSONValue.object(metadata).appendJSON(to: &out)
            out.append(UInt8(ascii: "}"))
            return out
        }
    }

    /// One watch event line: `{"type":"ADDED","object":{...}}\n`.
    func watchEvent(_ eventType: String, _ value: JSONValue, bytes: [UInt8]?) -> [UInt8] {
        var out = Array("{\"type\":".utf8)
        JSONValue.appendJSONString(eventType, to: &out)
        out += Array(",\"object\":".utf8)
        switch format {
        case .json:
            if let bytes { out += objectBytes(value, bytes: bytes) } else { value.appendJSON(to: &out) }
        case .partialMetadata:
            TableConverter.partialMetadata(value).appendJSON(to: &out)
        case .table:
            let rv = value["metadata"]?["resourceVersion"]?.stringValue ?? ""
            (table?.table([value], resourceVersion: rv, continueToken: nil) ?? .null).appendJSON(to: &out)
        }
        out += Array("}\n".utf8)
        return out
    }

    func bookmark(_ resourceVersion: Int64, initialEventsEnd: Bool = false) -> [UInt8] {
        var metadata: JSONValue = ["resourceVersion": .string(String(resourceVersion))]
        if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
        let object: JSONValue
        if case .table(let apiVersion) = format {
            object = ["kind": "Table", "apiVersion": .string(apiVersion), "metadata": metadata, "columnDefinitions": [], "rows": []]
        } else {
            object = ["kind": .string(type.kind), "apiVersion": .string(type.apiVersion(version)), "metadata": metadata]
        }
        var out = Array("{\"type\":\"BOOKMARK\",\"object\":".utf8)
        object.appendJSON(to: &out)
        out += Array("}\n".utf8)
        return out
    }

    func errorEvent(_ error: APIError) -> [UInt8] {
        var out = Array("{\"type\":\"ERROR\",\"object\":".utf8)
        (error.status).appendJSON(to: &out)
        out += Array("}\n".utf8)
        return out
    }
}
