import Foundation
import PacerCore

/// Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`): CRDs use their
/// `additionalPrinterColumns`, built-ins get the columns kubectl users know.
struct TableConverter: Sendable {
    enum IncludeObject: String, Sendable {
        case none = "None"
        case metadata = "Metadata"
        case object = "Object"
    }

    struct Column: Sendable {
        var definition: PrinterColumn
        var cell: @Sendable (JSONValue, Date) -> JSONValue
    }

    let columns: [Column]
    let apiVersion: String
    let includeObject: IncludeObject

    init(type: ResourceType, version: String, apiVersion: String, includeObject: IncludeObject) {
        self.apiVersion = apiVersion
        self.includeObject = includeObject
        let name = Column(
            definition: PrinterColumn(
                name: "Name", type: "string", format: "name",
                description: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
                priority: 0, jsonPath: ".metadata.name"),
            cell: { object, _ in object["metadata"]?["name"] ?? "" })
        columns = [name] + Self.columns(type, version: version)
    }

    private static func columns(_ type: ResourceType, version: String) -> [Column] {
        if type.isCustom {
            return (type.printerColumns[version] ?? [.age]).map { column in
                let path = JSONPathLite(column.jsonPath)
                return Column(definition: column, cell: { object, now in cell(path.find(in: object).first, type: column.type, now: now) })
            }
        }
        let age = Column(definition: .age, cell: { object, now in cell(object["metadata"]?["creationTimestamp"], type: "date", now: now) })
        func int(_ name: String, _ path: [String], _ description: String) -> Column {
            Column(
                definition: PrinterColumn(name: name, type: "integer", format: "", description: description, priority: 0, jsonPath: ""),
                cell: { object, _ in .int(object[path: path]?.intValue ?? 0) })
        }
        switch type.key {
        case StoreState.deploymentsKey:
            let ready = Column(
                definition: PrinterColumn(name: "Ready", type: "string", format: "", description: "Number of the pod with ready state", priority: 0, jsonPath: ""),
                cell: { object, _ in
                    .string("\(object["status"]?["readyReplicas"]?.intValue ?? 0)/\(object["spec"]?["replicas"]?.intValue ?? 1)")
                })
            let images = Column(
                definition: PrinterColumn(name: "Images", type: "string", format: "", description: "Images referenced by each container in the template.", priority: 1, jsonPath: ""),
                cell: { object, _ in
                    .string((object[path: ["spec", "template", "spec", "containers"]]?.arrayValue ?? []).compactMap { $0["image"]?.stringValue }.joined(separator: ","))
                })
            return [
                ready, int("Up-to-date", ["status", "updatedReplicas"], "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
                int("Available", ["status", "availableReplicas"], "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
                age, images,
            ]
        case StoreState.namespacesKey:
            let status = Column(
                definition: PrinterColumn(name: "Status", type: "string", format: "", description: "The status of the namespace", priority: 0, jsonPath: ""),
                cell: { object, _ in object["status"]?["phase"] ?? "Active" })
            return [status, age]
        default:
            return [age]
        }
    }

    /// A cell value of the column's type; `null` when the value does not fit (apiextensions `cellForJSONValue`).
    static func cell(_ value: JSONValue?, type: String, now: Date) -> JSONValue {
        guard let value, !value.isNull else { return .null }
        switch type {
        case "integer": return value.intValue.map(JSONValue.int) ?? .null
        case "number": return value.doubleValue.map { _ in value } ?? .null
        case "boolean": return value.boolValue.map(JSONValue.bool) ?? .null
        case "date":
            guard let text = value.stringValue, let date = RFC3339.parse(text) else { return .null }
            return .string(humanDuration(now.timeIntervalSince(date)))
        default:
            return .string(value.stringValue ?? value.jsonString())
        }
    }

    /// apimachinery `duration.HumanDuration`.
    static func humanDuration(_ interval: TimeInterval) -> String {
        let seconds = Int(interval)
        if seconds < -1 { return "<invalid>" }
        if seconds < 0 { return "0s" }
        if seconds < 120 { return "\(seconds)s" }
        let minutes = seconds / 60
        if minutes < 10 { return seconds % 60 == 0 ? "\(minutes)m" : "\(minutes)m\(seconds % 60)s" }
        if minutes < 180 { return "\(minutes)m" }
        let hours = minutes / 60
        if hours < 8 { return minutes % 60 == 0 ? "\(hours)h" : "\(hours)h\(minutes % 60)m" }
        if hours < 48 { return "\(hours)h" }
        if hours < 24 * 8 { return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h" }
        if hours < 24 * 365 * 2 { return "\(hours / 24)d" }
        if hours < 24 * 365 * 8 {
            let days = (hours / 24) % 365
            return days == 0 ? "\(hours / 24 / 365)y" : "\(hours / 24 / 365)y\(days)d"
        }
        return "\(hours / 24 / 365)y"
    }

    var columnDefinitions: JSONValue {
        .array(
            columns.map { column in
                [
                    "name": .string(column.definition.name), "type": .string(column.definition.type),
                    "format": .string(column.definition.format), "description": .string(column.definition.description),
                    "priority": .int(Int64(column.definition.priority)),
                ]
            })
    }

    func row(_ object: JSONValue, now: Date) -> JSONValue {
        var row: [String: JSONValue] = ["cells": .array(columns.map { $0.cell(object, now) })]
        switch includeObject {
        case .none: break
        case .object: row["object"] = object
        case .metadata: row["object"] = Self.partialMetadata(object)
        }
        return .object(row)
    }

    static func partialMetadata(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
    }

    func table(_ objects: [JSONValue], resourceVersion: String, continueToken: String?, withColumns: Bool = true) -> JSONValue {
        let now = Date()
        var metadata: [String: JSONValue] = ["resourceVersion": .string(resourceVersion)]
        if let continueToken { metadata["continue"] = .string(continueToken) }
        return [
            "kind": "Table", "apiVersion": .string(apiVersion), "metadata": .object(metadata),
            "columnDefinitions": withColumns ? columnDefinitions : .array([]),
            "rows": .array(objects.map { row($0, now: now) }),
        ]
    }
}
