import PacerCore

/// OpenAPI v3 documents: enough for `kubectl apply` with its default (server-side) validation.
/// kubectl looks for a PATCH operation carrying `x-kubernetes-group-version-kind` and a
/// `fieldValidation` query parameter; custom resources also get their CRD schema as a component.
enum OpenAPIDocuments {
    static func groupVersions(_ types: [ResourceType]) -> [(group: String, version: String)] {
        var seen: Set<String> = []
        var result: [(String, String)] = []
        for type in types.sorted(by: { ($0.group, $0.plural) < ($1.group, $1.plural) }) {
            for version in type.versions where seen.insert("\(type.group)/\(version)").inserted {
                result.append((type.group, version))
            }
        }
        return result
    }

    static func prefix(group: String, version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    static func index(_ types: [ResourceType]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        for (group, version) in groupVersions(types) {
            let key = prefix(group: group, version: version)
            let hash = fnv1a((document(group: group, version: version, types) ?? .null).jsonBytes())
            paths[key] = ["serverRelativeURL": .string("/openapi/v3/\(key)?hash=\(hash)")]
        }
        return ["paths": .object(paths)]
    }

    /// `x.y.z` group reversed, as Kubernetes names its schema components (`dev.pacer.test.v1.Widget`).
    static func componentName(_ type: ResourceType, version: String, list: Bool = false) -> String {
        let group = type.group.isEmpty ? "io.k8s.api.core" : type.group.split(separator: ".").reversed().joined(separator: ".")
        return "\(group).\(version).\(list ? type.listKind : type.kind)"
    }

    static func document(group: String, version: String, _ types: [ResourceType]) -> JSONValue? {
        let matching = types.filter { $0.group == group && $0.serves(version) }
        guard !matching.isEmpty else { return nil }
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        let base = "/" + prefix(group: group, version: version)
        for type in matching {
            let gvk: JSONValue = ["group": .string(type.group), "version": .string(version), "kind": .string(type.kind)]
            let ref: JSONValue = ["$ref": .string("#/components/schemas/\(componentName(type, version: version))")]
            let collection = type.namespaced ? "\(base)/namespaces/{namespace}/\(type.plural)" : "\(base)/\(type.plural)"
            let item = "\(collection)/{name}"
            let pathParameters: [JSONValue] = (type.namespaced ? [parameter("namespace", in: "path")] : [])
            paths[collection] = [
                "parameters": .array(pathParameters),
                "get": operation("list", type, gvk, ref, writes: false),
                "post": operation("post", type, gvk, ref, writes: true),
                "delete": operation("deletecollection", type, gvk, ref, writes: false),
            ]
            paths[item] = [
                "parameters": .array(pathParameters + [parameter("name", in: "path")]),
                "get": operation("get", type, gvk, ref, writes: false),
                "put": operation("put", type, gvk, ref, writes: true),
                "patch": operation("patch", type, gvk, ref, writes: true),
                "delete": operation("delete", type, gvk, ref, writes: false),
            ]
            if type.hasStatus {
                paths["\(item)/status"] = [
                    "parameters": .array(pathParameters + [parameter("name", in: "path")]),
                    "get": operation("get", type, gvk, ref, writes: false),
                    "put": operation("put", type, gvk, ref, writes: true),
                    "patch": operation("patch", type, gvk, ref, writes: true),
                ]
            }
            if type.namespaced {
                paths["\(base)/\(type.plural)"] = ["get": operation("list", type, gvk, ref, writes: false)]
            }
            var schema = (type.isCustom ? type.schemas[version] : nil) ?? ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
            if type.isCustom {
                // Only custom resources carry a GVK-tagged schema: for built-ins kubectl then computes
                // strategic merge patches from its compiled-in types, which is what we want.
                schema["x-kubernetes-group-version-kind"] = [gvk]
                // As the apiserver publishes CRD schemas: with apiVersion, kind and metadata.
                var properties = schema["properties"]?.objectValue ?? [:]
                properties["apiVersion"] = ["type": "string"]
                properties["kind"] = ["type": "string"]
                properties["metadata"] = ["$ref": .string("#/components/schemas/\(objectMetaName)")]
                schema["properties"] = .object(properties)
                schemas[objectMetaName] = objectMeta
            }
            schemas[componentName(type, version: version)] = schema
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes", "version": "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": .object(schemas)],
        ]
    }

    static let objectMetaName = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

    static let objectMeta: JSONValue = [
        "type": "object",
        "properties": [
            "name": ["type": "string"], "generateName": ["type": "string"], "namespace": ["type": "string"],
            "uid": ["type": "string"], "resourceVersion": ["type": "string"], "generation": ["type": "integer", "format": "int64"],
            "creationTimestamp": ["type": "string", "format": "date-time"], "deletionTimestamp": ["type": "string", "format": "date-time"],
            "labels": ["type": "object", "additionalProperties": ["type": "string", "default": ""]],
            "annotations": ["type": "object", "additionalProperties": ["type": "string", "default": ""]],
            "finalizers": ["type": "array", "items": ["type": "string", "default": ""], "x-kubernetes-list-type": "set", "x-kubernetes-patch-strategy": "merge"],
            "ownerReferences": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true], "x-kubernetes-patch-merge-key": "uid", "x-kubernetes-patch-strategy": "merge"],
            "managedFields": ["type": "array", "items": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]],
        ],
    ]

    private static func parameter(_ name: String, in location: String) -> JSONValue {
        var json: JSONValue = ["name": .string(name), "in": .string(location), "schema": ["type": "string", "uniqueItems": true]]
        if location == "path" { json["required"] = true }
        return json
    }

    private static func operation(_ action: String, _ type: ResourceType, _ gvk: JSONValue, _ ref: JSONValue, writes: Bool) -> JSONValue {
        var parameters: [JSONValue] = [parameter("pretty", in: "query")]
        if writes {
            parameters += [parameter("dryRun", in: "query"), parameter("fieldManager", in: "query"), parameter("fieldValidation", in: "query")]
            if action == "patch" { parameters.append(parameter("force", in: "query")) }
        }
        var json: JSONValue = [
            "operationId": .string("\(action)\(type.kind)"),
            "x-kubernetes-action": .string(action),
            "x-kubernetes-group-version-kind": gvk,
            "parameters": .array(parameters),
            "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": ref]]]],
        ]
        if writes {
            // Strategic merge patch is only for built-in types (kubectl picks the patch type from this list).
            let patchTypes = ["application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json"]
                + (type.isCustom ? [] : ["application/strategic-merge-patch+json"])
            let contentTypes = action == "patch" ? patchTypes : ["application/json"]
            var content: [String: JSONValue] = [:]
            for contentType in contentTypes {
                content[contentType] = ["schema": action == "patch" ? ["type": "object"] : ref]
            }
            json["requestBody"] = ["content": .object(content), "required": true]
        }
        return json
    }

    private static func fnv1a(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        return String(hash, radix: 16, uppercase: true)
    }
}
