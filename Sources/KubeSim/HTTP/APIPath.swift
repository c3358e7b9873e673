import Foundation

/// A request path, classified (K8s-concepts §Resource URIs).
enum APIPath: Equatable, Sendable {
    case version
    case health
    case coreVersions
    case groupList
    case group(String)
    case resourceList(group: String, version: String)
    case openAPIIndex
    case openAPIDocument(group: String, version: String)
    case openAPIV2
    case admin(String)
    case resource(ResourcePath)
    case unknown

    struct ResourcePath: Equatable, Sendable {
        var group: String
        var version: String
        var resource: String
        var namespace: String?
        var name: String?
        var subresource: String?
    }

    init(_ rawPath: String) {
        var path = rawPath
        while path.count > 1, path.hasSuffix("/") { path.removeLast() }
        let segments = path.split(separator: "/").map { $0.removingPercentEncoding ?? String($0) }
        switch segments.first {
        case nil: self = .unknown
        case "version": self = segments.count == 1 ? .version : .unknown
        case "healthz", "readyz", "livez": self = .health
        case "_sim": self = .admin(segments.dropFirst().joined(separator: "/"))
        case "openapi":
            if segments.count == 2, segments[1] == "v2" {
                self = .openAPIV2
            } else if segments.count == 2, segments[1] == "v3" {
                self = .openAPIIndex
            } else if segments.count == 4, segments[1] == "v3", segments[2] == "api" {
                self = .openAPIDocument(group: "", version: segments[3])
            } else if segments.count == 5, segments[1] == "v3", segments[2] == "apis" {
                self = .openAPIDocument(group: segments[3], version: segments[4])
            } else {
                self = .unknown
            }
        case "api":
            if segments.count == 1 { self = .coreVersions; return }
            self = Self.resourcePath(group: "", version: segments[1], rest: Array(segments.dropFirst(2)))
        case "apis":
            switch segments.count {
            case 1: self = .groupList
            case 2: self = .group(segments[1])
            default: self = Self.resourcePath(group: segments[1], version: segments[2], rest: Array(segments.dropFirst(3)))
            }
        default: self = .unknown
        }
    }

    private static func resourcePath(group: String, version: String, rest: [String]) -> APIPath {
        if rest.isEmpty { return .resourceList(group: group, version: version) }
        var path = ResourcePath(group: group, version: version, resource: "")
        var remaining = rest[...]
        // `namespaces/NS/RESOURCE/...`; `/api/v1/namespaces/NAME[/status]` is the namespace object itself.
        if remaining.first == "namespaces", remaining.count >= 3, !(group.isEmpty && remaining.count == 3 && ["status", "finalize"].contains(remaining[remaining.startIndex + 2])) {
            path.namespace = remaining[remaining.startIndex + 1]
            remaining = remaining.dropFirst(2)
        }
        guard let resource = remaining.first else { return .unknown }
        path.resource = resource
        remaining = remaining.dropFirst()
        if let name = remaining.first {
            path.name = name
            remaining = remaining.dropFirst()
        }
        if let subresource = remaining.first {
            path.subresource = subresource
            remaining = remaining.dropFirst()
        }
        return remaining.isEmpty ? .resource(path) : .unknown
    }
}
