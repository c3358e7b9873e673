/// The CDEvents types Pacer knows: every type of CDEvents v0.5.1, with the versions older releases gave it.
///
/// Acceptance rule: an official (`dev.cdevents.`) type is accepted when its subject/predicate is one of the 45
/// v0.5.1 types and its version is one that some release of the spec (v0.1.0 … v0.5.1) used for that pair
/// (for example service.deployed: 0.1.0, 0.1.1, 0.2.0, 0.3.0). Unknown pairs and unreleased versions are refused.
/// Custom types (`dev.cdeventsx.`) are accepted with any version; their content is free-form.
/// The table is generated from the schemas (`CDEventTypeRegistry+Table.swift`).
public enum CDEventTypeRegistry {
    /// One known event type.
    public struct Entry: Sendable {
        public let subject: String
        public let predicate: String
        /// The version in CDEvents v0.5.1, the one Pacer emits.
        public let version: CDEventVersion
        /// Every version any spec release used for this subject/predicate (ascending, includes `version`).
        public let acceptedVersions: [CDEventVersion]
        /// The schema's `$id` (`https://cdevents.dev/0.5.1/schema/service-deployed-event`).
        public let schemaId: String
        /// The schema file name in the spec repository (`servicedeployed.json`).
        public let schemaFile: String
        /// The only `subject.type` value v0.5.1 still allows (ticket.closed: "ticket"); nil elsewhere.
        public let subjectType: String?
        /// The `subject.content` schema.
        let content: CDEventSchemaNode

        init(
            subject: String, predicate: String, version: CDEventVersion, acceptedVersions: [CDEventVersion], schemaId: String,
            schemaFile: String, subjectType: String? = nil, content: CDEventSchemaNode
        ) {
            self.subject = subject
            self.predicate = predicate
            self.version = version
            self.acceptedVersions = acceptedVersions
            self.schemaId = schemaId
            self.schemaFile = schemaFile
            self.subjectType = subjectType
            self.content = content
        }

        /// `subject.predicate`.
        public var name: String { "\(subject).\(predicate)" }
        /// The v0.5.1 type (`dev.cdevents.service.deployed.0.3.0`).
        public var type: CDEventType { CDEventType(subject: subject, predicate: predicate, version: version) }
        /// Names of the `subject.content` fields the v0.5.1 schema requires (top level only).
        public var requiredContentFields: [String] {
            if case .object(_, let required, _) = content { return required }
            return []
        }
    }

    /// All 45 known types, sorted by subject then predicate.
    public static let entries: [Entry] = generatedEntries

    private static let byName: [String: Entry] = Dictionary(
        generatedEntries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })

    /// The entry for `subject.predicate` (`"service.deployed"`), if known.
    public static func entry(named name: String) -> Entry? { byName[name] }

    /// The entry for an official type (any version), nil for custom or unknown types.
    public static func entry(for type: CDEventType) -> Entry? {
        type.isCustom ? nil : byName[type.name]
    }

    /// The current (v0.5.1) type strings of every known type.
    public static var currentTypes: [CDEventType] { entries.map(\.type) }

    /// Checks that Pacer accepts `type`; returns its entry (nil for a custom type).
    /// The error (path `context.type`) names the type and says what Pacer accepts instead.
    @discardableResult
    public static func resolve(_ type: CDEventType) throws(CDEventValidationError) -> Entry? {
        if type.isCustom { return nil }
        guard let entry = byName[type.name] else {
            let predicates = entries.filter { $0.subject == type.subject }.map(\.predicate)
            let hint =
                predicates.isEmpty
                ? "known subjects are \(Set(entries.map(\.subject)).sorted().joined(separator: ", "))"
                : "\(type.subject) events are \(predicates.joined(separator: ", "))"
            throw CDEventValidationError(
                .unknownType, path: "context.type",
                "unknown CDEvents type \(type): \(type.name) is not an event of CDEvents \(CDEventVersion.specification) (\(hint))")
        }
        guard entry.acceptedVersions.contains(type.version) else {
            throw CDEventValidationError(
                .unsupportedVersion, path: "context.type",
                "unsupported CDEvents type \(type): Pacer accepts \(type.name) versions "
                    + entry.acceptedVersions.map(\.description).joined(separator: ", "))
        }
        return entry
    }
}

/// How strictly `CDEvent.validate(_:)` checks an event.
public enum CDEventValidationMode: Sendable, Hashable {
    /// For events Pacer receives: v0.3/v0.4/v0.5 envelopes, any released version of a known type, required
    /// fields (per the v0.5.1 schema; a legacy `url` counts for `uri`), JSON types and non-empty values.
    /// Unknown `subject.content` fields, `uri` formats and enum values are not checked.
    case received
    /// For events Pacer emits: everything the official v0.5.1 JSON schema checks (formats, enums, no unknown
    /// fields, link objects), plus `context.specversion` "0.5.1" and the v0.5.1 version of the type.
    case strict
}
