import PacerCore

/// An untyped object (custom resources): the whole JSON body, with its metadata decoded.
///
/// The raw JSON is the source of truth; setting ``metadata`` rewrites only the keys
/// ``ObjectMeta`` models and keeps every other metadata key (managedFields, ...).
public struct DynamicObject: KubernetesResource, Hashable {
    public private(set) var raw: JSONValue
    public var metadata: ObjectMeta {
        didSet { raw = Self.merge(metadata, into: raw) }
    }

    /// Wraps a JSON object; throws when it is not an object or its metadata is malformed.
    public init(_ raw: JSONValue) throws {
        guard case .object = raw else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a Kubernetes object must be a JSON object, got \(raw.typeName)"))
        }
        self.raw = raw
        self.metadata = try raw["metadata"].map { value in
            if case .null = value { return ObjectMeta() }
            return try ObjectMeta(jsonTree: value)
        } ?? ObjectMeta()
    }

    public init(from decoder: any Decoder) throws {
        try self.init(JSONValue(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try raw.encode(to: encoder)
    }

    public var apiVersion: String? { raw["apiVersion"]?.stringValue }
    public var kind: String? { raw["kind"]?.stringValue }

    /// Reads or replaces a top-level field (`spec`, `status`, ...). Setting `metadata` here is not allowed; use ``metadata``.
    public subscript(field: String) -> JSONValue? {
        get { raw[field] }
        set {
            guard field != "metadata" else { return }
            raw[field] = newValue
        }
    }

    static func merge(_ metadata: ObjectMeta, into raw: JSONValue) -> JSONValue {
        var existing = raw["metadata"]?.objectValue ?? [:]
        let encoded = (try? JSONValue(encoding: metadata))?.objectValue ?? [:]
        for key in ObjectMeta.modeledKeys {
            existing[key] = encoded[key]
        }
        var result = raw
        result["metadata"] = .object(existing)
        return result
    }
}
