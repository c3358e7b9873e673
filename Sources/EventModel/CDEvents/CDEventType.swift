/// A CDEvents event type: `dev.cdevents.<subject>.<predicate>.<major.minor.patch>`, or a custom type
/// `dev.cdeventsx.<tool>-<subject>.<predicate>.<major.minor.patch>` (CDEvents spec §type, custom events).
///
/// Parsing checks only the grammar; whether Pacer knows the type is `CDEventTypeRegistry`'s job.
public struct CDEventType: Sendable, Hashable, CustomStringConvertible, LosslessStringConvertible {
    /// The subject (`service`, `pipelinerun`; for custom types the part after `<tool>-`).
    public var subject: String
    /// The predicate (`deployed`, `finished`).
    public var predicate: String
    public var version: CDEventVersion
    /// The tool name of a custom (`dev.cdeventsx.`) type; nil for the official vocabulary.
    public var customTool: String?

    public init(subject: String, predicate: String, version: CDEventVersion, customTool: String? = nil) {
        self.subject = subject
        self.predicate = predicate
        self.version = version
        self.customTool = customTool
    }

    public static let prefix = "dev.cdevents."
    public static let customPrefix = "dev.cdeventsx."

    public var isCustom: Bool { customTool != nil }

    /// `subject.predicate`, the version-independent name (`service.deployed`; custom: `mytool-resource.created`).
    public var name: String {
        if let customTool { return "\(customTool)-\(subject).\(predicate)" }
        return "\(subject).\(predicate)"
    }

    public var description: String {
        (isCustom ? Self.customPrefix : Self.prefix) + name + "." + version.description
    }

    /// The same subject and predicate at another version.
    public func with(version: CDEventVersion) -> CDEventType {
        var copy = self
        copy.version = version
        return copy
    }

    public init?(_ description: String) {
        guard let parsed = try? CDEventType(parsing: description) else { return nil }
        self = parsed
    }

    /// Parses a type string; the error (path `context.type`) says which part is wrong.
    public init(parsing text: String) throws(CDEventValidationError) {
        func fail(_ why: String) -> CDEventValidationError {
            CDEventValidationError(
                .unknownType, path: "context.type",
                "\"\(text)\" is not a CDEvents type: \(why) (expected dev.cdevents.<subject>.<predicate>.<major.minor.patch>)")
        }
        let custom: Bool
        let rest: Substring
        if text.hasPrefix(Self.customPrefix) {
            custom = true
            rest = text.dropFirst(Self.customPrefix.count)
        } else if text.hasPrefix(Self.prefix) {
            custom = false
            rest = text.dropFirst(Self.prefix.count)
        } else {
            throw fail("it must start with \"dev.cdevents.\" (or \"dev.cdeventsx.\" for custom events)")
        }
        let parts = rest.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5 else {
            throw fail("it must have a subject, a predicate and a three-part version")
        }
        guard let version = CDEventVersion(parts[2...4].joined(separator: ".")) else {
            throw fail("\"\(parts[2...4].joined(separator: "."))\" is not a major.minor.patch version")
        }
        let predicate = String(parts[1])
        guard Self.isName(predicate, allowDigits: false) else {
            throw fail("the predicate \"\(predicate)\" must be letters only")
        }
        if custom {
            let toolAndSubject = parts[0].split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard toolAndSubject.count == 2, Self.isName(toolAndSubject[0], allowDigits: true),
                Self.isName(toolAndSubject[1], allowDigits: false)
            else {
                throw fail("a custom type needs <tool>-<subject> (tool letters/digits, subject letters), got \"\(parts[0])\"")
            }
            self.init(subject: String(toolAndSubject[1]), predicate: predicate, version: version, customTool: String(toolAndSubject[0]))
        } else {
            guard Self.isName(parts[0], allowDigits: false) else {
                throw fail("the subject \"\(parts[0])\" must be letters only")
            }
            self.init(subject: String(parts[0]), predicate: predicate, version: version)
        }
    }

    /// ASCII letters (and digits if allowed), at least one character.
    private static func isName(_ text: Substring.SubSequence, allowDigits: Bool) -> Bool {
        !text.isEmpty
            && text.utf8.allSatisfy { byte in
                (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (allowDigits && byte >= 0x30 && byte <= 0x39)
            }
    }

    private static func isName(_ text: String, allowDigits: Bool) -> Bool {
        isName(Substring(text), allowDigits: allowDigits)
    }
}
