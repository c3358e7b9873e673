import PacerCore

/// Legacy discovery documents (`/version`, `/api`, `/apis`, `/apis/G`, `/api/v1`, `/apis/G/V`).
/// kubectl asks for aggregated discovery first; these lists, served as plain application/json, are a valid answer.
enum Discovery {
    static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-kube-sim", "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2024-01-01T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc", "platform": "linux/amd64",
    ]

    static func coreVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// Groups in a stable order (built-in first, then alphabetical), each with its served versions.
    static func groups(_ types: [ResourceType]) -> [(name: String, versions: [String])] {
        var versionsByGroup: [String: [String]] = [:]
        for type in types where !type.group.isEmpty {
            for version in type.versions where !(versionsByGroup[type.group]?.contains(version) ?? false) {
                versionsByGroup[type.group, default: []].append(version)
            }
        }
        return versionsByGroup.keys.sorted().map { ($0, versionsByGroup[$0] ?? []) }
    }

    static func groupJSON(_ name: String, _ versions: [String]) -> JSONValue {
        let list: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return [
            "kind": "APIGroup", "apiVersion": "v1", "name": .string(name), "versions": .array(list),
            "preferredVersion": list.first ?? .null,
        ]
    }

    static func groupList(_ types: [ResourceType]) -> JSONValue {
        let groups = groups(types).map { group -> JSONValue in
            var json = groupJSON(group.name, group.versions)
            json["kind"] = nil
            json["apiVersion"] = nil
            return json
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    static func resourceList(group: String, version: String, _ types: [ResourceType]) -> JSONValue? {
        let matching = types.filter { $0.group == group && $0.serves(version) }.sorted { $0.plural < $1.plural }
        guard !matching.isEmpty || (group.isEmpty && version == "v1") else { return nil }
        var resources: [JSONValue] = []
        for type in matching {
            var entry: [String: JSONValue] = [
                "name": .string(type.plural), "singularName": .string(type.singular), "namespaced": .bool(type.namespaced),
                "kind": .string(type.kind), "verbs": .array(type.verbs.map(JSONValue.string)),
            ]
            if !type.shortNames.isEmpty { entry["shortNames"] = .array(type.shortNames.map(JSONValue.string)) }
            if !type.categories.isEmpty { entry["categories"] = .array(type.categories.map(JSONValue.string)) }
            resources.append(.object(entry))
            if type.hasStatus {
                resources.append([
                    "name": .string("\(type.plural)/status"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "kind": .string(type.kind), "verbs": ["get", "patch", "update"],
                ])
            }
            for subresource in type.extraSubresources {
                resources.append([
                    "name": .string("\(type.plural)/\(subresource.name)"), "singularName": "", "namespaced": .bool(type.namespaced),
                    "group": .string(subresource.group), "version": .string(subresource.version), "kind": .string(subresource.kind),
                    "verbs": .array(subresource.verbs.map(JSONValue.string)),
                ])
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion), "resources": .array(resources)]
    }
}
