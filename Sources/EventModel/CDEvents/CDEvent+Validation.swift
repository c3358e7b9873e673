import PacerCore

extension CDEvent {
    /// Throws the first problem `validationErrors(mode)` finds.
    public func validate(_ mode: CDEventValidationMode = .received) throws(CDEventValidationError) {
        if let first = validationErrors(mode).first { throw first }
    }

    /// Every problem with this event, in a stable order (context, subject, content in schema order, customData).
    ///
    /// Both modes: non-empty `context.{specversion,id,source}` and `subject.id`; `context.source`/`subject.source`
    /// URI-references; `schemaUri` an absolute URI; `chainId` non-empty; `links` an array; a known type with an
    /// accepted version (`CDEventTypeRegistry.resolve`); the required `subject.content` fields of the v0.5.1 schema,
    /// nested ones included (`subject.content.environment.id`), with JSON types and non-empty strings;
    /// `customData` an object or a string. `.strict` adds the rest of the official schema (see `CDEventValidationMode`).
    public func validationErrors(_ mode: CDEventValidationMode = .received) -> [CDEventValidationError] {
        var errors: [CDEventValidationError] = []
        func fail(_ kind: CDEventValidationError.Kind, _ path: String, _ reason: String) {
            errors.append(CDEventValidationError(kind, path: path, reason))
        }
        let versionPath = "context.\(context.versionField.rawValue)"
        if context.specversion.isEmpty { fail(.invalidValue, versionPath, "must not be empty") }
        if mode == .strict {
            if context.isLegacy {
                fail(.unknownField, "context.version", "renamed to specversion in CDEvents 0.5.0 (Pacer emits \(CDEventVersion.specification))")
            } else if context.specversion != CDEventVersion.specification.description {
                fail(.invalidValue, "context.specversion", "Pacer emits CDEvents \(CDEventVersion.specification), got \"\(context.specversion)\"")
            }
        }
        if context.id.isEmpty { fail(.invalidValue, "context.id", "must not be empty") }
        checkURIReference(context.source, "context.source", fail)
        if mode == .strict, !Self.hasDateTimeSeparator(context.timestamp.text) {
            fail(.invalidValue, "context.timestamp", "must use \"T\" between date and time (RFC 3339 date-time), got \"\(context.timestamp.text)\"")
        }
        if let schemaUri = context.schemaUri, !CDEventURI.isURI(schemaUri) {
            fail(.invalidValue, "context.schemaUri", "must be an absolute URI (RFC 3986), got \"\(schemaUri)\"")
        }
        if context.chainId?.isEmpty == true { fail(.invalidValue, "context.chainId", "must not be empty") }
        if let links = context.links {
            if case .array(let items) = links {
                if mode == .strict { errors += CDEventLinks.check(items) }
            } else {
                fail(.malformed, "context.links", "must be an array, got \(links.typeName)")
            }
        }

        var entry: CDEventTypeRegistry.Entry?
        do {
            entry = try CDEventTypeRegistry.resolve(context.type)
            if mode == .strict, let entry, context.type.version != entry.version {
                fail(.invalidValue, "context.type", "Pacer emits \(entry.type) (CDEvents \(CDEventVersion.specification)), got \(context.type)")
            }
        } catch {
            errors.append(error)
        }
        if mode == .strict, context.type.isCustom, !Self.isCustomSchemaVersion(context.type.version) {
            fail(.invalidValue, "context.type", "custom types need single-digit version numbers (custom/schema.json), got \(context.type)")
        }

        if subject.id.isEmpty { fail(.invalidValue, "subject.id", "must not be empty") }
        if let source = subject.source { checkURIReference(source, "subject.source", fail) }
        if mode == .strict, let type = subject.type, entry?.subjectType != type {
            fail(.unknownField, "subject.type", "removed in CDEvents 0.5.0, not allowed by \(context.type)")
        }
        if let entry {
            var checker = CDEventSchemaChecker(mode: mode, typeName: context.type.description)
            checker.check(.object(subject.content), against: entry.content, path: "subject.content")
            errors += checker.errors
        }

        switch customData {
        case nil, .object?, .string?: break
        case .some(let other): fail(.malformed, "customData", "must be a JSON object or a (Base64) string, got \(other.typeName)")
        }
        errors += storageErrors()
        return errors
    }

    /// What PostgreSQL would refuse (`StorageLimits`): identifiers over 1024 bytes, a timestamp before
    /// 0001-01-01T00:00:00Z, U+0000 anywhere in the event.
    private func storageErrors() -> [CDEventValidationError] {
        var errors: [CDEventValidationError] = []
        let identifiers: [(String, String?)] = [
            ("context.id", context.id), ("context.source", context.source), ("context.type", context.type.description),
            ("subject.id", subject.id), ("subject.source", subject.source),
        ]
        for (path, value) in identifiers {
            if let value, let problem = StorageLimits.identifierProblem(value) {
                errors.append(CDEventValidationError(.invalidValue, path: path, problem))
            }
        }
        if let problem = StorageLimits.timestampProblem(context.timestamp.text) {
            errors.append(CDEventValidationError(.invalidValue, path: "context.timestamp", problem))
        }
        if let path = StorageLimits.nulPath(in: jsonValue, at: "") {
            errors.append(CDEventValidationError(.invalidValue, path: path, StorageLimits.nulReason))
        }
        return errors
    }

    private func checkURIReference(_ value: String, _ path: String, _ fail: (CDEventValidationError.Kind, String, String) -> Void) {
        if value.isEmpty {
            fail(.invalidValue, path, "must not be empty")
        } else if !CDEventURI.isURIReference(value) {
            fail(.invalidValue, path, "must be a URI-reference (RFC 3986) such as /cluster/ns or https://ci.example.com, got \"\(value)\"")
        }
    }

    /// custom/schema.json: `…\.[0-9]\.[0-9]\.[0-9]$`.
    private static func isCustomSchemaVersion(_ version: CDEventVersion) -> Bool {
        [version.major, version.minor, version.patch].allSatisfy { (0...9).contains($0) }
    }

    /// RFC 3339 §5.6 allows only "T"/"t" between date and time (PacerCore.RFC3339 also reads a space).
    private static func hasDateTimeSeparator(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count > 10 && (bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t"))
    }
}

/// Strict checks of `context.links` against schemas/links/embeddedlink{path,relation,end}.json.
enum CDEventLinks {
    private static let contextRef: CDEventSchemaNode = .object([("contextId", .string(minLength: 1))], required: ["contextId"], closed: false)
    private static let tags: CDEventSchemaNode = .object([], required: [], closed: false)
    static let schemas: [String: CDEventSchemaNode] = [
        "PATH": .object(
            [("linkType", .string(allowed: ["PATH"])), ("from", contextRef), ("tags", tags)], required: ["linkType", "from"], closed: true),
        "RELATION": .object(
            [
                ("linkType", .string(allowed: ["RELATION"])), ("linkKind", .string(minLength: 1)),
                ("target", .object([("contextId", .string(minLength: 1))], required: [], closed: false)), ("tags", tags),
            ], required: ["linkType", "linkKind", "target"], closed: true),
        "END": .object([("linkType", .string(allowed: ["END"])), ("from", contextRef), ("tags", tags)], required: ["linkType"], closed: true),
    ]

    static func check(_ links: [JSONValue]) -> [CDEventValidationError] {
        var errors: [CDEventValidationError] = []
        for (index, link) in links.enumerated() {
            let path = "context.links[\(index)]"
            guard let linkType = link["linkType"]?.stringValue, let schema = schemas[linkType] else {
                errors.append(CDEventValidationError(.invalidValue, path: "\(path).linkType", "must be one of PATH, RELATION, END"))
                continue
            }
            var checker = CDEventSchemaChecker(mode: .strict, typeName: "a \(linkType) link")
            checker.check(link, against: schema, path: path)
            errors += checker.errors
        }
        return errors
    }
}
