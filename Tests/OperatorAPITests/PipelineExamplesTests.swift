import EventModel
import Expressions
import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import Testing

/// Runs the default pipeline in examples/ over sample Deployment-source CloudEvents: which routes match, and whether
/// the transforms build CDEvents that pass `CDEvent(validating:)`. (A reference evaluation for these tests only;
/// the Pipeline module owns the real one.)
@Suite("default pipeline over sample events")
struct PipelineExamplesTests {
    struct Pipeline {
        var routes: [(name: String, route: CompiledRoute)] = []
        var transforms: [String: CompiledTransform] = [:]

        init() throws {
            for file in try Repo.yamlFiles(in: "examples") {
                for document in try Repo.documents(file) {
                    let name = document["metadata"]?["name"]?.stringValue ?? ""
                    switch document["kind"]?.stringValue {
                    case "EventRoute":
                        let route: EventRoute = try document.decode()
                        routes.append((name, try route.spec.compile().get()))
                    case "CDEventTransform":
                        let transform: CDEventTransform = try document.decode()
                        transforms[name] = try transform.spec.compile().get()
                    default: break
                    }
                }
            }
        }

        /// The CDEvents (as validated JSON) the pipeline makes of `event`, with the names of the routes taken.
        func run(_ event: CloudEvent) throws -> (routes: [String], events: [JSONValue]) {
            let variables = Activation.cloudEvent(
                id: event.id, source: event.source, type: event.type, subject: event.subject, time: event.timestamp,
                extensions: event.extensions.mapValues(Value.init(json:)), data: event.data?.jsonValue)
            var taken: [String] = []
            var produced: [JSONValue] = []
            for (name, route) in routes where (try? route.matches(event, activation: variables).get()) == true {
                taken.append(name)
                for transformName in route.transforms {
                    let transform = try #require(transforms[transformName])
                    produced.append(try build(transform, event: event, variables: variables))
                }
            }
            return (taken.sorted(), produced)
        }

        func build(_ transform: CompiledTransform, event: CloudEvent, variables: [String: Value]) throws -> JSONValue {
            func value(_ expression: CompiledExpression) throws -> JSONValue {
                try expression.evaluate(variables).jsonValue
            }
            func content(_ fields: [(name: String, field: CompiledTransform.ContentField)]) throws -> JSONValue {
                var object: [String: JSONValue] = [:]
                for (name, field) in fields {
                    switch field {
                    case .expression(let expression): object[name] = try value(expression)
                    case .object(let nested): object[name] = try content(nested)
                    }
                }
                return .object(object)
            }
            var subject: [String: JSONValue] = ["id": try value(transform.subjectId), "content": try content(transform.content)]
            if let source = transform.subjectSource { subject["source"] = try value(source) }
            let timestamp = try transform.timestamp.map(value) ?? .string(event.time ?? "")
            var json: JSONValue = [
                "context": [
                    "specversion": "0.5.1", "id": .string(UUID().uuidString.lowercased()),
                    "source": try transform.source.map(value) ?? .string(event.source),
                    "type": .string(transform.outputType.description), "timestamp": timestamp,
                ],
                "subject": .object(subject),
            ]
            if let customData = transform.customData, case .object(var members) = json {
                members["customData"] = try value(customData)
                json = .object(members)
            }
            _ = try CDEvent(validating: json, mode: .received)
            return json
        }
    }

    static func deploymentEvent(_ type: String, _ extra: [String: JSONValue] = [:]) -> CloudEvent {
        var data: [String: JSONValue] = [
            "app": "cart", "version": "1.4.0", "environment": "production", "team": "shop", "namespace": "shop",
            "name": "cart", "uid": "6a1f", "revision": 3, "previousRevision": 2, "rollback": false,
            "commit": "4f2c9e1", "commitTime": "2026-11-20T09:00:00Z", "repository": "https://github.com/acme/cart",
        ]
        data.merge(extra) { $1 }
        return CloudEvent(
            id: "ev-1", source: "/k8s/prod-eu/apis/apps/v1/namespaces/shop/deployments/cart", type: type,
            subject: "shop/cart", time: "2026-11-21T10:00:00Z", data: .json(.object(data)))
    }

    @Test("an upgrade rollout becomes service.upgraded and change.merged (subject = commit, timestamp = commitTime)")
    func upgrade() throws {
        let (routes, events) = try Pipeline().run(Self.deploymentEvent("dev.pacer.deployment.rollout.completed"))
        #expect(routes == ["deployment-change-merged", "deployment-rollout-resolved", "deployment-upgrade"])
        let upgraded = try #require(events.first { $0["context"]?["type"] == "dev.cdevents.service.upgraded.0.3.0" })
        #expect(upgraded["subject"]?["id"] == "shop/cart")
        #expect(upgraded["subject"]?["content"]?["environment"] == ["id": "production", "source": "/k8s/prod-eu"])
        #expect(upgraded["subject"]?["content"]?["artifactId"] == "pkg:generic/shop/cart@1.4.0")
        #expect(upgraded["customData"]?["team"] == "shop")
        let merged = try #require(events.first { $0["context"]?["type"] == "dev.cdevents.change.merged.0.3.0" })
        #expect(merged["subject"]?["id"] == "4f2c9e1")
        #expect(merged["context"]?["timestamp"] == "2026-11-20T09:00:00Z")
    }

    @Test("first rollout → service.deployed; rollback → service.rolledback")
    func firstAndRollback() throws {
        let pipeline = try Pipeline()
        let first = try pipeline.run(
            Self.deploymentEvent("dev.pacer.deployment.rollout.completed", ["previousRevision": nil, "revision": 1, "commitTime": nil]))
        #expect(first.routes == ["deployment-first-rollout", "deployment-rollout-resolved"])
        #expect(first.events.contains { $0["context"]?["type"] == "dev.cdevents.service.deployed.0.3.0" })
        let rollback = try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.rollout.completed", ["rollback": true, "commitTime": ""]))
        #expect(rollback.routes == ["deployment-rollback", "deployment-rollout-resolved"])
        #expect(rollback.events.contains { $0["context"]?["type"] == "dev.cdevents.service.rolledback.0.3.0" })
    }

    @Test("lost availability opens an incident that restoration resolves; a failed rollout is a failed deployment plus an incident naming it, resolved by the next completed rollout unless the source says the rollout before it did not fail")
    func incidents() throws {
        let pipeline = try Pipeline()
        let lost = try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.availability.lost"))
        #expect(lost.routes == ["deployment-incident-detected"])
        #expect(lost.events.first?["subject"]?["id"] == "shop/cart")
        #expect(lost.events.first?["context"]?["type"] == "dev.cdevents.incident.detected.0.3.0")
        let resolved = try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.availability.restored"))
        #expect(resolved.routes == ["deployment-incident-resolved"])
        #expect(resolved.events.first?["subject"]?["id"] == "shop/cart")

        let failed = try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.rollout.failed"))
        #expect(failed.routes == ["deployment-rollout-failed"])
        let deployment = try #require(failed.events.first { $0["context"]?["type"] == "dev.cdevents.service.deployed.0.3.0" })
        #expect(deployment["customData"]?["outcome"] == "failed")
        #expect(deployment["subject"]?["content"]?["artifactId"] == "pkg:generic/shop/cart@1.4.0")
        let incident = try #require(failed.events.first { $0["context"]?["type"] == "dev.cdevents.incident.detected.0.3.0" })
        #expect(incident["subject"]?["id"] == "shop/cart/rollout")
        #expect(incident["subject"]?["content"]?["artifactId"] == "pkg:generic/shop/cart@1.4.0")
        let completed = try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.rollout.completed"))
        let resolution = try #require(completed.events.first { $0["context"]?["type"] == "dev.cdevents.incident.resolved.0.3.0" })
        #expect(resolution["subject"]?["id"] == "shop/cart/rollout")
        // The source says whether the rollout before this one failed: resolved when it did (or when the source does
        // not know, above), not after a completed one (no failed-rollout incident can be open).
        let afterFailure = try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.rollout.completed", ["previousRolloutFailed": true]))
        #expect(afterFailure.routes.contains("deployment-rollout-resolved"))
        let afterSuccess = try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.rollout.completed", ["previousRolloutFailed": false]))
        #expect(afterSuccess.routes == ["deployment-change-merged", "deployment-upgrade"])
        #expect(!afterSuccess.events.contains { $0["context"]?["type"] == "dev.cdevents.incident.resolved.0.3.0" })
        #expect(try pipeline.run(Self.deploymentEvent("dev.pacer.deployment.revision")).routes.isEmpty)
    }

    @Test("CDEvents pass through; ApiServerSource Deployment events become service.deployed")
    func passThroughAndApiServerSource() throws {
        let pipeline = try Pipeline()
        let cdevent: JSONValue = [
            "context": ["specversion": "0.4.1", "id": "x1", "source": "/ci", "type": "dev.cdevents.service.deployed.0.2.0",
                        "timestamp": "2026-11-21T08:00:00Z"],
            "subject": ["id": "svc/cart", "source": "/ci", "content": ["environment": ["id": "production"], "artifactId": "pkg:oci/cart@sha256:ab"]],
        ]
        let passed = try pipeline.run(
            CloudEvent(id: "x1", source: "/ci", type: "dev.cdevents.service.deployed.0.2.0", time: "2026-11-21T08:00:00Z", data: .json(cdevent)))
        #expect(passed.routes == ["cdevents-service-deployed"])
        #expect(passed.events.first?["subject"]?["content"]?["artifactId"] == "pkg:oci/cart@sha256:ab")
        #expect(passed.events.first?["context"]?["timestamp"] == "2026-11-21T08:00:00Z")

        let k8sEvent: JSONValue = ["involvedObject": ["kind": "Deployment", "name": "web", "namespace": "default", "uid": "u-1"],
                                   "reason": "ScalingReplicaSet"]
        let added = try pipeline.run(
            CloudEvent(id: "k1", source: "https://10.0.0.1:443", type: "dev.knative.apiserver.resource.add", time: "2026-11-21T08:00:00Z",
                       data: .json(k8sEvent)))
        #expect(added.routes == ["apiserversource-deployments"])
        #expect(added.events.first?["subject"]?["content"]?["artifactId"] == "pkg:pkg/default/web@u-1")
        var pod = k8sEvent
        if case .object(var members) = pod { members["involvedObject"] = ["kind": "Pod", "name": "p", "namespace": "default", "uid": "u"]; pod = .object(members) }
        #expect(try pipeline.run(CloudEvent(id: "k2", source: "s", type: "dev.knative.apiserver.resource.add", data: .json(pod))).routes.isEmpty)
    }
}
