import PacerCore

/// One `rbac.authorization.k8s.io/v1` PolicyRule and its matching rules (k8s.io/kubernetes `pkg/apis/rbac/v1/evaluation_helpers.go`).
struct PolicyRule: Sendable, Hashable {
    var verbs: [String]
    var apiGroups: [String]
    var resources: [String]
    var resourceNames: [String]
    var nonResourceURLs: [String]

    init(_ json: JSONValue) {
        func strings(_ key: String) -> [String] { json[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        verbs = strings("verbs")
        apiGroups = strings("apiGroups")
        resources = strings("resources")
        resourceNames = strings("resourceNames")
        nonResourceURLs = strings("nonResourceURLs")
    }

    func allows(_ request: RequestAttributes) -> Bool {
        guard verbs.contains("*") || verbs.contains(request.verb) else { return false }
        if request.isResourceRequest {
            return (apiGroups.contains("*") || apiGroups.contains(request.group))
                && resourceMatches(request.combinedResource, subresource: request.subresource)
                && (resourceNames.isEmpty || resourceNames.contains(request.name))
        }
        return nonResourceURLs.contains { url in
            url == "*" || url == request.path || (url.hasSuffix("*") && request.path.hasPrefix(String(url.dropLast())))
        }
    }

    /// `*`, the exact `resource[/subresource]`, or `*/subresource`.
    private func resourceMatches(_ combined: String, subresource: String) -> Bool {
        resources.contains { rule in
            rule == "*" || rule == combined || (!subresource.isEmpty && rule == "*/\(subresource)")
        }
    }
}
