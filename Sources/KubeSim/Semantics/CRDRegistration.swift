import PacerCore

/// Turns CustomResourceDefinitions into served resource types, and fills in the CRD status the
/// apiextensions controllers would write (Established, NamesAccepted, acceptedNames, storedVersions).
enum CRDRegistration {
    static func crdType() -> ResourceType {
        ResourceType(
            group: "apiextensions.k8s.io", versions: ["v1"], plural: "customresourcedefinitions", singular: "customresourcedefinition",
            kind: "CustomResourceDefinition", listKind: "CustomResourceDefinitionList", namespaced: false, shortNames: ["crd", "crds"],
            categories: ["api-extensions"], hasStatus: true)
    }

    /// Validates the CRD and sets its status; throws 422 Invalid with field causes.
    static func accept(_ crd: JSONValue) throws -> JSONValue {
        var errors: [FieldError] = []
        let spec = crd["spec"] ?? .null
        let group = spec["group"]?.stringValue ?? ""
        let names = spec["names"] ?? .null
        let plural = names["plural"]?.stringValue ?? ""
        let kind = names["kind"]?.stringValue ?? ""
        let name = crd["metadata"]?["name"]?.stringValue ?? ""
        if group.isEmpty { errors.append(.required("spec.group")) }
        if plural.isEmpty { errors.append(.required("spec.names.plural")) }
        if kind.isEmpty { errors.append(.required("spec.names.kind")) }
        if !group.isEmpty, !plural.isEmpty, name != "\(plural).\(group)" {
            errors.append(.invalid("metadata.name", .string(name), "must be spec.names.plural+\".\"+spec.group"))
        }
        let scope = spec["scope"]?.stringValue ?? ""
        if scope != "Namespaced", scope != "Cluster" {
            errors.append(.notSupported("spec.scope", .string(scope), ["Cluster", "Namespaced"]))
        }
        let versions = spec["versions"]?.arrayValue ?? []
        if versions.isEmpty { errors.append(.required("spec.versions")) }
        let storage = versions.filter { $0["storage"]?.boolValue == true }
        if !versions.isEmpty, storage.count != 1 {
            errors.append(.invalid("spec.versions", .array(versions), "must have exactly one version marked as storage version"))
        }
        if !errors.isEmpty {
            throw APIError.invalid(crdType(), name, errors)
        }
        var accepted = names
        if accepted["singular"]?.stringValue?.isEmpty ?? true { accepted["singular"] = .string(kind.lowercased()) }
        if accepted["listKind"]?.stringValue?.isEmpty ?? true { accepted["listKind"] = .string(kind + "List") }
        var result = crd
        result["spec"]?["names"] = accepted
        let now = StoreState.now()
        let storageName = storage.first?["name"] ?? .null
        let existingStored = crd["status"]?["storedVersions"]?.arrayValue ?? []
        let conditions: JSONValue = [
            ["type": "NamesAccepted", "status": "True", "reason": "NoConflicts", "message": "no conflicts found", "lastTransitionTime": .string(now)],
            ["type": "Established", "status": "True", "reason": "InitialNamesAccepted", "message": "the initial names have been accepted", "lastTransitionTime": .string(now)],
        ]
        let previous = crd["status"]?["conditions"]
        result["status"] = [
            "conditions": sameConditions(previous, conditions) ? (previous ?? conditions) : conditions,
            "acceptedNames": accepted,
            "storedVersions": .array(existingStored.contains(storageName) ? existingStored : existingStored + [storageName]),
        ]
        return result
    }

    /// Keeps the old transition times when the condition statuses did not change (no-op updates stay no-ops).
    private static func sameConditions(_ old: JSONValue?, _ new: JSONValue) -> Bool {
        guard let old = old?.arrayValue, let new = new.arrayValue, old.count == new.count else { return false }
        return zip(old, new).allSatisfy { $0["type"] == $1["type"] && $0["status"] == $1["status"] }
    }

    static func resourceType(from crd: JSONValue) throws -> ResourceType {
        let spec = crd["spec"] ?? .null
        let names = spec["names"] ?? .null
        let versions = spec["versions"]?.arrayValue ?? []
        let served = versions.filter { $0["served"]?.boolValue ?? true }
        let storageFirst = served.sorted { ($0["storage"]?.boolValue == true ? 0 : 1) < ($1["storage"]?.boolValue == true ? 0 : 1) }
        var type = ResourceType(
            group: spec["group"]?.stringValue ?? "", versions: storageFirst.compactMap { $0["name"]?.stringValue },
            plural: names["plural"]?.stringValue ?? "", singular: names["singular"]?.stringValue ?? "",
            kind: names["kind"]?.stringValue ?? "", listKind: names["listKind"]?.stringValue ?? "",
            namespaced: spec["scope"]?.stringValue == "Namespaced",
            shortNames: names["shortNames"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            categories: names["categories"]?.arrayValue?.compactMap(\.stringValue) ?? [],
            hasStatus: false, isCustom: true)
        for version in served {
            guard let name = version["name"]?.stringValue else { continue }
            if version["subresources"]?["status"] != nil { type.hasStatus = true }
            if let schema = version["schema"]?["openAPIV3Schema"] { type.schemas[name] = schema }
            let columns = version["additionalPrinterColumns"]?.arrayValue?.compactMap(PrinterColumn.init(crdColumn:)) ?? []
            type.printerColumns[name] = columns.isEmpty ? [PrinterColumn.age] : columns
        }
        return type
    }
}
