import PacerCore

extension CDEvent {
    /// Reads a CDEvent from its JSON form, spec 0.3/0.4 (`context.version`, `subject.type`) or 0.5
    /// (`context.specversion`), keeping every value as sent.
    ///
    /// Refuses what cannot be a CDEvent of any release: a non-object, a missing `context`/`subject`, a missing
    /// or non-string `context.{specversion|version,id,source,type,timestamp}`/`subject.id`, a missing or
    /// non-object `subject.content`, a `context.type` that is not `dev.cdevents.<subject>.<predicate>.<M.m.p>`,
    /// a `timestamp` that is not RFC 3339, and members no release defines. It does not check the type against
    /// the registry or the content against the schema: that is `validate(_:)`, or use `init(validating:mode:)`.
    public init(json: JSONValue) throws(CDEventValidationError) {
        let reader = Reader()
        let top = try reader.object(json, path: "", what: "a CDEvent")
        try reader.rejectUnknown(top, allowed: ["context", "subject", "customData", "customDataContentType"], path: "")
        let contextMembers = try reader.object(try reader.require(top, "context", path: ""), path: "context", what: "context")
        let subjectMembers = try reader.object(try reader.require(top, "subject", path: ""), path: "subject", what: "subject")
        let context = try reader.context(contextMembers)
        try reader.rejectUnknown(subjectMembers, allowed: ["id", "source", "content", "type"], path: "subject")
        let contentValue = try reader.require(subjectMembers, "content", path: "subject")
        let content = try reader.object(contentValue, path: "subject.content", what: "subject.content")
        let subject = Subject(
            id: try reader.string(subjectMembers, "id", path: "subject", required: true) ?? "",
            source: try reader.string(subjectMembers, "source", path: "subject", required: false),
            content: content,
            type: try reader.string(subjectMembers, "type", path: "subject", required: false))
        let customData = top["customData"].flatMap { $0.isNull ? nil : $0 }
        let customDataContentType = try reader.string(top, "customDataContentType", path: "", required: false)
        self.init(context: context, subject: subject, customData: customData, customDataContentType: customDataContentType)
    }

    /// Decodes and validates: the entry point for received events (`POST /cdevents`).
    public init(validating json: JSONValue, mode: CDEventValidationMode = .received) throws(CDEventValidationError) {
        try self.init(json: json)
        try validate(mode)
    }

    /// The event as JSON, in the envelope it was read or built with (`specversion` or legacy `version`).
    /// `jsonValue.jsonString()` / `jsonData()` serialise with sorted keys, so equal events give equal bytes.
    public var jsonValue: JSONValue {
        var contextMembers: [String: JSONValue] = [
            context.versionField.rawValue: .string(context.specversion),
            "id": .string(context.id),
            "source": .string(context.source),
            "type": .string(context.type.description),
            "timestamp": .string(context.timestamp.text),
        ]
        if let schemaUri = context.schemaUri { contextMembers["schemaUri"] = .string(schemaUri) }
        if let chainId = context.chainId { contextMembers["chainId"] = .string(chainId) }
        if let links = context.links { contextMembers["links"] = links }
        var subjectMembers: [String: JSONValue] = ["id": .string(subject.id), "content": .object(subject.content)]
        if let source = subject.source { subjectMembers["source"] = .string(source) }
        if let type = subject.type { subjectMembers["type"] = .string(type) }
        var members: [String: JSONValue] = ["context": .object(contextMembers), "subject": .object(subjectMembers)]
        if let customData { members["customData"] = customData }
        if let customDataContentType { members["customDataContentType"] = .string(customDataContentType) }
        return .object(members)
    }
}

/// Field access with path-carrying errors, for `CDEvent(json:)`.
private struct Reader {
    func object(_ value: JSONValue, path: String, what: String) throws(CDEventValidationError) -> [String: JSONValue] {
        guard case .object(let members) = value else {
            throw CDEventValidationError(.malformed, path: path, "\(path.isEmpty ? what + " " : "")must be a JSON object, got \(value.typeName)")
        }
        return members
    }

    func require(_ members: [String: JSONValue], _ name: String, path: String) throws(CDEventValidationError) -> JSONValue {
        guard let value = members[name], !value.isNull else {
            throw CDEventValidationError(.missing, path: join(path, name), "required")
        }
        return value
    }

    func string(_ members: [String: JSONValue], _ name: String, path: String, required: Bool) throws(CDEventValidationError) -> String? {
        guard let value = members[name], !value.isNull else {
            if required { throw CDEventValidationError(.missing, path: join(path, name), "required") }
            return nil
        }
        guard case .string(let text) = value else {
            throw CDEventValidationError(.malformed, path: join(path, name), "must be a string, got \(value.typeName)")
        }
        return text
    }

    func rejectUnknown(_ members: [String: JSONValue], allowed: Set<String>, path: String) throws(CDEventValidationError) {
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw CDEventValidationError(
                .unknownField, path: join(path, unknown),
                "unknown field (\(path.isEmpty ? "a CDEvent" : path) has \(allowed.sorted().joined(separator: ", ")))")
        }
    }

    func context(_ members: [String: JSONValue]) throws(CDEventValidationError) -> CDEvent.Context {
        try rejectUnknown(
            members, allowed: ["specversion", "version", "id", "source", "type", "timestamp", "schemaUri", "chainId", "links"], path: "context")
        let versionField: CDEvent.Context.VersionField
        switch (members["specversion"].map { !$0.isNull } ?? false, members["version"].map { !$0.isNull } ?? false) {
        case (true, true):
            throw CDEventValidationError(
                .malformed, path: "context.version", "an event has either specversion (CDEvents 0.5+) or version (0.4 and older), not both")
        case (false, true): versionField = .version
        case (true, false): versionField = .specversion
        case (false, false):
            throw CDEventValidationError(.missing, path: "context.specversion", "required (\"version\" in CDEvents 0.4 and older)")
        }
        let specversion = try string(members, versionField.rawValue, path: "context", required: true) ?? ""
        let id = try string(members, "id", path: "context", required: true) ?? ""
        let source = try string(members, "source", path: "context", required: true) ?? ""
        let typeText = try string(members, "type", path: "context", required: true) ?? ""
        let type = try CDEventType(parsing: typeText)
        let timestampText = try string(members, "timestamp", path: "context", required: true) ?? ""
        guard let timestamp = CDEventTimestamp(timestampText) else {
            throw CDEventValidationError(
                .invalidValue, path: "context.timestamp", "must be an RFC 3339 date-time such as 2024-05-01T10:00:00Z, got \"\(timestampText)\"")
        }
        let links = members["links"].flatMap { $0.isNull ? nil : $0 }
        return CDEvent.Context(
            specversion: specversion, versionField: versionField, id: id, source: source, type: type, timestamp: timestamp,
            schemaUri: try string(members, "schemaUri", path: "context", required: false),
            chainId: try string(members, "chainId", path: "context", required: false), links: links)
    }

    private func join(_ path: String, _ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }
}
