/// One event of a watch stream: `{"type": "ADDED", "object": {...}}`.
public enum WatchEvent<Object: Decodable & Sendable>: Sendable {
    case added(Object)
    case modified(Object)
    case deleted(Object)
    /// "All changes up to this resourceVersion were sent"; only the resume point is meaningful.
    case bookmark(WatchBookmark)
    /// An in-stream error (e.g. `410 Expired`); the server closes the stream after it.
    case error(Status)

    /// The wire name of the event type.
    public var typeName: String {
        switch self {
        case .added: "ADDED"
        case .modified: "MODIFIED"
        case .deleted: "DELETED"
        case .bookmark: "BOOKMARK"
        case .error: "ERROR"
        }
    }
}

/// The object of a `BOOKMARK` event: only metadata.resourceVersion (and annotations) matter.
public struct WatchBookmark: Codable, Sendable, Hashable {
    public var resourceVersion: String
    public var annotations: [String: String]

    public init(resourceVersion: String, annotations: [String: String] = [:]) {
        self.resourceVersion = resourceVersion
        self.annotations = annotations
    }

    /// True for the bookmark ending the initial events of a streaming list (`k8s.io/initial-events-end`).
    public var isInitialEventsEnd: Bool { annotations["k8s.io/initial-events-end"] == "true" }

    struct Wire: Codable {
        struct Meta: Codable {
            var resourceVersion: String?
            var annotations: [String: String]?
        }
        var metadata: Meta?
    }
}

/// Errors decoding a watch event.
public struct WatchEventDecodingError: Error, CustomStringConvertible {
    public var description: String
}

extension WatchEvent: Decodable {
    enum CodingKeys: String, CodingKey { case type, object }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let type = try container.decode(String.self, forKey: .type)
        switch type {
        case "ADDED": self = .added(try container.decode(Object.self, forKey: .object))
        case "MODIFIED": self = .modified(try container.decode(Object.self, forKey: .object))
        case "DELETED": self = .deleted(try container.decode(Object.self, forKey: .object))
        case "ERROR": self = .error(try container.decode(Status.self, forKey: .object))
        case "BOOKMARK":
            let wire = try container.decode(WatchBookmark.Wire.self, forKey: .object)
            guard let rv = wire.metadata?.resourceVersion else {
                throw DecodingError.dataCorruptedError(forKey: .object, in: container, debugDescription: "BOOKMARK without metadata.resourceVersion")
            }
            self = .bookmark(WatchBookmark(resourceVersion: rv, annotations: wire.metadata?.annotations ?? [:]))
        default:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown watch event type \(type)")
        }
    }
}
