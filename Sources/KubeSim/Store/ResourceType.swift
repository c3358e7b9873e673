import PacerCore

/// Identifies a stored collection independent of the served version: API group plus plural resource name.
struct TypeKey: Hashable, Sendable, CustomStringConvertible {
    var group: String
    var resource: String
    /// `deployments.apps`, `namespaces` (the form the API server uses in messages).
    var description: String { group.isEmpty ? resource : "\(resource).\(group)" }
}

/// A subresource listed in discovery with its own group/version/kind (`serviceaccounts/token` → TokenRequest).
struct DiscoverySubresource: Sendable, Hashable {
    var name: String
    var group: String
    var version: String
    var kind: String
    var verbs: [String]
}

/// A printer column of a CRD version (`additionalPrinterColumns`) or of a built-in table.
struct PrinterColumn: Sendable, Hashable {
    var name: String
    var type: String
    var format: String
    var description: String
    var priority: Int
    var jsonPath: String
}

/// Everything the server knows about one resource type: names, scope, versions, schema, table columns.
struct ResourceType: Sendable {
    var group: String
    /// Served versions, storage version first.
    var versions: [String]
    var plural: String
    var singular: String
    var kind: String
    var listKind: String
    var namespaced: Bool
    var shortNames: [String]
    var categories: [String]
    var hasStatus: Bool
    var verbs: [String] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    /// `openAPIV3Schema` per version (custom resources only).
    var schemas: [String: JSONValue] = [:]
    var printerColumns: [String: [PrinterColumn]] = [:]
    /// True for types registered by a CustomResourceDefinition.
    var isCustom = false
    /// Subresources other than `status` listed in discovery (`serviceaccounts/token`).
    var extraSubresources: [DiscoverySubresource] = []

    var key: TypeKey { TypeKey(group: group, resource: plural) }
    var storageVersion: String { versions.first ?? "v1" }

    func apiVersion(_ version: String) -> String { group.isEmpty ? version : "\(group)/\(version)" }

    /// `Deployment.apps`, `Namespace`, `Widget.test.pacer.dev` (the qualified kind in Invalid messages).
    var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }

    func serves(_ version: String) -> Bool { versions.contains(version) }
}

extension PrinterColumn {
    /// Reads one `additionalPrinterColumns` entry of a CRD.
    init?(crdColumn: JSONValue) {
        guard let name = crdColumn["name"]?.stringValue, let path = crdColumn["jsonPath"]?.stringValue else { return nil }
        self.name = name
        self.type = crdColumn["type"]?.stringValue ?? "string"
        self.format = crdColumn["format"]?.stringValue ?? ""
        self.description = crdColumn["description"]?.stringValue ?? "Custom resource definition column (in JSONPath format): \(path)"
        self.priority = Int(crdColumn["priority"]?.intValue ?? 0)
        self.jsonPath = path
    }

    static let age = PrinterColumn(
        name: "Age", type: "date", format: "",
        description: "CreationTimestamp is a timestamp representing the server time when this object was created.",
        priority: 0, jsonPath: ".metadata.creationTimestamp")
}
