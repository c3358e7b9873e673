import EventModel
import PacerCore

/// A CloudEvents Subscriptions API filter (CloudEvents Subscriptions API §3.2.4, the dialects Knative Trigger
/// `filters` use), evaluable against a ``CloudEvent``.
///
/// `exact`, `prefix` and `suffix` compare an attribute's value as a string, case-sensitively; several attributes
/// in one dialect must all match. An attribute the event does not carry (context attribute or extension) never
/// matches. `all` matches when every nested filter matches (an empty list matches), `any` when at least one does,
/// `not` when its filter does not.
public indirect enum EventFilter: Sendable, Hashable {
    case exact([String: String])
    case prefix([String: String])
    case suffix([String: String])
    case all([EventFilter])
    case any([EventFilter])
    case not(EventFilter)

    /// The dialect names, as written in YAML.
    public static let dialects = ["exact", "prefix", "suffix", "all", "any", "not"]

    /// How deep dialects may nest (`all`/`any`/`not` inside each other).
    public static let maxDepth = 16

    /// Parses one filter object (`{exact: {type: x}}`); errors carry field paths under `path`.
    public init(json: JSONValue, path: String) throws(SpecErrors) {
        var errors: [SpecError] = []
        let parsed = Self.parse(json, path: path, depth: 0, errors: &errors)
        guard errors.isEmpty, let parsed else { throw SpecErrors(errors) }
        self = parsed
    }

    /// Whether `event` passes this filter.
    public func matches(_ event: CloudEvent) -> Bool {
        switch self {
        case .exact(let attributes):
            return attributes.allSatisfy { name, value in Self.attribute(name, of: event) == value }
        case .prefix(let attributes):
            return attributes.allSatisfy { name, value in Self.attribute(name, of: event)?.hasPrefix(value) ?? false }
        case .suffix(let attributes):
            return attributes.allSatisfy { name, value in Self.attribute(name, of: event)?.hasSuffix(value) ?? false }
        case .all(let filters):
            return filters.allSatisfy { $0.matches(event) }
        case .any(let filters):
            return filters.contains { $0.matches(event) }
        case .not(let filter):
            return !filter.matches(event)
        }
    }

    /// The string value of a context attribute or extension; nil when the event has none.
    public static func attribute(_ name: String, of event: CloudEvent) -> String? {
        switch name {
        case "id": return event.id
        case "source": return event.source
        case "specversion": return event.specversion
        case "type": return event.type
        case "subject": return event.subject
        case "time": return event.time
        case "datacontenttype": return event.datacontenttype
        case "dataschema": return event.dataschema
        default:
            switch event.extensions[name] {
            case .string(let text): return text
            case .bool(let flag): return flag ? "true" : "false"
            case .int(let number): return String(number)
            case .double(let number): return String(number)
            default: return nil
            }
        }
    }

    private static func parse(_ json: JSONValue, path: String, depth: Int, errors: inout [SpecError]) -> EventFilter? {
        guard depth < maxDepth else {
            errors.append(SpecError(path: path, "filters nest more than \(maxDepth) levels deep"))
            return nil
        }
        guard let object = json.objectValue else {
            errors.append(SpecError(path: path, "must be an object with one of \(dialects.joined(separator: ", ")), got \(json.typeName)"))
            return nil
        }
        guard object.count == 1, let (dialect, body) = object.first else {
            let found = object.keys.sorted().joined(separator: ", ")
            errors.append(
                SpecError(path: path, "must have exactly one of \(dialects.joined(separator: ", ")), found \(found.isEmpty ? "none" : found)"))
            return nil
        }
        let inner = "\(path).\(dialect)"
        switch dialect {
        case "exact", "prefix", "suffix":
            guard let attributes = parseAttributes(body, path: inner, errors: &errors) else { return nil }
            return dialect == "exact" ? .exact(attributes) : dialect == "prefix" ? .prefix(attributes) : .suffix(attributes)
        case "all", "any":
            guard let items = body.arrayValue else {
                errors.append(SpecError(path: inner, "must be a list of filters, got \(body.typeName)"))
                return nil
            }
            if dialect == "any" && items.isEmpty {
                errors.append(SpecError(path: inner, "must contain at least one filter"))
                return nil
            }
            var filters: [EventFilter] = []
            for (index, item) in items.enumerated() {
                if let filter = parse(item, path: "\(inner)[\(index)]", depth: depth + 1, errors: &errors) { filters.append(filter) }
            }
            return dialect == "all" ? .all(filters) : .any(filters)
        case "not":
            return parse(body, path: inner, depth: depth + 1, errors: &errors).map(EventFilter.not)
        default:
            errors.append(SpecError(path: inner, "unknown filter dialect; use one of \(dialects.joined(separator: ", "))"))
            return nil
        }
    }

    private static func parseAttributes(_ body: JSONValue, path: String, errors: inout [SpecError]) -> [String: String]? {
        guard let object = body.objectValue, !object.isEmpty else {
            errors.append(SpecError(path: path, "must map at least one attribute name to a string value"))
            return nil
        }
        var attributes: [String: String] = [:]
        var valid = true
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            if !isAttributeName(name) {
                errors.append(SpecError(path: "\(path).\(name)", "is not a CloudEvents attribute name (lowercase letters and digits)"))
                valid = false
            }
            guard let text = value.stringValue else {
                errors.append(SpecError(path: "\(path).\(name)", "must be a string, got \(value.typeName)"))
                valid = false
                continue
            }
            attributes[name] = text
        }
        return valid ? attributes : nil
    }

    private static func isAttributeName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) }
    }
}
