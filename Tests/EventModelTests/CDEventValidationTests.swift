import Foundation
import PacerCore
import Testing

@testable import EventModel

@Suite("CDEvents: validation of received events")
struct CDEventValidationTests {
    @Test(arguments: [
        (["context"], "context: required"),
        (["subject"], "subject: required"),
        (["context", "specversion"], "context.specversion: required (\"version\" in CDEvents 0.4 and older)"),
        (["context", "id"], "context.id: required"),
        (["context", "source"], "context.source: required"),
        (["context", "type"], "context.type: required"),
        (["context", "timestamp"], "context.timestamp: required"),
        (["subject", "id"], "subject.id: required"),
        (["subject", "content"], "subject.content: required"),
        (["subject", "content", "artifactId"], "subject.content.artifactId: required by dev.cdevents.service.deployed.0.3.0"),
        (["subject", "content", "environment"], "subject.content.environment: required by dev.cdevents.service.deployed.0.3.0"),
        (["subject", "content", "environment", "id"], "subject.content.environment.id: required by dev.cdevents.service.deployed.0.3.0"),
    ])
    func serviceDeployedMissingFieldGivesItsMessage(path: [String], message: String) throws {
        let json = try CDEventFixtures.example("service_deployed.json").removing(path)
        #expect(cdEventError(json)?.description == message)
        #expect(cdEventError(json, mode: .strict)?.description == message)
    }

    @Test(arguments: [
        (["subject", "content", "environment", "id"], "subject.content.environment.id: required by dev.cdevents.incident.reported.0.3.0"),
        (["subject", "content", "ticketURI"], "subject.content.ticketURI: required by dev.cdevents.incident.reported.0.3.0"),
        (["subject", "content", "environment"], "subject.content.environment: required by dev.cdevents.incident.reported.0.3.0"),
        (["subject", "content", "service", "id"], "subject.content.service.id: required by dev.cdevents.incident.reported.0.3.0"),
    ])
    func incidentReportedMissingFieldGivesItsMessage(path: [String], message: String) throws {
        let json = try CDEventFixtures.example("incident_reported.json").removing(path)
        let error = try #require(cdEventError(json))
        #expect(error.description == message)
        #expect(error.kind == .missing)
    }

    /// For every type: dropping any required content field (nested ones inside present objects too) is refused
    /// with "<path>: required by <type>", exactly as the schema requires it.
    @Test func everyRequiredContentFieldOfEveryTypeIsEnforced() throws {
        var checked = 0
        for (name, json) in try CDEventFixtures.conformanceExamples() {
            let event = try CDEvent(json: json)
            guard let entry = CDEventTypeRegistry.entry(for: event.context.type) else { continue }
            for path in Self.requiredPaths(entry.content, in: .object(event.subject.content), prefix: []) {
                let broken = json.removing(["subject", "content"] + path)
                let expected = "subject.content.\(path.joined(separator: ".")): required by \(event.context.type)"
                #expect(cdEventError(broken)?.description == expected, "\(name)")
                checked += 1
            }
        }
        #expect(checked >= 40)
    }

    static func requiredPaths(_ node: CDEventSchemaNode, in value: JSONValue, prefix: [String]) -> [[String]] {
        guard case .object(let properties, let required, _) = node else { return [] }
        var paths: [[String]] = []
        for (name, child) in properties {
            if required.contains(name) { paths.append(prefix + [name]) }
            if let member = value[name] { paths += requiredPaths(child, in: member, prefix: prefix + [name]) }
        }
        return paths
    }

    @Test func unknownTypeIsRefusedWithMessage() throws {
        let json = try CDEventFixtures.example("service_deployed.json").setting(["context", "type"], to: "dev.cdevents.service.teleported.0.1.0")
        let error = try #require(cdEventError(json))
        #expect(error.kind == .unknownType)
        #expect(error.description.hasPrefix("context.type: unknown CDEvents type dev.cdevents.service.teleported.0.1.0"))
        let unparsable = try CDEventFixtures.example("service_deployed.json").setting(["context", "type"], to: "service.deployed")
        #expect(cdEventError(unparsable)?.description.hasPrefix("context.type: \"service.deployed\" is not a CDEvents type") == true)
    }

    @Test(arguments: [
        (["context", "timestamp"], JSONValue.string("2023-03-20 14:27"), "context.timestamp: must be an RFC 3339 date-time such as 2024-05-01T10:00:00Z, got \"2023-03-20 14:27\""),
        (["context", "id"], "", "context.id: must not be empty"),
        (["context", "id"], 42, "context.id: must be a string, got integer"),
        (["context", "source"], "has space", "context.source: must be a URI-reference (RFC 3986) such as /cluster/ns or https://ci.example.com, got \"has space\""),
        (["context", "schemaUri"], "/not/absolute", "context.schemaUri: must be an absolute URI (RFC 3986), got \"/not/absolute\""),
        (["context", "links"], "nope", "context.links: must be an array, got string"),
        (["context", "extra"], "x", "context.extra: unknown field (context has chainId, id, links, schemaUri, source, specversion, timestamp, type, version)"),
        (["subject", "id"], "", "subject.id: must not be empty"),
        (["subject", "content"], JSONValue.array([]), "subject.content: must be a JSON object, got array"),
        (["subject", "content", "artifactId"], "", "subject.content.artifactId: must not be empty"),
        (["subject", "content", "environment"], "prod", "subject.content.environment: must be an object, got string"),
        (["customData"], 7, "customData: must be a JSON object or a (Base64) string, got integer"),
    ])
    func invalidValuesAreRefused(path: [String], value: JSONValue, message: String) throws {
        let json = try CDEventFixtures.example("service_deployed.json").setting(path, to: value)
        #expect(cdEventError(json)?.description == message)
    }

    @Test func nonObjectIsRefused() {
        #expect(cdEventError([1, 2])?.description == "a CDEvent must be a JSON object, got array")
    }

    @Test func receivedModeToleratesUnknownContentFieldsStrictModeDoesNot() throws {
        let json = try CDEventFixtures.example("service_deployed.json").setting(["subject", "content", "environment", "name"], to: "prod")
        #expect(cdEventError(json) == nil)
        #expect(
            cdEventError(json, mode: .strict)?.description
                == "subject.content.environment.name: unknown field, not allowed by dev.cdevents.service.deployed.0.3.0")
    }

    @Test func strictModeChecksFormatsAndEnums() throws {
        let reported = try CDEventFixtures.example("incident_reported.json").setting(["subject", "content", "ticketURI"], to: "example.issues.com/ticket123")
        #expect(cdEventError(reported) == nil)
        #expect(
            cdEventError(reported, mode: .strict)?.description
                == "subject.content.ticketURI: must be an absolute URI (RFC 3986) such as https://example.com/x, got \"example.issues.com/ticket123\"")
        let finished = try CDEventFixtures.example("pipelinerun_finished.json").setting(["subject", "content", "outcome"], to: "ok")
        #expect(cdEventError(finished) == nil)
        #expect(cdEventError(finished, mode: .strict)?.description == "subject.content.outcome: must be one of success, failure, cancel, error, got \"ok\"")
        let badLink = try CDEventFixtures.example("service_deployed.json").setting(["context", "links"], to: [["linkType": "PATH"]])
        #expect(cdEventError(badLink) == nil)
        #expect(cdEventError(badLink, mode: .strict)?.description == "context.links[0].from: required by a PATH link")
    }
}
