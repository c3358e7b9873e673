import Foundation
import PacerCore

/// A patch document that cannot be applied; becomes a 422/400 `Status`.
struct PatchError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The three patch formats the API server accepts.
enum Patches {
    // MARK: RFC 7386 merge patch

    static func mergePatch(_ target: JSONValue, _ patch: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result: [String: JSONValue] = target.objectValue ?? [:]
        for (key, value) in patchObject {
            if value.isNull {
                result[key] = nil
            } else {
                result[key] = mergePatch(result[key] ?? .null, value)
            }
        }
        return .object(result)
    }

    // MARK: RFC 6902 JSON patch

    static func jsonPatch(_ target: JSONValue, _ operations: JSONValue) throws -> JSONValue {
        guard case .array(let ops) = operations else { throw PatchError(message: "json patch must be an array of operations") }
        var document = target
        for op in ops {
            guard let name = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw PatchError(message: "json patch operation needs \"op\" and \"path\": \(op.jsonString())")
            }
            let pointer = try parsePointer(path)
            switch name {
            case "add":
                guard let value = op["value"] else { throw PatchError(message: "missing value for add \(path)") }
                document = try add(document, pointer[...], value)
            case "remove":
                document = try remove(document, pointer[...])
            case "replace":
                guard let value = op["value"] else { throw PatchError(message: "missing value for replace \(path)") }
                _ = try get(document, pointer[...], path: path)
                document = try remove(document, pointer[...])
                document = try add(document, pointer[...], value)
            case "test":
                let actual = try get(document, pointer[...], path: path)
                if actual != (op["value"] ?? .null) {
                    throw PatchError(message: "testing value \(path) failed")
                }
            case "move", "copy":
                guard let from = op["from"]?.stringValue else { throw PatchError(message: "missing from for \(name) \(path)") }
                let fromPointer = try parsePointer(from)
                let value = try get(document, fromPointer[...], path: from)
                if name == "move" { document = try remove(document, fromPointer[...]) }
                document = try add(document, pointer[...], value)
            default:
                throw PatchError(message: "unknown json patch operation \"\(name)\"")
            }
        }
        return document
    }

    static func parsePointer(_ path: String) throws -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw PatchError(message: "invalid JSON pointer \"\(path)\"") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    private static func get(_ doc: JSONValue, _ pointer: ArraySlice<String>, path: String) throws -> JSONValue {
        guard let key = pointer.first else { return doc }
        switch doc {
        case .object(let object):
            guard let child = object[key] else { throw PatchError(message: "path \(path) does not exist") }
            return try get(child, pointer.dropFirst(), path: path)
        case .array(let array):
            guard let i = Int(key), array.indices.contains(i) else { throw PatchError(message: "path \(path) does not exist") }
            return try get(array[i], pointer.dropFirst(), path: path)
        default:
            throw PatchError(message: "path \(path) does not exist")
        }
    }

    private static func add(_ doc: JSONValue, _ pointer: ArraySlice<String>, _ value: JSONValue) throws -> JSONValue {
        guard let key = pointer.first else { return value }
        let rest = pointer.dropFirst()
        switch doc {
        case .object(var object):
            if rest.isEmpty {
                object[key] = value
            } else {
                guard let child = object[key] else { throw PatchError(message: "missing path segment \"\(key)\"") }
                object[key] = try add(child, rest, value)
            }
            return .object(object)
        case .array(var array):
            if rest.isEmpty {
                if key == "-" {
                    array.append(value)
                } else {
                    guard let i = Int(key), i >= 0, i <= array.count else { throw PatchError(message: "array index \(key) out of bounds") }
                    array.insert(value, at: i)
                }
            } else {
                guard let i = Int(key), array.indices.contains(i) else { throw PatchError(message: "array index \(key) out of bounds") }
                array[i] = try add(array[i], rest, value)
            }
            return .array(array)
        default:
            throw PatchError(message: "cannot add below a \(doc.typeName) at \"\(key)\"")
        }
    }

    private static func remove(_ doc: JSONValue, _ pointer: ArraySlice<String>) throws -> JSONValue {
        guard let key = pointer.first else { throw PatchError(message: "cannot remove the whole document") }
        let rest = pointer.dropFirst()
        switch doc {
        case .object(var object):
            guard let child = object[key] else { throw PatchError(message: "unable to remove nonexistent key: \(key)") }
            object[key] = rest.isEmpty ? nil : try remove(child, rest)
            return .object(object)
        case .array(var array):
            guard let i = Int(key), array.indices.contains(i) else { throw PatchError(message: "array index \(key) out of bounds") }
            if rest.isEmpty { array.remove(at: i) } else { array[i] = try remove(array[i], rest) }
            return .array(array)
        default:
            throw PatchError(message: "cannot remove below a \(doc.typeName)")
        }
    }

    // MARK: Strategic merge patch (approximation for built-in types)

    /// Merge keys of the lists Kubernetes merges element-wise (by field name of the list).
    static let mergeKeys: [String: [String]] = [
        "containers": ["name"], "initContainers": ["name"], "ephemeralContainers": ["name"], "env": ["name"],
        "volumes": ["name"], "volumeMounts": ["mountPath"], "ports": ["containerPort", "port"], "conditions": ["type"],
        "imagePullSecrets": ["name"], "hostAliases": ["ip"], "envFrom": [], "tolerations": [],
    ]

    static func strategicMergePatch(_ target: JSONValue, _ patch: JSONValue) throws -> JSONValue {
        guard case .object(var patchObject) = patch else { return patch }
        if let directive = patchObject.removeValue(forKey: "$patch")?.stringValue {
            switch directive {
            case "replace": return .object(patchObject)
            case "delete": return .null
            default: throw PatchError(message: "unknown patch directive \"\(directive)\"")
            }
        }
        var result = target.objectValue ?? [:]
        var orders: [String: [JSONValue]] = [:]
        for (key, value) in patchObject {
            if key == "$retainKeys" { continue }
            if key.hasPrefix("$setElementOrder/") {
                orders[String(key.dropFirst("$setElementOrder/".count))] = value.arrayValue
                continue
            }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removals = value.arrayValue ?? []
                if let existing = result[field]?.arrayValue { result[field] = .array(existing.filter { !removals.contains($0) }) }
                continue
            }
            if value.isNull {
                result[key] = nil
                continue
            }
            if case .array(let patchItems) = value, let keys = mergeKeys[key], !keys.isEmpty,
                let mergeKey = keys.first(where: { k in patchItems.contains { $0[k] != nil } })
            {
                result[key] = try mergeList(result[key]?.arrayValue ?? [], patchItems, mergeKey: mergeKey)
            } else if case .object = value {
                let merged = try strategicMergePatch(result[key] ?? .null, value)
                result[key] = merged.isNull ? nil : merged
            } else {
                result[key] = value
            }
        }
        for (field, order) in orders {
            guard let keys = mergeKeys[field], let items = result[field]?.arrayValue,
                let mergeKey = keys.first(where: { k in order.contains { $0[k] != nil } })
            else { continue }
            let wanted = order.compactMap { $0[mergeKey] }
            let sorted = items.sorted { a, b in
                let ia = a[mergeKey].flatMap { wanted.firstIndex(of: $0) } ?? Int.max
                let ib = b[mergeKey].flatMap { wanted.firstIndex(of: $0) } ?? Int.max
                return ia < ib
            }
            result[field] = .array(sorted)
        }
        return .object(result)
    }

    private static func mergeList(_ existing: [JSONValue], _ patch: [JSONValue], mergeKey: String) throws -> JSONValue {
        var items = existing
        for item in patch {
            guard let keyValue = item[mergeKey] else {
                items.append(item)
                continue
            }
            let index = items.firstIndex { $0[mergeKey] == keyValue }
            if item["$patch"]?.stringValue == "delete" {
                if let index { items.remove(at: index) }
                continue
            }
            if let index {
                let merged = try strategicMergePatch(items[index], item)
                if merged.isNull { items.remove(at: index) } else { items[index] = merged }
            } else {
                var clean = item
                clean["$patch"] = nil
                items.append(try strategicMergePatch(.object([:]), clean))
            }
        }
        return .array(items)
    }
}
