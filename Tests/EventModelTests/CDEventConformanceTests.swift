import Foundation
import PacerCore
import Testing

@testable import EventModel

@Suite("CDEvents: official v0.5.1 conformance examples")
struct CDEventConformanceTests {
    @Test func everyExampleDecodesValidatesAndRoundTrips() throws {
        let examples = try CDEventFixtures.conformanceExamples()
        #expect(examples.count == 46)
        for (name, json) in examples {
            let event = try CDEvent(json: json)
            #expect(event.validationErrors(.received) == [], "\(name) (received)")
            #expect(event.validationErrors(.strict) == [], "\(name) (strict)")
            // Normalising a v0.5.1 event changes nothing, and re-encoding gives the input back.
            let normalized = event.normalized()
            #expect(normalized == event, "\(name): normalized() changed a v0.5.1 event")
            #expect(normalized.jsonValue == json, "\(name): re-encoding differs from the input")
            #expect(normalized.jsonValue.jsonString() == json.jsonString(), "\(name): serialised bytes differ")
        }
    }

    @Test func everyKnownTypeHasAnExampleAndEveryExampleHasAKnownType() throws {
        let examples = try CDEventFixtures.conformanceExamples()
        let exampleTypes = Set(try examples.compactMap { try CDEvent(json: $0.json).context.type }.filter { !$0.isCustom })
        #expect(exampleTypes == Set(CDEventTypeRegistry.currentTypes))
        #expect(CDEventTypeRegistry.entries.count == 45)
    }

    @Test func cloudEventBindingRoundTrip() throws {
        for (name, json) in try CDEventFixtures.conformanceExamples() {
            let event = try CDEvent(json: json)
            let cloudEvent = event.cloudEvent()
            #expect(cloudEvent.id == event.context.id, "\(name)")
            #expect(cloudEvent.source == event.context.source)
            #expect(cloudEvent.type == event.context.type.description)
            #expect(cloudEvent.subject == event.subject.id)
            #expect(cloudEvent.time == event.context.timestamp.text)
            #expect(cloudEvent.datacontenttype == "application/json")
            #expect(cloudEvent.specversion == "1.0")
            #expect(cloudEvent.data == .json(json))
            #expect(cloudEvent.dataschema == CDEventTypeRegistry.entry(for: event.context.type)?.schemaId)
            #expect(try CDEvent(cloudEvent: cloudEvent) == event)
        }
    }

    @Test func cloudEventInBinaryModeIsRead() throws {
        let json = try CDEventFixtures.example("service_deployed.json")
        let cloudEvent = CloudEvent(
            id: "x", source: "/elsewhere", type: "dev.cdevents.service.deployed.0.3.0", datacontenttype: "application/json",
            data: .binary(Array(json.jsonData())))
        let event = try CDEvent(cloudEvent: cloudEvent)
        #expect(event.subject.content["artifactId"]?.stringValue?.hasPrefix("pkg:oci/myapp") == true)
    }

    @Test func cloudEventWithMismatchedTypeOrNoDataIsRefused() throws {
        let json = try CDEventFixtures.example("service_deployed.json")
        var cloudEvent = try CDEvent(json: json).cloudEvent()
        cloudEvent.type = "dev.cdevents.service.upgraded.0.3.0"
        #expect(throws: CDEventValidationError.self) { try CDEvent(cloudEvent: cloudEvent) }
        do {
            _ = try CDEvent(cloudEvent: cloudEvent)
        } catch {
            #expect(error.path == "cloudevent.type")
            #expect(error.description.contains("dev.cdevents.service.deployed.0.3.0"))
        }
        cloudEvent.data = nil
        do {
            _ = try CDEvent(cloudEvent: cloudEvent)
            Issue.record("a CloudEvent without data was accepted")
        } catch {
            #expect(error.description == "cloudevent.data: a CDEvents CloudEvent carries the whole CDEvent as JSON data")
        }
        cloudEvent.data = .binary(Array("not json".utf8))
        #expect(throws: CDEventValidationError.self) { try CDEvent(cloudEvent: cloudEvent) }
    }

    @Test func conformanceExamplesPassThePythonValidator() async throws {
        let run = try await CDEventFixtures.runValidator(try CDEventFixtures.conformanceExamples().map(\.json))
        #expect(run.status == 0, "validator output: \(run.stdout) \(run.stderr)")
        #expect(run.stdout == "46 valid\n")
    }
}

@Suite("CDEvents: generated schema table matches the schema files")
struct CDEventSchemaTableTests {
    @Test func tableMatchesEverySchemaFile() throws {
        let folder = try CDEventFixtures.specDir().appendingPathComponent("schemas")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count == 45)
        for file in files {
            let schema = try CDEventFixtures.json(at: folder.appendingPathComponent(file))
            let typeText = try #require(schema[path: ["properties", "context", "properties", "type", "enum"]]?[0]?.stringValue)
            let type = try CDEventType(parsing: typeText)
            let entry = try #require(CDEventTypeRegistry.entry(for: type), "\(file): \(typeText) missing from the table")
            #expect(entry.type == type, "\(file)")
            #expect(entry.schemaFile == file)
            #expect(entry.schemaId == schema["$id"]?.stringValue)
            #expect(entry.acceptedVersions.contains(entry.version))
            #expect(entry.acceptedVersions == entry.acceptedVersions.sorted())
            let content = try #require(schema[path: ["properties", "subject", "properties", "content"]])
            #expect(Self.describe(entry.content) == Self.describe(schema: content), "\(file): subject.content schema drifted")
            let subjectType = schema[path: ["properties", "subject", "properties", "type", "enum"]]?[0]?.stringValue
            #expect(entry.subjectType == subjectType, "\(file)")
        }
    }

    /// Canonical text of a table node.
    static func describe(_ node: CDEventSchemaNode) -> String {
        switch node {
        case .string(let minLength, let format, let allowed):
            return "string(min:\(minLength),format:\(format?.rawValue ?? "-"),enum:\(allowed?.joined(separator: "|") ?? "-"))"
        case .array(let items):
            return "array(\(describe(items)))"
        case .object(let properties, let required, let closed):
            let members = properties.sorted { $0.0 < $1.0 }.map { "\($0.0):\(describe($0.1))" }.joined(separator: ",")
            return "object(\(members);required:\(required.joined(separator: "|"));closed:\(closed))"
        }
    }

    /// The same canonical text computed from the JSON schema (an `anyOf` of strings folds to its loosest string).
    static func describe(schema: JSONValue) -> String {
        if let branches = schema["anyOf"]?.arrayValue {
            let minimum = branches.map { branch -> Int in
                if let values = branch["enum"]?.arrayValue { return values.compactMap { $0.stringValue?.unicodeScalars.count }.min() ?? 0 }
                return Int(branch["minLength"]?.intValue ?? 0)
            }.min() ?? 0
            return "string(min:\(minimum),format:-,enum:-)"
        }
        switch schema["type"]?.stringValue {
        case "string":
            let allowed = schema["enum"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "|") ?? "-"
            return "string(min:\(schema["minLength"]?.intValue ?? 0),format:\(schema["format"]?.stringValue ?? "-"),enum:\(allowed))"
        case "array":
            return "array(\(describe(schema: schema["items"] ?? .null)))"
        case "object":
            // JSONValue objects are unordered: compare properties sorted by name on both sides.
            let properties = (schema["properties"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
            let members = properties.map { "\($0.key):\(describe(schema: $0.value))" }.joined(separator: ",")
            let required = schema["required"]?.arrayValue?.compactMap(\.stringValue).joined(separator: "|") ?? ""
            let closed = schema["additionalProperties"] == .bool(false)
            return "object(\(members);required:\(required);closed:\(closed))"
        default:
            return "unsupported(\(schema.jsonString()))"
        }
    }
}
