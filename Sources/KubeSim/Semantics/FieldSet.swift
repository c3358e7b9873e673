import PacerCore

/// A set of field paths in the `FieldsV1` vocabulary of `metadata.managedFields`: `f:name` for a map field,
/// `k:{"name":"web"}` for an item of an associative list (keyed by its merge key), and `.` for such an item itself.
/// Only leaves are members: scalars, atomic lists, empty maps and keyed items (`.`).
struct FieldSet: Sendable, Equatable {
    typealias Path = [String]
    var paths: Set<Path> = []

    var isEmpty: Bool { paths.isEmpty }

    /// Merge keys of the associative lists of the built-in types (their `patchMergeKey`/`listMapKeys`);
    /// every other list is atomic (owned as one leaf).
    static let listKeys: [String: [String]] = [
        "containers": ["name"], "initContainers": ["name"], "ephemeralContainers": ["name"], "volumes": ["name"],
        "env": ["name"], "imagePullSecrets": ["name"], "volumeMounts": ["mountPath"], "ports": ["containerPort", "protocol"],
        "conditions": ["type"],
    ]

    /// The fields an object sets: everything but the type and identity metadata the field manager strips
    /// (apiVersion, kind, metadata other than labels, annotations, finalizers, ownerReferences) and, for types with a
    /// status subresource, status.
    static func of(_ object: JSONValue, hasStatus: Bool) -> FieldSet {
        var set = FieldSet()
        guard let top = object.objectValue else { return set }
        for (key, value) in top {
            switch key {
            case "apiVersion", "kind": continue
            case "status" where hasStatus: continue
            case "metadata":
                for (metaKey, metaValue) in value.objectValue ?? [:] where ["labels", "annotations", "finalizers", "ownerReferences"].contains(metaKey) {
                    set.collect(metaValue, field: metaKey, prefix: ["f:metadata"])
                }
            default:
                set.collect(value, field: key, prefix: [])
            }
        }
        return set
    }

    private mutating func collect(_ value: JSONValue, field: String, prefix: Path) {
        let path = prefix + ["f:" + field]
        switch value {
        case .object(let map) where !map.isEmpty:
            for (key, child) in map { collect(child, field: key, prefix: path) }
        case .array(let items) where Self.listKeys[field] != nil && !items.isEmpty:
            for item in items {
                guard let itemKey = Self.itemKey(item, keys: Self.listKeys[field] ?? []) else { paths.insert(path); return }
                let itemPath = path + [itemKey]
                paths.insert(itemPath + ["."])
                for (key, child) in item.objectValue ?? [:] { collect(child, field: key, prefix: itemPath) }
            }
        default:
            paths.insert(path)
        }
    }

    /// `k:{"name":"web"}` (keys in the given order, present ones only), nil for an item without its key.
    static func itemKey(_ item: JSONValue, keys: [String]) -> String? {
        guard let map = item.objectValue, let first = keys.first, map[first] != nil else { return nil }
        var text = "k:{"
        var firstEntry = true
        for key in keys.sorted() {
            guard let value = map[key] else { continue }
            if !firstEntry { text += "," }
            firstEntry = false
            text += String(decoding: JSONValue.string(key).jsonBytes(), as: UTF8.self) + ":" + String(decoding: value.jsonBytes(), as: UTF8.self)
        }
        return text + "}"
    }

    // MARK: Values

    /// The value at a path in an object (`.` is the keyed item itself), nil when absent.
    static func value(_ object: JSONValue, at path: Path) -> JSONValue? {
        var current: JSONValue? = object
        for element in path {
            guard let here = current else { return nil }
            if element == "." { continue }
            if element.hasPrefix("f:") {
                current = here[String(element.dropFirst(2))]
            } else if element.hasPrefix("k:") {
                current = here.arrayValue?.first { Self.matches($0, element) }
            } else {
                return nil
            }
        }
        return current
    }

    private static func matches(_ item: JSONValue, _ element: String) -> Bool {
        guard let key = try? JSONValue.parse(Array(element.dropFirst(2).utf8)), let map = key.objectValue else { return false }
        return map.allSatisfy { item[$0.key] == $0.value }
    }

    /// Removes the field at `path` from `object` (a keyed item when the path ends in `.`).
    static func remove(_ path: Path, from object: inout JSONValue) {
        guard let last = path.last else { return }
        if last == "." {
            remove(Array(path.dropLast()), from: &object)
            return
        }
        let parentPath = Array(path.dropLast())
        guard var parent = value(object, at: parentPath) else { return }
        if last.hasPrefix("f:") {
            guard case .object(var map) = parent else { return }
            map[String(last.dropFirst(2))] = nil
            parent = .object(map)
        } else if last.hasPrefix("k:") {
            guard case .array(let items) = parent else { return }
            parent = .array(items.filter { !matches($0, last) })
        }
        replace(parentPath, in: &object, with: parent)
    }

    private static func replace(_ path: Path, in object: inout JSONValue, with newValue: JSONValue) {
        guard let first = path.first else {
            object = newValue
            return
        }
        let rest = Array(path.dropFirst())
        if first == "." {
            replace(rest, in: &object, with: newValue)
        } else if first.hasPrefix("f:") {
            let key = String(first.dropFirst(2))
            guard var child = object[key] else { return }
            replace(rest, in: &child, with: newValue)
            object[key] = child
        } else if first.hasPrefix("k:"), case .array(var items) = object, let index = items.firstIndex(where: { matches($0, first) }) {
            replace(rest, in: &items[index], with: newValue)
            object = .array(items)
        }
    }

    /// `.spec.template.spec.containers[name="web"].image`, the field path of a conflict message.
    static func render(_ path: Path) -> String {
        var text = ""
        for element in path where element != "." {
            if element.hasPrefix("f:") {
                text += "." + element.dropFirst(2)
            } else if let key = try? JSONValue.parse(Array(element.dropFirst(2).utf8)), let map = key.objectValue {
                let parts = map.keys.sorted().map { "\($0)=\(String(decoding: (map[$0] ?? .null).jsonBytes(), as: UTF8.self))" }
                text += "[" + parts.joined(separator: ",") + "]"
            }
        }
        return text
    }

    // MARK: FieldsV1

    /// The nested `fieldsV1` object (`{"f:data":{"f:a":{}}}`).
    var fieldsV1: JSONValue {
        var root: JSONValue = [:]
        for path in paths {
            var pathValue = root
            Self.insert(path[...], into: &pathValue)
            root = pathValue
        }
        return root
    }

    private static func insert(_ path: ArraySlice<String>, into node: inout JSONValue) {
        guard let first = path.first else { return }
        var child = node[first] ?? [:]
        insert(path.dropFirst(), into: &child)
        node[first] = child
    }

    init(paths: Set<Path> = []) { self.paths = paths }

    init(fieldsV1: JSONValue) {
        func walk(_ node: JSONValue, _ prefix: Path, into set: inout Set<Path>) {
            for (key, child) in node.objectValue ?? [:] {
                let path = prefix + [key]
                if child.objectValue?.isEmpty ?? true { set.insert(path) } else { walk(child, path, into: &set) }
            }
        }
        var set: Set<Path> = []
        walk(fieldsV1, [], into: &set)
        paths = set
    }
}
