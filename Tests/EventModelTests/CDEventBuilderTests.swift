import Foundation
import PacerCore
import Testing

@testable import EventModel

@Suite("CDEvents: builders emit v0.5.1 events that satisfy the official schema")
struct CDEventBuilderTests {
    static let time = Date(timeIntervalSince1970: 1_714_557_600.123)
    static let prod = CDEventReference(id: "prod", source: "/clusters/eu-1")

    static func allBuilt() throws -> [CDEvent] {
        let t = time
        return [
            try .serviceDeployed(
                id: "d1", source: "/pacer/default/deployments", timestamp: t, subjectId: "service/web", environment: prod,
                artifactId: "pkg:oci/web@sha256%3Aabc", customData: ["replicas": 3]),
            try .serviceUpgraded(id: "u1", source: "/pacer", timestamp: t, subjectId: "service/web", environment: "prod", artifactId: "pkg:oci/web@v2"),
            try .serviceRolledBack(
                id: "r1", source: "/pacer", timestamp: t, subjectId: "service/web", subjectSource: "/clusters/eu-1", environment: prod,
                artifactId: "pkg:oci/web@v1"),
            try .serviceRemoved(id: "x1", source: "/pacer", timestamp: t, subjectId: "service/web", environment: prod),
            try .serviceRemoved(id: "x2", source: "/pacer", timestamp: t, subjectId: "service/web", environment: nil),
            try .changeCreated(
                id: "c1", source: "https://github.com/acme/web", timestamp: t, subjectId: "pr-42",
                repository: CDEventReference(id: "acme/web", source: "https://github.com"), description: "Add cache"),
            try .changeMerged(id: "c2", source: "https://github.com/acme/web", timestamp: t, subjectId: "4f2a9c1", repository: "acme/web"),
            try .incidentDetected(
                id: "i1", source: "/alertmanager", timestamp: t, subjectId: "incident-7", environment: prod,
                service: CDEventReference(id: "service/web"), artifactId: "pkg:oci/web@v2", description: "5xx above 5%"),
            try .incidentReported(
                id: "i2", source: "/pagerduty", timestamp: t, subjectId: "incident-7", environment: prod,
                ticketURI: "https://acme.pagerduty.com/incidents/7"),
            try .incidentResolved(id: "i3", source: "/alertmanager", timestamp: t, subjectId: "incident-7", environment: prod),
            try .environmentCreated(id: "e1", source: "/pacer", timestamp: t, subjectId: "prod", name: "Production", uri: "https://prod.acme.com"),
            try .environmentModified(id: "e2", source: "/pacer", timestamp: t, subjectId: "prod", name: "Production"),
            try .pipelineRunFinished(
                id: "p1", source: "/tekton", timestamp: t, subjectId: "run-9", pipelineName: "release",
                uri: "https://tekton.acme.com/runs/9", outcome: .failure, errors: "step 3 failed"),
            try .artifactPublished(
                id: "a1", source: "/ci", timestamp: t, subjectId: "pkg:oci/web@sha256%3Aabc", sbomURI: "https://sbom.acme.com/web.json",
                user: "ci-bot"),
        ]
    }

    @Test func buildersEmitSpec051AndPassStrictValidation() throws {
        let events = try Self.allBuilt()
        for event in events {
            #expect(event.context.specversion == "0.5.1")
            #expect(event.context.versionField == .specversion)
            #expect(event.context.type.version == CDEventTypeRegistry.entry(for: event.context.type)?.version)
            #expect(event.validationErrors(.strict) == [], "\(event.context.type)")
            #expect(event.context.timestamp.text == "2024-05-01T10:00:00.123Z")
            #expect(try CDEvent(validating: event.jsonValue, mode: .strict) == event, "JSON round trip of \(event.context.type)")
        }
        let deployed = events[0]
        #expect(deployed.context.type.description == "dev.cdevents.service.deployed.0.3.0")
        #expect(
            deployed.subject.content == ["environment": ["id": "prod", "source": "/clusters/eu-1"], "artifactId": "pkg:oci/web@sha256%3Aabc"])
        #expect(deployed.customData == ["replicas": 3])
        #expect(events[4].subject.content == [:])
        #expect(events[12].subject.content["outcome"] == "failure")
    }

    @Test func builtEventsPassTheOfficialSchemaValidator() async throws {
        let events = try Self.allBuilt()
        let run = try await CDEventFixtures.runValidator(events.map(\.jsonValue))
        #expect(run.status == 0, "validator said: \(run.stdout) \(run.stderr)")
        #expect(run.stdout == "\(events.count) valid\n")
        // The CloudEvent form carries the same CDEvent as data.
        let fromCloudEvents = try events.map { try CDEvent(cloudEvent: $0.cloudEvent(), mode: .strict) }
        #expect(fromCloudEvents == events)
    }

    /// Proves the validator itself rejects: the same event without artifactId makes it exit 1 naming the field.
    @Test func validatorRejectsABrokenEvent() async throws {
        let good = try Self.allBuilt()[0]
        let broken = good.jsonValue.removing(["subject", "content", "artifactId"])
        let run = try await CDEventFixtures.runValidator([good.jsonValue, broken])
        #expect(run.status == 1)
        #expect(run.stdout.contains("event[1] dev.cdevents.service.deployed.0.3.0: subject.content.artifactId: 'artifactId' is a required property"))
        #expect(!run.stdout.contains("event[0]"))
        // And Pacer's own validation agrees.
        #expect(cdEventError(broken)?.description == "subject.content.artifactId: required by dev.cdevents.service.deployed.0.3.0")
    }

    @Test func buildersRefuseValuesTheSchemaWouldReject() {
        #expect(throws: CDEventValidationError(.invalidValue, path: "subject.content.artifactId", "must not be empty")) {
            try CDEvent.serviceDeployed(id: "d", source: "/p", timestamp: Self.time, subjectId: "s", environment: Self.prod, artifactId: "")
        }
        #expect(throws: CDEventValidationError(.invalidValue, path: "subject.content.environment.id", "must not be empty")) {
            try CDEvent.serviceDeployed(id: "d", source: "/p", timestamp: Self.time, subjectId: "s", environment: "", artifactId: "a")
        }
        #expect(
            throws: CDEventValidationError(
                .invalidValue, path: "subject.content.ticketURI",
                "must be an absolute URI (RFC 3986) such as https://example.com/x, got \"tickets/7\"")
        ) {
            try CDEvent.incidentReported(id: "i", source: "/p", timestamp: Self.time, subjectId: "s", environment: Self.prod, ticketURI: "tickets/7")
        }
        #expect(throws: CDEventValidationError(.invalidValue, path: "context.id", "must not be empty")) {
            try CDEvent.changeMerged(id: "", source: "/p", timestamp: Self.time, subjectId: "s", repository: nil)
        }
        #expect(throws: CDEventValidationError.self) {
            try CDEvent.make("service.exploded", id: "1", source: "/p", timestamp: Self.time, subjectId: "s", content: [:])
        }
        #expect(throws: CDEventValidationError(.malformed, path: "customData", "must be a JSON object or a (Base64) string, got array")) {
            try CDEvent.serviceRemoved(id: "x", source: "/p", timestamp: Self.time, subjectId: "s", environment: nil, customData: [1])
        }
    }

    @Test func genericBuilderCoversOtherTypes() async throws {
        let event = try CDEvent.make(
            "build.finished", id: "b1", source: "/ci", timestamp: Self.time, subjectId: "build-1", content: ["artifactId": "pkg:oci/web@v3"])
        #expect(event.context.type.description == "dev.cdevents.build.finished.0.3.0")
        let run = try await CDEventFixtures.runValidator([event.jsonValue])
        #expect(run.status == 0, "\(run.stdout)")
    }
}
