import PacerCore

extension CDEvent {
    /// The event in CDEvents v0.5.1 form, the form Pacer stores and emits.
    ///
    /// Rules (from the schema changes between v0.4.1 and v0.5.1):
    /// - `context.version` becomes `context.specversion`, value `"0.5.1"`;
    /// - a known type gets its v0.5.1 version (`service.deployed.0.2.0` → `0.3.0`); custom and unknown types keep theirs;
    /// - `subject.type` is dropped (kept only where v0.5.1 still allows it: ticket.closed with "ticket");
    /// - inside `subject.content`, a `url` member becomes `uri` wherever the v0.5.1 schema declares `uri` and no
    ///   `url` (environment.*, pipelinerun.*, taskrun.*, repository.*, testsuiterun.queued `testSuite`); `viewUrl` stays;
    /// - test outcomes of v0.4 (`pass`, `fail`) become `success`, `failure` where v0.5.1 has that enum.
    /// Everything else (ids, timestamps as text, links, customData, unknown content fields) is kept unchanged,
    /// so normalising a v0.5.1 event returns it as is.
    public func normalized() -> CDEvent {
        var copy = self
        copy.context.versionField = .specversion
        copy.context.specversion = CDEventVersion.specification.description
        guard let entry = CDEventTypeRegistry.entry(for: context.type) else {
            return copy
        }
        copy.context.type = entry.type
        if let type = subject.type, type != entry.subjectType {
            copy.subject.type = nil
        }
        if case .object(let normalizedContent) = Self.normalize(.object(subject.content), node: entry.content) {
            copy.subject.content = normalizedContent
        }
        return copy
    }

    private static let legacyOutcomes: [String: String] = ["pass": "success", "fail": "failure"]

    private static func normalize(_ value: JSONValue, node: CDEventSchemaNode) -> JSONValue {
        switch (value, node) {
        case (.object(var members), .object(let properties, _, _)):
            let declared = Set(properties.map(\.0))
            if declared.contains("uri"), !declared.contains("url"), members["uri"] == nil, let url = members.removeValue(forKey: "url") {
                members["uri"] = url
            }
            for (name, child) in properties {
                if let member = members[name] { members[name] = normalize(member, node: child) }
            }
            return .object(members)
        case (.array(let elements), .array(let items)):
            return .array(elements.map { normalize($0, node: items) })
        case (.string(let text), .string(_, _, let allowed?)):
            if let replacement = legacyOutcomes[text], allowed.contains(replacement), !allowed.contains(text) {
                return .string(replacement)
            }
            return value
        default:
            return value
        }
    }
}
