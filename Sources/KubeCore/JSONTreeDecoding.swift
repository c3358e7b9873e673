import PacerCore

/// Types built straight from a parsed JSON tree (``JSONValue``, read by PacerCore's single-pass reader) instead of
/// through `JSONDecoder`. `KubeClient` takes this path for them: for ``DynamicObject`` it is many times cheaper than
/// `JSONDecoder` building a `JSONValue` one `try`-each-type container at a time.
public protocol JSONTreeDecodable {
    init(jsonTree: JSONValue) throws
}

/// A value of the wrong JSON type where a Kubernetes object has a typed field.
public struct JSONTreeDecodingError: Error, CustomStringConvertible {
    public var description: String
}

extension JSONValue {
    /// The field as a string; nil when absent or null; throws when it is another type.
    func string(_ key: String, in what: String) throws(JSONTreeDecodingError) -> String? {
        switch self[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw JSONTreeDecodingError(description: "\(what).\(key): expected a string, got \(other.typeName)")
        }
    }

    func requiredString(_ key: String, in what: String) throws(JSONTreeDecodingError) -> String {
        guard let text = try string(key, in: what) else { throw JSONTreeDecodingError(description: "\(what).\(key): missing") }
        return text
    }

    func bool(_ key: String, in what: String) throws(JSONTreeDecodingError) -> Bool? {
        switch self[key] {
        case nil, .null?: return nil
        case .bool(let flag)?: return flag
        case let other?: throw JSONTreeDecodingError(description: "\(what).\(key): expected a boolean, got \(other.typeName)")
        }
    }

    func int64(_ key: String, in what: String) throws(JSONTreeDecodingError) -> Int64? {
        switch self[key] {
        case nil, .null?: return nil
        case let value?:
            guard let int = value.intValue else { throw JSONTreeDecodingError(description: "\(what).\(key): expected an integer, got \(value.typeName)") }
            return int
        }
    }

    func stringMap(_ key: String, in what: String) throws(JSONTreeDecodingError) -> [String: String]? {
        switch self[key] {
        case nil, .null?: return nil
        case .object(let members)?:
            var map: [String: String] = [:]
            map.reserveCapacity(members.count)
            for (name, value) in members {
                guard case .string(let text) = value else {
                    throw JSONTreeDecodingError(description: "\(what).\(key).\(name): expected a string, got \(value.typeName)")
                }
                map[name] = text
            }
            return map
        case let other?: throw JSONTreeDecodingError(description: "\(what).\(key): expected an object, got \(other.typeName)")
        }
    }

    func array(_ key: String, in what: String) throws(JSONTreeDecodingError) -> [JSONValue]? {
        switch self[key] {
        case nil, .null?: return nil
        case .array(let items)?: return items
        case let other?: throw JSONTreeDecodingError(description: "\(what).\(key): expected an array, got \(other.typeName)")
        }
    }

    func time(_ key: String, in what: String) throws(JSONTreeDecodingError) -> KubeTime? {
        guard let text = try string(key, in: what) else { return nil }
        guard let date = RFC3339.parse(text) else { throw JSONTreeDecodingError(description: "\(what).\(key): not an RFC 3339 time: \(text)") }
        return KubeTime(date)
    }
}

extension ObjectMeta {
    /// The same fields, and the same refusals, as the `Codable` decoding (unknown keys ignored, null as absent).
    public init(jsonTree json: JSONValue) throws {
        guard case .object = json else { throw JSONTreeDecodingError(description: "metadata: expected an object, got \(json.typeName)") }
        let what = "metadata"
        self.init(
            name: try json.string("name", in: what), namespace: try json.string("namespace", in: what),
            generateName: try json.string("generateName", in: what), labels: try json.stringMap("labels", in: what),
            annotations: try json.stringMap("annotations", in: what), resourceVersion: try json.string("resourceVersion", in: what),
            uid: try json.string("uid", in: what), generation: try json.int64("generation", in: what),
            creationTimestamp: try json.time("creationTimestamp", in: what), deletionTimestamp: try json.time("deletionTimestamp", in: what),
            finalizers: try json.array("finalizers", in: what).map { items throws(JSONTreeDecodingError) in
                var finalizers: [String] = []
                for item in items {
                    guard case .string(let text) = item else { throw JSONTreeDecodingError(description: "metadata.finalizers: expected strings") }
                    finalizers.append(text)
                }
                return finalizers
            },
            ownerReferences: try json.array("ownerReferences", in: what).map { items throws(JSONTreeDecodingError) in
                var references: [OwnerReference] = []
                for item in items {
                    let where_ = "metadata.ownerReferences[]"
                    guard case .object = item else { throw JSONTreeDecodingError(description: "\(where_): expected an object") }
                    references.append(OwnerReference(
                        apiVersion: try item.requiredString("apiVersion", in: where_), kind: try item.requiredString("kind", in: where_),
                        name: try item.requiredString("name", in: where_), uid: try item.requiredString("uid", in: where_),
                        controller: try item.bool("controller", in: where_), blockOwnerDeletion: try item.bool("blockOwnerDeletion", in: where_)))
                }
                return references
            })
    }
}

extension DynamicObject: JSONTreeDecodable {
    public init(jsonTree: JSONValue) throws { try self.init(jsonTree) }
}

extension ListMeta {
    init(jsonTree json: JSONValue) throws {
        let what = "list metadata"
        self.init(
            resourceVersion: try json.string("resourceVersion", in: what), continue: try json.string("continue", in: what),
            remainingItemCount: try json.int64("remainingItemCount", in: what))
    }
}

extension ObjectList: JSONTreeDecodable where Item: JSONTreeDecodable {
    public init(jsonTree json: JSONValue) throws {
        guard case .object = json else { throw JSONTreeDecodingError(description: "a list must be an object, got \(json.typeName)") }
        let metadata = try json["metadata"].map { value -> ListMeta in
            if case .null = value { return ListMeta() }
            return try ListMeta(jsonTree: value)
        } ?? ListMeta()
        let items = try json.array("items", in: "list") ?? []
        self.init(metadata: metadata, items: try items.map { try Item(jsonTree: $0) })
    }
}

extension WatchEvent: JSONTreeDecodable where Object: JSONTreeDecodable {
    public init(jsonTree json: JSONValue) throws {
        let type = try json.requiredString("type", in: "watch event")
        guard let object = json["object"] else { throw JSONTreeDecodingError(description: "watch event: no object") }
        switch type {
        case "ADDED": self = .added(try Object(jsonTree: object))
        case "MODIFIED": self = .modified(try Object(jsonTree: object))
        case "DELETED": self = .deleted(try Object(jsonTree: object))
        case "ERROR": self = .error(try object.decode(as: Status.self))
        case "BOOKMARK":
            guard let rv = try object["metadata"]?.string("resourceVersion", in: "bookmark metadata") else {
                throw JSONTreeDecodingError(description: "BOOKMARK without metadata.resourceVersion")
            }
            self = .bookmark(WatchBookmark(resourceVersion: rv, annotations: try object["metadata"]?.stringMap("annotations", in: "bookmark metadata") ?? [:]))
        default:
            throw JSONTreeDecodingError(description: "unknown watch event type \(type)")
        }
    }
}
