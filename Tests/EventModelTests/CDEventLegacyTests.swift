import Foundation
import PacerCore
import Testing

@testable import EventModel

@Suite("CDEvents: spec 0.3/0.4 input is accepted and normalised to 0.5.1")
struct CDEventLegacyTests {
    /// A service.deployed event as the v0.4 Go SDK writes it.
    static let serviceDeployedV04: JSONValue = [
        "context": [
            "version": "0.4.1", "id": "b1b2", "source": "/tekton/ci", "type": "dev.cdevents.service.deployed.0.2.0",
            "timestamp": "2024-05-01T10:00:00Z",
        ],
        "subject": [
            "id": "service/myapp", "source": "/cluster/prod", "type": "service",
            "content": ["environment": ["id": "prod", "source": "/cluster"], "artifactId": "pkg:oci/myapp@sha256%3Aabc"],
        ],
    ]

    @Test func v04ServiceDeployedIsAcceptedAndNormalised() async throws {
        let event = try CDEvent(validating: Self.serviceDeployedV04)
        #expect(event.context.isLegacy)
        #expect(event.context.specversion == "0.4.1")
        #expect(event.subject.type == "service")
        #expect(event.jsonValue == Self.serviceDeployedV04, "the received form is kept as sent")
        // Strict (what Pacer emits) refuses the legacy envelope…
        #expect(event.validationErrors(.strict).map(\.description).contains("context.version: renamed to specversion in CDEvents 0.5.0 (Pacer emits 0.5.1)"))

        // …and the normalised form is v0.5.1.
        let normalized = event.normalized()
        #expect(normalized.validationErrors(.strict) == [])
        let expected: JSONValue = [
            "context": [
                "specversion": "0.5.1", "id": "b1b2", "source": "/tekton/ci", "type": "dev.cdevents.service.deployed.0.3.0",
                "timestamp": "2024-05-01T10:00:00Z",
            ],
            "subject": [
                "id": "service/myapp", "source": "/cluster/prod",
                "content": ["environment": ["id": "prod", "source": "/cluster"], "artifactId": "pkg:oci/myapp@sha256%3Aabc"],
            ],
        ]
        #expect(normalized.jsonValue == expected)
        let run = try await CDEventFixtures.runValidator([normalized.jsonValue])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout == "1 valid\n")
    }

    @Test func urlFieldsBecomeUriAndTheResultPassesTheSchema() async throws {
        let environment: JSONValue = [
            "context": [
                "version": "0.4.1", "id": "e1", "source": "/argocd", "type": "dev.cdevents.environment.created.0.2.0",
                "timestamp": "2024-05-01T10:00:00.5+02:00",
            ],
            "subject": ["id": "prod", "type": "environment", "content": ["name": "Production", "url": "https://prod.example.com"]],
        ]
        let pipelineRun: JSONValue = [
            "context": [
                "version": "0.3.0", "id": "p1", "source": "/tekton", "type": "dev.cdevents.pipelinerun.started.0.1.1",
                "timestamp": "2024-05-01T10:00:00Z",
            ],
            "subject": ["id": "run-1", "type": "pipelineRun", "content": ["pipelineName": "build", "url": "https://tekton.example.com/runs/1"]],
        ]
        let testSuite: JSONValue = [
            "context": [
                "version": "0.4.1", "id": "t1", "source": "/testkube", "type": "dev.cdevents.testsuiterun.queued.0.2.0",
                "timestamp": "2024-05-01T10:00:00Z",
            ],
            "subject": [
                "id": "suite-run-1", "type": "testSuiteRun",
                "content": ["environment": ["id": "staging"], "testSuite": ["id": "smoke", "url": "https://tests.example.com/smoke"]],
            ],
        ]
        let testCase: JSONValue = [
            "context": [
                "version": "0.4.1", "id": "c1", "source": "/testkube", "type": "dev.cdevents.testcaserun.finished.0.2.0",
                "timestamp": "2024-05-01T10:00:00Z",
            ],
            "subject": ["id": "case-run-1", "type": "testCaseRun", "content": ["environment": ["id": "staging"], "outcome": "pass"]],
        ]
        var normalized: [CDEvent] = []
        for json in [environment, pipelineRun, testSuite, testCase] {
            normalized.append(try CDEvent(validating: json).normalized())
        }
        #expect(normalized[0].subject.content == ["name": "Production", "uri": "https://prod.example.com"])
        #expect(normalized[0].context.type.description == "dev.cdevents.environment.created.0.3.0")
        #expect(normalized[0].context.timestamp.text == "2024-05-01T10:00:00.5+02:00")
        #expect(normalized[1].subject.content["uri"] == "https://tekton.example.com/runs/1")
        #expect(normalized[1].context.type.description == "dev.cdevents.pipelinerun.started.0.3.0")
        #expect(normalized[2].subject.content["testSuite"] == ["id": "smoke", "uri": "https://tests.example.com/smoke"])
        #expect(normalized[3].subject.content["outcome"] == "success")
        for event in normalized {
            #expect(event.validationErrors(.strict) == [], "\(event.context.type)")
        }
        let run = try await CDEventFixtures.runValidator(normalized.map(\.jsonValue))
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.stdout == "4 valid\n")
    }

    @Test func legacyUrlSatisfiesARequiredUriAndIsNamedWhenMissing() throws {
        let started: JSONValue = [
            "context": [
                "version": "0.4.1", "id": "p1", "source": "/tekton", "type": "dev.cdevents.pipelinerun.started.0.2.0",
                "timestamp": "2024-05-01T10:00:00Z",
            ],
            "subject": ["id": "run-1", "type": "pipelineRun", "content": ["pipelineName": "build", "url": "https://tekton.example.com/runs/1"]],
        ]
        #expect(cdEventError(started) == nil)
        #expect(
            cdEventError(started.removing(["subject", "content", "url"]))?.description
                == "subject.content.uri: required by dev.cdevents.pipelinerun.started.0.2.0")
        #expect(
            cdEventError(started.setting(["subject", "content", "url"], to: 5))?.description
                == "subject.content.url: must be a string, got integer")
    }

    @Test func seedTutorialEventOfSpec01IsAccepted() throws {
        let json: JSONValue = [
            "context": [
                "version": "0.1.0", "id": "1", "source": "/seed", "type": "dev.cdevents.service.deployed.0.1.0",
                "timestamp": "2023-01-01T00:00:00Z",
            ],
            "subject": ["id": "conference", "source": "/seed", "type": "service", "content": ["environment": ["id": "default"], "artifactId": "app:1"]],
        ]
        let event = try CDEvent(validating: json)
        #expect(event.normalized().context.type.description == "dev.cdevents.service.deployed.0.3.0")
        #expect(event.normalized().validationErrors(.strict) == [])
    }

    @Test func bothVersionMembersAreRefused() throws {
        let json = Self.serviceDeployedV04.setting(["context", "specversion"], to: "0.5.1")
        #expect(
            cdEventError(json)?.description
                == "context.version: an event has either specversion (CDEvents 0.5+) or version (0.4 and older), not both")
    }

    @Test func ticketClosedKeepsItsAllowedSubjectType() throws {
        let json = try CDEventFixtures.example("ticket_closed.json").setting(["subject", "type"], to: "ticket")
        let event = try CDEvent(validating: json, mode: .strict)
        #expect(event.normalized().subject.type == "ticket")
        let other = try CDEvent(json: try CDEventFixtures.example("service_deployed.json").setting(["subject", "type"], to: "service"))
        #expect(other.normalized().subject.type == nil)
        #expect(
            other.validationErrors(.strict).map(\.description)
                == ["subject.type: removed in CDEvents 0.5.0, not allowed by dev.cdevents.service.deployed.0.3.0"])
    }
}
