import PacerCore

/// `metadata.managedFields` and server-side apply ownership, as documented in "Server-Side Apply"
/// (kubernetes.io/docs/reference/using-api/server-side-apply): every write records which manager set which
/// fields; an apply conflicts with another manager's field holding a different value (409 unless `force=true`,
/// which takes the field over); fields a manager stops applying are removed unless another manager owns them.
enum ManagedFields {
    struct Entry: Sendable {
        var manager: String
        var operation: String
        var apiVersion: String
        var time: String
        var fields: FieldSet

        var json: JSONValue {
            [
                "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
                "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1,
            ]
        }
    }

    static func entries(_ object: JSONValue) -> [Entry] {
        (object["metadata"]?["managedFields"]?.arrayValue ?? []).compactMap { item in
            guard let manager = item["manager"]?.stringValue, let operation = item["operation"]?.stringValue else { return nil }
            return Entry(
                manager: manager, operation: operation, apiVersion: item["apiVersion"]?.stringValue ?? "",
                time: item["time"]?.stringValue ?? "", fields: FieldSet(fieldsV1: item["fieldsV1"] ?? [:]))
        }
    }

    static func render(_ entries: [Entry]) -> JSONValue? {
        let kept = entries.filter { !$0.fields.isEmpty }
        return kept.isEmpty ? nil : .array(kept.map(\.json))
    }

    /// The managedFields after a create, update or non-apply patch by `manager`: it owns every field it changed
    /// (operation Update); other managers lose those fields. Unchanged when no field changed.
    static func recordUpdate(old: JSONValue?, new: JSONValue, manager: String, apiVersion: String, hasStatus: Bool) -> JSONValue? {
        let newSet = FieldSet.of(new, hasStatus: hasStatus)
        var changed = newSet.paths
        var removed: Set<FieldSet.Path> = []
        if let old {
            changed = newSet.paths.filter { FieldSet.value(old, at: $0) != FieldSet.value(new, at: $0) }
            removed = FieldSet.of(old, hasStatus: hasStatus).paths.subtracting(newSet.paths)
        }
        var list = old.map(entries) ?? []
        if changed.isEmpty && removed.isEmpty { return render(list) }
        for index in list.indices { list[index].fields.paths.subtract(changed.union(removed)) }
        let now = StoreState.now()
        if let index = list.firstIndex(where: { $0.manager == manager && $0.operation == "Update" }) {
            list[index].fields.paths.formUnion(changed)
            list[index].time = now
            list[index].apiVersion = apiVersion
        } else {
            list.append(Entry(manager: manager, operation: "Update", apiVersion: apiVersion, time: now, fields: FieldSet(paths: changed)))
        }
        return render(list)
    }

    /// The managedFields of an object created by an apply: the manager owns what it applied.
    static func created(byApply config: JSONValue, manager: String, apiVersion: String, hasStatus: Bool) -> JSONValue? {
        render([Entry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: StoreState.now(), fields: FieldSet.of(config, hasStatus: hasStatus))])
    }

    /// Applies `config` by `manager` to `live`, whose merge with the config is `merged`: checks conflicts, moves
    /// ownership, removes the fields the manager no longer applies and nobody else owns. Returns the object to
    /// store and its managedFields.
    static func apply(
        _ type: ResourceType, live: JSONValue, config: JSONValue, merged: JSONValue, manager: String, apiVersion: String, force: Bool
    ) throws -> (object: JSONValue, managedFields: JSONValue?) {
        let applied = FieldSet.of(config, hasStatus: type.hasStatus)
        var list = entries(live)
        let mine = list.firstIndex { $0.manager == manager && $0.operation == "Apply" }
        var conflicts: [(manager: Entry, path: FieldSet.Path)] = []
        for (index, entry) in list.enumerated() where index != mine {
            for path in entry.fields.paths.intersection(applied.paths) where path.last != "." {
                if FieldSet.value(live, at: path) != FieldSet.value(config, at: path) { conflicts.append((entry, path)) }
            }
        }
        if !conflicts.isEmpty {
            guard force else { throw conflictError(conflicts) }
            let taken = Set(conflicts.map(\.path))
            for index in list.indices where index != mine { list[index].fields.paths.subtract(taken) }
        }
        let previous = mine.map { list[$0].fields.paths } ?? []
        let ownedByOthers = list.indices.filter { $0 != mine }.reduce(into: Set<FieldSet.Path>()) { $0.formUnion(list[$1].fields.paths) }
        var object = merged
        let dropped = previous.subtracting(applied.paths).subtracting(ownedByOthers)
        for path in dropped.sorted(by: { $0.count > $1.count }) { FieldSet.remove(path, from: &object) }
        let entry = Entry(manager: manager, operation: "Apply", apiVersion: apiVersion, time: StoreState.now(), fields: applied)
        if let mine {
            if list[mine].fields != applied || list[mine].apiVersion != apiVersion { list[mine] = entry }  // a no-op apply changes nothing
        } else {
            list.append(entry)
        }
        return (object, render(list))
    }

    /// The apiserver's message: `Apply failed with 1 conflict: conflict with "alpha": .data.a`, with one
    /// FieldManagerConflict cause per field; Update managers are named with their apiVersion (`using v1`).
    static func conflictError(_ conflicts: [(manager: Entry, path: FieldSet.Path)]) -> APIError {
        let sorted = conflicts.sorted { ($0.manager.manager, FieldSet.render($0.path)) < ($1.manager.manager, FieldSet.render($1.path)) }
        func who(_ entry: Entry, _ word: String = "conflict") -> String {
            entry.operation == "Apply" ? "\(word) with \"\(entry.manager)\"" : "\(word) with \"\(entry.manager)\" using \(entry.apiVersion)"
        }
        let causes = sorted.map { StatusCause(reason: "FieldManagerConflict", message: who($0.manager), field: FieldSet.render($0.path)) }
        let message: String
        if sorted.count == 1 {
            message = "Apply failed with 1 conflict: \(who(sorted[0].manager)): \(FieldSet.render(sorted[0].path))"
        } else {
            var byManager: [String: [String]] = [:]
            var order: [String] = []
            for conflict in sorted {
                let key = who(conflict.manager, "conflicts")
                if byManager[key] == nil { order.append(key) }
                byManager[key, default: []].append(FieldSet.render(conflict.path))
            }
            let parts = order.map { key in "\(key):\n" + (byManager[key] ?? []).map { "- \($0)" }.joined(separator: "\n") }
            message = "Apply failed with \(sorted.count) conflicts: " + parts.joined(separator: "\n")
        }
        return APIError(code: 409, reason: "Conflict", message: message, causes: causes)
    }
}
