import Foundation
import PacerCore
import Testing

@testable import EventModel

@Suite("CDEvents: event types, versions and the registry")
struct CDEventTypeTests {
    @Test func parsesAndFormatsOfficialTypes() throws {
        let type = try CDEventType(parsing: "dev.cdevents.service.deployed.0.3.0")
        #expect(type.subject == "service")
        #expect(type.predicate == "deployed")
        #expect(type.version == CDEventVersion(0, 3, 0))
        #expect(!type.isCustom)
        #expect(type.name == "service.deployed")
        #expect(type.description == "dev.cdevents.service.deployed.0.3.0")
        #expect(CDEventType("dev.cdevents.pipelinerun.finished.0.10.2")?.version == CDEventVersion(0, 10, 2))
    }

    @Test func parsesAndFormatsCustomTypes() throws {
        let type = try CDEventType(parsing: "dev.cdeventsx.mytool-resource.created.0.1.0")
        #expect(type.customTool == "mytool")
        #expect(type.subject == "resource")
        #expect(type.predicate == "created")
        #expect(type.name == "mytool-resource.created")
        #expect(type.description == "dev.cdeventsx.mytool-resource.created.0.1.0")
    }

    @Test(arguments: [
        "dev.cdevents.service.deployed", "dev.cdevents.service.deployed.0.3", "dev.cdevents.service.deployed.0.3.0.1",
        "dev.cdevents.service.deployed.0.3.x", "dev.cdevents.service.deployed.v0.3.0", "com.example.service.deployed.0.3.0",
        "dev.cdevents.service-x.deployed.0.3.0", "dev.cdevents..deployed.0.3.0", "dev.cdeventsx.resource.created.0.1.0",
        "dev.cdevents.service.deployed.0.-3.0", "",
    ])
    func refusesMalformedTypes(text: String) {
        #expect(CDEventType(text) == nil)
        do {
            _ = try CDEventType(parsing: text)
            Issue.record("\(text) parsed")
        } catch {
            #expect(error.kind == .unknownType)
            #expect(error.path == "context.type")
            #expect(error.reason.contains("\"\(text)\" is not a CDEvents type"))
        }
    }

    @Test func versionsCompareNumerically() {
        #expect(CDEventVersion(0, 10, 0) > CDEventVersion(0, 9, 9))
        #expect(CDEventVersion(1, 0, 0) > CDEventVersion(0, 99, 99))
        #expect(CDEventVersion("0.2.0")! < CDEventVersion("0.3.0")!)
        #expect(CDEventVersion("0.3") == nil)
        #expect(CDEventVersion("0.3.0-rc1") == nil)
        #expect(CDEventVersion(" 0.3.0") == nil)
        #expect(CDEventVersion.specification.description == "0.5.1")
    }

    @Test func registryKnowsTheV051VersionsAndTheOlderOnes() throws {
        let expectations: [(String, String, [String])] = [
            ("service.deployed", "0.3.0", ["0.1.0", "0.1.1", "0.2.0"]),
            ("service.removed", "0.3.0", ["0.2.0"]),
            ("environment.created", "0.3.0", ["0.2.0"]),
            ("incident.reported", "0.3.0", ["0.1.0", "0.2.0"]),
            ("pipelinerun.finished", "0.3.0", ["0.2.0"]),
            ("change.merged", "0.3.0", ["0.2.0"]),
            ("change.created", "0.4.0", ["0.3.0"]),
            ("artifact.published", "0.3.0", ["0.2.0"]),
            ("artifact.downloaded", "0.2.0", ["0.1.0"]),
            ("ticket.closed", "0.2.0", ["0.1.0"]),
            ("testcaserun.skipped", "0.2.0", ["0.1.0"]),
        ]
        for (name, current, older) in expectations {
            let entry = try #require(CDEventTypeRegistry.entry(named: name), "\(name)")
            #expect(entry.version.description == current, "\(name)")
            for version in older + [current] {
                let type = try CDEventType(parsing: "dev.cdevents.\(name).\(version)")
                #expect(try CDEventTypeRegistry.resolve(type)?.name == name, "\(type)")
            }
        }
        #expect(CDEventTypeRegistry.entry(named: "service.deployed")?.requiredContentFields == ["environment", "artifactId"])
        #expect(CDEventTypeRegistry.entry(named: "incident.reported")?.requiredContentFields == ["environment", "ticketURI"])
    }

    @Test func unknownSubjectOrPredicateIsRefusedNamingTheType() throws {
        do {
            try CDEventTypeRegistry.resolve(try CDEventType(parsing: "dev.cdevents.service.exploded.0.1.0"))
            Issue.record("service.exploded resolved")
        } catch {
            #expect(error.kind == .unknownType)
            #expect(
                error.description
                    == "context.type: unknown CDEvents type dev.cdevents.service.exploded.0.1.0: service.exploded is not an event of "
                    + "CDEvents 0.5.1 (service events are deployed, published, removed, rolledback, upgraded)")
        }
        do {
            try CDEventTypeRegistry.resolve(try CDEventType(parsing: "dev.cdevents.spaceship.launched.0.1.0"))
            Issue.record("spaceship.launched resolved")
        } catch {
            #expect(error.description.hasPrefix("context.type: unknown CDEvents type dev.cdevents.spaceship.launched.0.1.0: "))
            #expect(error.description.contains("known subjects are artifact, branch, build, change"))
        }
    }

    @Test func unreleasedVersionIsRefusedListingTheAcceptedOnes() throws {
        do {
            try CDEventTypeRegistry.resolve(try CDEventType(parsing: "dev.cdevents.service.deployed.0.9.0"))
            Issue.record("service.deployed 0.9.0 resolved")
        } catch {
            #expect(error.kind == .unsupportedVersion)
            #expect(
                error.description
                    == "context.type: unsupported CDEvents type dev.cdevents.service.deployed.0.9.0: Pacer accepts service.deployed versions 0.1.0, 0.1.1, 0.2.0, 0.3.0")
        }
    }

    @Test func customTypesResolveWithoutAnEntry() throws {
        #expect(try CDEventTypeRegistry.resolve(try CDEventType(parsing: "dev.cdeventsx.mytool-resource.created.0.1.0")) == nil)
    }

    @Test(arguments: [
        ("https://example.com/a?b=c#d", true, true), ("urn:uuid:1234", true, true), ("mailto:ops@example.com", true, true),
        ("/event/source/123", false, true), ("relative/path", false, true), ("//host:8080/x", false, true),
        ("https://[::1]:8443/x", true, true), ("has space", false, false), ("https://exa mple.com", false, false),
        ("1abc:def", false, false), ("bad%zz", false, false), ("https://host:port/", false, false), ("", false, true),
    ])
    func uriGrammar(text: String, isURI: Bool, isReference: Bool) {
        #expect(CDEventURI.isURI(text) == isURI, "\(text) uri")
        #expect(CDEventURI.isURIReference(text) == isReference, "\(text) uri-reference")
    }

    @Test func timestampsKeepTheirTextAndFormatWithNeededDigits() throws {
        let text = "2023-03-20T14:27:05.315384Z"
        let parsed = try #require(CDEventTimestamp(text))
        #expect(parsed.text == text)
        #expect(CDEventTimestamp(parsed.date).text == text)
        #expect(CDEventTimestamp(Date(timeIntervalSince1970: 1_700_000_000)).text == "2023-11-14T22:13:20Z")
        #expect(CDEventTimestamp(Date(timeIntervalSince1970: 1_700_000_000.25)).text == "2023-11-14T22:13:20.250Z")
        #expect(CDEventTimestamp("2023-03-20 14:27") == nil)
    }
}
