import EventModel
import Expressions
import PacerCore

/// A validated CDEventTransform spec: the output type and the compiled field expressions.
public struct CompiledTransform: Sendable {
    /// A `subject.content` entry: an expression, or an object of nested entries (e.g. `environment: {id, source}`).
    public indirect enum ContentField: Sendable {
        case expression(CompiledExpression)
        case object([(name: String, field: ContentField)])
    }

    public let outputType: CDEventType
    /// The registry entry of the output type; nil for a custom (`dev.cdeventsx.`) type.
    public let entry: CDEventTypeRegistry.Entry?
    /// `context.source`; nil means the CloudEvent's source.
    public let source: CompiledExpression?
    public let subjectId: CompiledExpression
    public let subjectSource: CompiledExpression?
    /// `subject.content` fields, sorted by name.
    public let content: [(name: String, field: ContentField)]
    public let customData: CompiledExpression?
    /// `context.timestamp`; nil means the CloudEvent's time.
    public let timestamp: CompiledExpression?
    /// The CDEvent's identity (`spec.id`); nil means the CloudEvent's source and id.
    public let identity: CompiledExpression?
    /// `spec.forEach`: the list to fan out over; nil means one CDEvent per CloudEvent.
    public let forEach: CompiledExpression?

    /// At most this many CDEvents come out of one CloudEvent through `spec.forEach` (a GitHub push lists at most
    /// 2,048 commits); a longer list fails the event rather than flooding `cdevents_raw`.
    public static let maxFanOut = 4096
}

extension CDEventTransformSpec {
    /// How deep `subject.content` objects may nest.
    public static let maxContentDepth = 4

    /// Validates the spec: the output type must be a CDEvents type Pacer knows (at a released version) or a custom
    /// `dev.cdeventsx.` type, every expression must compile, and the type's required content fields must be set.
    public func compile() -> Result<CompiledTransform, SpecErrors> {
        var checker = SpecChecker()
        var outputType: CDEventType?
        var entry: CDEventTypeRegistry.Entry?
        do {
            let parsed = try CDEventType(parsing: output.type)
            entry = try CDEventTypeRegistry.resolve(parsed)
            outputType = parsed
        } catch {
            checker.fail("spec.output.type", error.reason)
        }
        let source = self.source.flatMap { checker.compile($0, path: "spec.source", variables: nil, expecting: nil) }
        let subjectId = checker.compile(subject.id, path: "spec.subject.id", variables: nil, expecting: nil)
        let subjectSource = subject.source.flatMap {
            checker.compile($0, path: "spec.subject.source", variables: nil, expecting: nil)
        }
        let content = Self.compileContent(subject.content ?? [:], path: "spec.subject.content", depth: 1, checker: &checker)
        let customData = self.customData.flatMap { checker.compile($0, path: "spec.customData", variables: nil, expecting: nil) }
        let timestamp = self.timestamp.flatMap { checker.compile($0, path: "spec.timestamp", variables: nil, expecting: nil) }
        let identity = self.id.flatMap { checker.compile($0, path: "spec.id", variables: nil, expecting: nil) }
        let forEach = self.forEach.flatMap { checker.compile($0, path: "spec.forEach", variables: nil, expecting: nil) }
        if let entry {
            let given = Set((subject.content ?? [:]).keys)
            for field in entry.requiredContentFields where !given.contains(field) {
                checker.fail("spec.subject.content.\(field)", "is required by \(entry.name) events")
            }
        }
        guard let outputType, let subjectId else {
            return .failure(SpecErrors(checker.errors))
        }
        return checker.result(
            CompiledTransform(
                outputType: outputType, entry: entry, source: source, subjectId: subjectId, subjectSource: subjectSource,
                content: content, customData: customData, timestamp: timestamp, identity: identity,
                forEach: forEach))
    }

    private static func compileContent(
        _ fields: [String: JSONValue], path: String, depth: Int, checker: inout SpecChecker
    ) -> [(name: String, field: CompiledTransform.ContentField)] {
        var out: [(name: String, field: CompiledTransform.ContentField)] = []
        for (name, value) in fields.sorted(by: { $0.key < $1.key }) {
            let fieldPath = "\(path).\(name)"
            switch value {
            case .string(let source):
                if let compiled = checker.compile(source, path: fieldPath, variables: nil, expecting: nil) {
                    out.append((name, .expression(compiled)))
                }
            case .object(let nested):
                guard depth < maxContentDepth else {
                    checker.fail(fieldPath, "content objects nest more than \(maxContentDepth) levels deep")
                    continue
                }
                if nested.isEmpty { checker.fail(fieldPath, "must not be an empty object") }
                out.append((name, .object(compileContent(nested, path: fieldPath, depth: depth + 1, checker: &checker))))
            default:
                checker.fail(fieldPath, "must be an expression (string) or an object of expressions, got \(value.typeName)")
            }
        }
        return out
    }
}

extension CDEventTransformSpec {
    /// The CRD `pattern` for CDEvents types: every subject and predicate of `CDEventTypeRegistry` (any
    /// `major.minor.patch` version), or a custom `dev.cdeventsx.<tool>-<subject>.<predicate>.<version>` type.
    /// `crds/cdeventtransform.yaml` and `crds/metricdefinition.yaml` carry this exact string (a test checks it).
    public static var outputTypePattern: String {
        var bySubject: [String: [String]] = [:]
        for entry in CDEventTypeRegistry.entries { bySubject[entry.subject, default: []].append(entry.predicate) }
        let official = bySubject.keys.sorted().map { subject in
            "\(subject)\\.(\(bySubject[subject, default: []].sorted().joined(separator: "|")))"
        }.joined(separator: "|")
        return "^(dev\\.cdevents\\.(\(official))|dev\\.cdeventsx\\.[a-z0-9]+-[a-z]+\\.[a-z]+)\\.[0-9]+\\.[0-9]+\\.[0-9]+$"
    }
}
