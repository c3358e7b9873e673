import Foundation
import PacerCore

/// create / update / patch / delete with the documented API semantics (run under the store lock).
extension StoreState {
    static func now() -> String { RFC3339.format(Date(), fractionalDigits: 0) }

    // MARK: Create

    mutating func create(_ type: ResourceType, version: String, namespace: String?, body: JSONValue, options: WriteOptions) throws -> WriteResult {
        guard case .object = body else { throw APIError.badRequest("the body of the request must be a JSON object") }
        var object = try checkTypeMeta(type, version: version, body: body)
        var meta = object["metadata"]?.objectValue ?? [:]
        let ns = try resolveNamespace(type, urlNamespace: namespace, bodyNamespace: meta["namespace"]?.stringValue)
        if let ns { meta["namespace"] = .string(ns) } else { meta["namespace"] = nil }
        var name = meta["name"]?.stringValue ?? ""
        if name.isEmpty {
            guard let prefix = meta["generateName"]?.stringValue, !prefix.isEmpty else {
                throw APIError.invalid(type, "", [FieldError(kind: .required, field: "metadata.name", detail: "Required value: name or generateName is required")])
            }
            name = Self.generatedName(prefix)
        }
        meta["name"] = .string(name)
        try Self.validateName(type, name)
        if let ns, type.key != Self.namespacesKey, !namespaceExists(ns) { throw APIError.namespaceNotFound(ns) }
        if stored(type.key, namespace: ns ?? "", name: name) != nil { throw APIError.alreadyExists(type.key, name) }

        meta["uid"] = .string(UUID().uuidString.lowercased())
        meta["creationTimestamp"] = .string(Self.now())
        meta["generation"] = 1
        meta["resourceVersion"] = nil
        meta["deletionTimestamp"] = nil
        meta["deletionGracePeriodSeconds"] = nil
        meta["managedFields"] = nil
        object["metadata"] = .object(meta)
        if type.hasStatus, !options.internalWrite { object["status"] = nil }

        var warnings: [String] = []
        object = try prepare(type, version: version, object: object, name: name, options: options, warnings: &warnings)
        if type.key == Self.crdKey { object = try CRDRegistration.accept(object) }
        BuiltinTypes.templateGeneration(type.key, old: nil, new: &object)
        if options.dryRun { return WriteResult(object: object, bytes: object.jsonBytes(), warnings: warnings, httpStatus: 201) }
        let stored = commitPut(type.key, namespace: ns ?? "", name: name, value: object, old: nil)
        if type.key == Self.crdKey { register(try CRDRegistration.resourceType(from: stored.value)) }
        return WriteResult(object: stored.value, bytes: stored.bytes, warnings: warnings, httpStatus: 201)
    }

    // MARK: Update (PUT, and the last step of every patch)

    mutating func update(
        _ type: ResourceType, version: String, namespace: String?, name: String, body: JSONValue, subresource: String?,
        options: WriteOptions
    ) throws -> WriteResult {
        guard case .object = body else { throw APIError.badRequest("the body of the request must be a JSON object") }
        let ns = type.namespaced ? (namespace ?? "") : ""
        guard let current = stored(type.key, namespace: ns, name: name) else { throw APIError.notFound(type.key, name) }
        var object = try checkTypeMeta(type, version: version, body: body)
        if let bodyName = object["metadata"]?["name"]?.stringValue, !bodyName.isEmpty, bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        if let bodyNS = object["metadata"]?["namespace"]?.stringValue, !bodyNS.isEmpty, type.namespaced, bodyNS != ns {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        if let rv = object["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty, rv != String(current.resourceVersion) {
            throw APIError.conflict(type.key, name)
        }
        let old = current.value
        if subresource == "status" {
            var merged = old
            merged["status"] = object["status"]
            object = merged
        } else {
            if type.hasStatus, !options.internalWrite { object["status"] = old["status"] }
            var meta = object["metadata"]?.objectValue ?? [:]
            for key in ["uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "namespace", "name"] {
                meta[key] = old["metadata"]?[key]
            }
            meta["managedFields"] = nil
            object["metadata"] = .object(meta)
        }
        var warnings: [String] = []
        object = try prepare(type, version: version, object: object, name: name, options: options, warnings: &warnings)
        if type.key == Self.crdKey { object = try CRDRegistration.accept(object) }

        // generation: bumped when anything but metadata (and status, for types with a status subresource) changes.
        let generation = old["metadata"]?["generation"]?.intValue ?? 1
        let specChanged = Self.specPart(old, type) != Self.specPart(object, type)
        object["metadata"]?["generation"] = .int(specChanged ? generation + 1 : generation)
        BuiltinTypes.templateGeneration(type.key, old: old, new: &object)
        object["metadata"]?["resourceVersion"] = .string(String(current.resourceVersion))

        if object == old { return WriteResult(object: current.value, bytes: current.bytes, warnings: warnings) }
        if options.dryRun { return WriteResult(object: object, bytes: object.jsonBytes(), warnings: warnings) }

        // Finalizers all removed from an object that is being deleted: delete it now.
        if old["metadata"]?["deletionTimestamp"] != nil, (object["metadata"]?["finalizers"]?.arrayValue ?? []).isEmpty {
            let deleted = finishDelete(type, namespace: ns, name: name, last: object)
            return WriteResult(object: deleted.value, bytes: deleted.bytes, warnings: warnings)
        }
        let stored = commitPut(type.key, namespace: ns, name: name, value: object, old: old)
        if type.key == Self.crdKey { register(try CRDRegistration.resourceType(from: stored.value)) }
        return WriteResult(object: stored.value, bytes: stored.bytes, warnings: warnings)
    }

    // MARK: Patch

    mutating func patch(
        _ type: ResourceType, version: String, namespace: String?, name: String, patchType: PatchType, body: [UInt8],
        subresource: String?, options: WriteOptions
    ) throws -> WriteResult {
        let ns = type.namespaced ? (namespace ?? "") : ""
        let patchDocument: JSONValue
        do {
            if patchType == .apply {
                patchDocument = try YAML.document(String(decoding: body, as: UTF8.self))
            } else {
                patchDocument = try JSONValue.parse(body)
            }
        } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
        guard let current = stored(type.key, namespace: ns, name: name) else {
            guard patchType == .apply, subresource == nil else { throw APIError.notFound(type.key, name) }
            guard options.fieldManager?.isEmpty == false else {
                throw APIError.invalid(type, name, [FieldError(kind: .required, field: "fieldManager", detail: "Required value: is required for apply patch")])
            }
            var object = patchDocument
            if object["metadata"] == nil { object["metadata"] = [:] }
            object["metadata"]?["name"] = .string(name)
            return try create(type, version: version, namespace: namespace, body: object, options: options)
        }
        var target = current.value
        target["apiVersion"] = .string(type.apiVersion(version))
        let patched: JSONValue
        switch patchType {
        case .merge:
            patched = Patches.mergePatch(target, patchDocument)
        case .json:
            do { patched = try Patches.jsonPatch(target, patchDocument) } catch let error as PatchError {
                throw APIError(code: 422, reason: "Invalid", message: error.message)
            }
        case .strategic:
            guard !type.isCustom else { throw APIError.unsupportedMediaType(patchType.rawValue) }
            patched = try Patches.strategicMergePatch(target, patchDocument)
        case .apply:
            guard options.fieldManager?.isEmpty == false else {
                throw APIError.invalid(type, name, [FieldError(kind: .required, field: "fieldManager", detail: "Required value: is required for apply patch")])
            }
            if let rv = patchDocument["metadata"]?["resourceVersion"]?.stringValue, !rv.isEmpty, rv != String(current.resourceVersion) {
                throw APIError.conflict(type.key, name)
            }
            var document = patchDocument
            document["metadata"]?["resourceVersion"] = nil
            patched = type.isCustom ? Patches.mergePatch(target, document) : try Patches.strategicMergePatch(target, document)
        }
        return try update(type, version: version, namespace: namespace, name: name, body: patched, subresource: subresource, options: options)
    }

    // MARK: Delete

    mutating func delete(_ type: ResourceType, namespace: String?, name: String, options: WriteOptions, preconditionRV: String?) throws -> WriteResult {
        let ns = type.namespaced ? (namespace ?? "") : ""
        guard let current = stored(type.key, namespace: ns, name: name) else { throw APIError.notFound(type.key, name) }
        if let preconditionRV, !preconditionRV.isEmpty, preconditionRV != String(current.resourceVersion) {
            throw APIError.conflict(type.key, name)
        }
        let finalizers = current.value["metadata"]?["finalizers"]?.arrayValue ?? []
        if !finalizers.isEmpty {
            if current.value["metadata"]?["deletionTimestamp"] != nil || options.dryRun {
                return WriteResult(object: current.value, bytes: current.bytes, httpStatus: 202)
            }
            var object = current.value
            object["metadata"]?["deletionTimestamp"] = .string(Self.now())
            object["metadata"]?["deletionGracePeriodSeconds"] = 0
            let stored = commitPut(type.key, namespace: ns, name: name, value: object, old: current.value)
            return WriteResult(object: stored.value, bytes: stored.bytes, httpStatus: 202)
        }
        if options.dryRun { return WriteResult(object: current.value, bytes: current.bytes) }
        let deleted = finishDelete(type, namespace: ns, name: name, last: current.value)
        return WriteResult(object: deleted.value, bytes: deleted.bytes)
    }

    /// Removes the object, cascading for namespaces (their objects) and CRDs (their type and objects).
    private mutating func finishDelete(_ type: ResourceType, namespace: String, name: String, last: JSONValue) -> StoredObject {
        if type.key == Self.namespacesKey {
            for (key, byName) in objects where types[key]?.namespaced == true {
                for (_, stored) in byName.sorted(by: { $0.key < $1.key }) where stored.value["metadata"]?["namespace"]?.stringValue == name {
                    commitDelete(key, namespace: name, name: stored.value["metadata"]?["name"]?.stringValue ?? "", last: stored.value)
                }
            }
        }
        if type.key == Self.crdKey, let group = last["spec"]?["group"]?.stringValue, let plural = last["spec"]?["names"]?["plural"]?.stringValue {
            unregister(TypeKey(group: group, resource: plural))
        }
        return commitDelete(type.key, namespace: namespace, name: name, last: last)
    }
}
