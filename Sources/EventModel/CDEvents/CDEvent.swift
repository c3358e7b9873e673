import Foundation
import PacerCore

/// A CDEvent (CDEvents spec v0.5.1 §CDEvent): `context`, `subject`, optional `customData`.
///
/// Pacer reads events of spec 0.3, 0.4 and 0.5 (`CDEvent(json:)` keeps them as sent, so `jsonValue` gives back
/// what was received) and emits 0.5.1 (`normalized()`, builders such as `CDEvent.serviceDeployed`).
/// Check received events with `validate(.received)`; what Pacer emits passes `validate(.strict)`.
public struct CDEvent: Sendable, Hashable {
    public var context: Context
    public var subject: Subject
    /// `customData`: a JSON object, or a string (Base64 when `customDataContentType` is not JSON).
    public var customData: JSONValue?
    public var customDataContentType: String?

    public init(context: Context, subject: Subject, customData: JSONValue? = nil, customDataContentType: String? = nil) {
        self.context = context
        self.subject = subject
        self.customData = customData
        self.customDataContentType = customDataContentType
    }

    /// The CDEvent `context`.
    public struct Context: Sendable, Hashable {
        /// Which member carried the spec version: `specversion` (spec 0.5+) or `version` (spec 0.4 and older).
        public enum VersionField: String, Sendable, Hashable {
            case specversion
            case version
        }

        /// The CDEvents spec version the producer followed (`0.5.1`; `0.4.1` etc. for older producers).
        public var specversion: String
        public var versionField: VersionField
        public var id: String
        public var source: String
        public var type: CDEventType
        public var timestamp: CDEventTimestamp
        /// `schemaUri`: an extra schema (absolute URI) the event also satisfies.
        public var schemaUri: String?
        public var chainId: String?
        /// `links`, kept as JSON (an array of PATH/RELATION/END link objects).
        public var links: JSONValue?

        public init(
            specversion: String = CDEventVersion.specification.description, versionField: VersionField = .specversion, id: String,
            source: String, type: CDEventType, timestamp: CDEventTimestamp, schemaUri: String? = nil, chainId: String? = nil,
            links: JSONValue? = nil
        ) {
            self.specversion = specversion
            self.versionField = versionField
            self.id = id
            self.source = source
            self.type = type
            self.timestamp = timestamp
            self.schemaUri = schemaUri
            self.chainId = chainId
            self.links = links
        }

        /// True for a spec 0.4-or-older envelope (`context.version`).
        public var isLegacy: Bool { versionField == .version }
    }

    /// The CDEvent `subject`.
    public struct Subject: Sendable, Hashable {
        /// Identifies the subject; the same for every event about it (`service/myapp`).
        public var id: String
        /// Only when it differs from `context.source`.
        public var source: String?
        /// The type-specific fields (`environment`, `artifactId`, …).
        public var content: [String: JSONValue]
        /// `subject.type` of spec 0.4 and older (removed in 0.5.0; ticket.closed still allows "ticket").
        public var type: String?

        public init(id: String, source: String? = nil, content: [String: JSONValue] = [:], type: String? = nil) {
            self.id = id
            self.source = source
            self.content = content
            self.type = type
        }
    }
}

/// An RFC 3339 timestamp as sent (`text`, never rewritten) with its parsed value (`date`).
public struct CDEventTimestamp: Sendable, Hashable, CustomStringConvertible {
    public let text: String
    public let date: Date

    /// Parses RFC 3339 text with `PacerCore.RFC3339`; nil when it is not a valid date-time.
    public init?(_ text: String) {
        guard let date = RFC3339.parse(text) else { return nil }
        self.text = text
        self.date = date
    }

    /// Formats `date` in UTC with as many fractional digits as it needs (none, 3 or 6).
    public init(_ date: Date) {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let digits = micros % 1_000_000 == 0 ? 0 : (micros % 1000 == 0 ? 3 : 6)
        self.text = RFC3339.format(date, fractionalDigits: digits)
        self.date = RFC3339.parse(text) ?? date
    }

    public var description: String { text }
}

/// A reference to another subject (`environment`, `service`, `repository`, `change`): `{id, source?}`.
public struct CDEventReference: Sendable, Hashable, ExpressibleByStringLiteral {
    public var id: String
    /// URI-reference of the system that owns the referenced subject, when it differs from the event's source.
    public var source: String?

    public init(id: String, source: String? = nil) {
        self.id = id
        self.source = source
    }

    public init(stringLiteral value: String) { self.init(id: value) }

    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = ["id": .string(id)]
        if let source { members["source"] = .string(source) }
        return .object(members)
    }
}
