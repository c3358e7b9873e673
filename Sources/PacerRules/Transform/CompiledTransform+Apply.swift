import EventModel
import Expressions
import Foundation
import PacerCore

extension CompiledTransform {
    /// Turns `event` into a CDEvents v0.5.1 event that passes `CDEvent.validate(.strict)`.
    ///
    /// - `context.id` is ``CDEventIdentity/id(cloudEventSource:cloudEventId:transform:)`` of the event and `transform`
    ///   (`"namespace/name"`), so the same CloudEvent and transform always give the same CDEvent id; with `spec.id`,
    ///   of that identity (and an empty source) instead, so CloudEvents with the same identity give one CDEvent;
    /// - `context.source` is `spec.source` (a non-empty string) or the CloudEvent's `source`;
    /// - `context.type` is the output type at its v0.5.1 version (`service.deployed.0.2.0` → `0.3.0`);
    /// - `context.timestamp` is `spec.timestamp` (a timestamp or an RFC 3339 string), else the CloudEvent's `time`,
    ///   else `receivedAt` (when the event was stored), written in UTC;
    /// - `subject.content` fields that evaluate to `null` are left out, and so is an optional field (one the type's
    ///   schema does not require) whose expression reads a key the event does not have;
    /// - `customData` is left out when it evaluates to `null`; otherwise it must be an object or a string.
    ///
    /// Throws ``TransformError`` naming the spec field (or the CDEvent path) that failed.
    public func apply(to event: CloudEvent, transform: String, receivedAt: Date? = nil) throws(TransformError) -> CDEvent {
        try apply(to: event, activation: event.activation, transform: transform, receivedAt: receivedAt)
    }

    /// Every CDEvent the transform makes of `event`: one, or with `spec.forEach` one per element of the list (none
    /// for an empty list), each built as ``apply(to:transform:receivedAt:)`` describes with the element bound to
    /// `item` and its position to `itemIndex`. Without `spec.id`, element `i`'s `context.id` is
    /// ``CDEventIdentity/id(cloudEventSource:cloudEventId:transform:element:)``.
    ///
    /// All or nothing: when `forEach` fails, is not a list (`null` counts as empty), has more than
    /// ``CompiledTransform/maxFanOut`` elements, or any element fails, the error names the element
    /// (`spec.forEach[2]: spec.subject.id: …`) and nothing is produced for the event.
    public func applyAll(
        to event: CloudEvent, activation: [String: Value], transform: String, receivedAt: Date? = nil
    ) throws(TransformError) -> [CDEvent] {
        guard let forEach else {
            return [try apply(to: event, activation: activation, transform: transform, receivedAt: receivedAt)]
        }
        let elements: [Value]
        switch try Self.evaluate(forEach, activation, field: "spec.forEach") {
        case .list(let list): elements = list
        case .null: elements = []
        case let other:
            throw TransformError(.wrongType, field: "spec.forEach", "expected a list, got \(Self.typeName(other))")
        }
        guard elements.count <= Self.maxFanOut else {
            throw TransformError(.wrongType, field: "spec.forEach", "\(elements.count) elements: at most \(Self.maxFanOut) CDEvents come from one CloudEvent")
        }
        var out: [CDEvent] = []
        out.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            var scoped = activation
            scoped["item"] = element
            scoped["itemIndex"] = .int(Int64(index))
            do {
                out.append(try apply(to: event, activation: scoped, transform: transform, receivedAt: receivedAt, element: index))
            } catch {
                throw TransformError(error.kind, field: "spec.forEach[\(index)]: \(error.field)", error.reason)
            }
        }
        return out
    }

    /// ``apply(to:transform:receivedAt:)`` with the event's activation already built (routing builds it once per event).
    public func apply(
        to event: CloudEvent, activation: [String: Value], transform: String, receivedAt: Date? = nil
    ) throws(TransformError) -> CDEvent {
        try apply(to: event, activation: activation, transform: transform, receivedAt: receivedAt, element: nil)
    }

    private func apply(
        to event: CloudEvent, activation: [String: Value], transform: String, receivedAt: Date?, element: Int?
    ) throws(TransformError) -> CDEvent {
        let contextSource = try source.map { expression throws(TransformError) in
            try Self.string(expression, activation, field: "spec.source")
        } ?? event.source
        let subjectId = try Self.string(subjectId, activation, field: "spec.subject.id")
        var subjectSource: String?
        if let expression = self.subjectSource {
            subjectSource = try Self.optionalString(expression, activation, field: "spec.subject.source")
        }
        let required = Set(entry?.requiredContentFields ?? [])
        let content = try Self.content(self.content, activation, path: "spec.subject.content", optional: { !required.contains($0) })
        var customData: JSONValue?
        if let expression = self.customData {
            switch try Self.evaluate(expression, activation, field: "spec.customData").jsonValue {
            case .null: customData = nil
            case .object(let members): customData = .object(members)
            case .string(let text): customData = .string(text)
            case let other:
                throw TransformError(.wrongType, field: "spec.customData", "expected an object (or a string), got \(other.typeName)")
            }
        }
        let timestamp = try self.timestamp(event: event, activation: activation, receivedAt: receivedAt)
        let cdEvent = CDEvent(
            context: CDEvent.Context(
                id: try identity.map { expression throws(TransformError) in
                    // The identity replaces (source, id): one CDEvent per distinct identity and transform.
                    CDEventIdentity.id(cloudEventSource: "", cloudEventId: try Self.string(expression, activation, field: "spec.id"), transform: transform)
                } ?? element.map { CDEventIdentity.id(cloudEventSource: event.source, cloudEventId: event.id, transform: transform, element: $0) }
                    ?? CDEventIdentity.id(cloudEventSource: event.source, cloudEventId: event.id, transform: transform),
                source: contextSource, type: entry?.type ?? outputType, timestamp: timestamp),
            subject: CDEvent.Subject(id: subjectId, source: subjectSource, content: content),
            customData: customData)
        if let first = cdEvent.validationErrors(.strict).first {
            throw TransformError(.invalidCDEvent, field: first.path, first.reason)
        }
        return cdEvent
    }

    private func timestamp(event: CloudEvent, activation: [String: Value], receivedAt: Date?) throws(TransformError) -> CDEventTimestamp {
        guard let expression = self.timestamp else {
            if let time = event.timestamp ?? receivedAt { return CDEventTimestamp(time) }
            throw TransformError(.missing, field: "spec.timestamp", "the CloudEvent has no time; set spec.timestamp")
        }
        let field = "spec.timestamp"
        switch try Self.evaluate(expression, activation, field: field) {
        case .timestamp(let value):
            return CDEventTimestamp(value.date)
        case .string(let text):
            guard let parsed = CELTimestamp.parse(text) else {
                throw TransformError(.badTimestamp, field: field, "\"\(text)\" is not an RFC 3339 date-time such as 2024-05-01T10:00:00Z")
            }
            return CDEventTimestamp(parsed.date)
        case .null:
            throw TransformError(.missing, field: field, "evaluated to null")
        case let other:
            throw TransformError(.wrongType, field: field, "expected a timestamp or an RFC 3339 string, got \(Self.typeName(other))")
        }
    }

    private static func content(
        _ fields: [(name: String, field: ContentField)], _ activation: [String: Value], path: String, optional: (String) -> Bool
    ) throws(TransformError) -> [String: JSONValue] {
        var object: [String: JSONValue] = [:]
        for (name, field) in fields {
            let fieldPath = "\(path).\(name)"
            switch field {
            case .expression(let expression):
                let value: Value
                do {
                    value = try expression.evaluate(activation)
                } catch {
                    if optional(name), error.code == .noSuchKey { continue }
                    throw TransformError(.evaluation, field: fieldPath, error.description)
                }
                let json = value.jsonValue
                if !json.isNull { object[name] = json }
            case .object(let nested):
                let members = try content(nested, activation, path: fieldPath, optional: { _ in false })
                if !members.isEmpty { object[name] = .object(members) }
            }
        }
        return object
    }

    /// The value's type as expressions name it (`int`, `map`, `timestamp`).
    private static func typeName(_ value: Value) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .int: "int"
        case .uint: "uint"
        case .double: "double"
        case .string: "string"
        case .bytes: "bytes"
        case .list: "list"
        case .map: "map"
        case .timestamp: "timestamp"
        case .duration: "duration"
        }
    }

    private static func evaluate(_ expression: CompiledExpression, _ activation: [String: Value], field: String) throws(TransformError) -> Value {
        do {
            return try expression.evaluate(activation)
        } catch {
            throw TransformError(.evaluation, field: field, error.description)
        }
    }

    private static func string(_ expression: CompiledExpression, _ activation: [String: Value], field: String) throws(TransformError) -> String {
        guard let text = try optionalString(expression, activation, field: field) else {
            throw TransformError(.missing, field: field, "evaluated to null")
        }
        return text
    }

    private static func optionalString(
        _ expression: CompiledExpression, _ activation: [String: Value], field: String
    ) throws(TransformError) -> String? {
        switch try evaluate(expression, activation, field: field) {
        case .string(let text):
            if text.isEmpty { throw TransformError(.missing, field: field, "evaluated to an empty string") }
            return text
        case .null:
            return nil
        case let other:
            throw TransformError(.wrongType, field: field, "expected a string, got \(Self.typeName(other)) (use string(...) to convert)")
        }
    }
}
