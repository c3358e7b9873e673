import EventModel
import Expressions
import KubeCore
import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import Testing

@Suite("spec validation")
struct SpecValidationTests {
    static func errors<T>(_ result: Result<T, SpecErrors>) -> [String] {
        switch result {
        case .success: return []
        case .failure(let errors): return errors.errors.map(\.description)
        }
    }

    @Test("EventRoute: a broken when gives the caret display under spec.when")
    func routeWhen() {
        let spec = EventRouteSpec(when: "type == 'a' && )", transforms: ["t"])
        #expect(Self.errors(spec.compile()) == [
            "spec.when: 1:16: unexpected ')', expected an expression\n  type == 'a' && )\n                 ^"
        ])
        let notBool = EventRouteSpec(when: "size(type)", transforms: ["t"])
        #expect(Self.errors(notBool.compile()).first?.hasPrefix("spec.when: 1:1: expression must evaluate to bool") == true)
    }

    @Test("EventRoute: transforms must be valid names, at least one; duplicates collapse")
    func routeTransforms() throws {
        #expect(Self.errors(EventRouteSpec(transforms: []).compile()) == ["spec.transforms: must name at least one CDEventTransform"])
        #expect(Self.errors(EventRouteSpec(transforms: ["ok", "Bad_Name"]).compile()) == [
            "spec.transforms[1]: \"Bad_Name\" is not a valid object name (lowercase RFC 1123 subdomain)"
        ])
        let route = try EventRouteSpec(transforms: ["a", "b", "a"]).compile().get()
        #expect(route.transforms == ["a", "b"])
    }

    @Test("EventRoute: filters then when decide a match; a failing when does not match")
    func routeMatching() throws {
        let spec = EventRouteSpec(
            filters: [["exact": ["type": "dev.pacer.deployment.rollout.completed"]]],
            when: "data.rollback == true", transforms: ["t"])
        let route = try spec.compile().get()
        func event(_ type: String, _ data: JSONValue) -> (CloudEvent, [String: Expressions.Value]) {
            let e = CloudEvent(id: "1", source: "/k8s/c", type: type, data: .json(data))
            return (e, Activation.cloudEvent(id: e.id, source: e.source, type: e.type, data: data))
        }
        let (rollback, rollbackVars) = event("dev.pacer.deployment.rollout.completed", ["rollback": true])
        #expect(try route.matches(rollback, activation: rollbackVars).get() == true)
        let (other, otherVars) = event("dev.pacer.deployment.revision", ["rollback": true])
        #expect(try route.matches(other, activation: otherVars).get() == false)
        let (missing, missingVars) = event("dev.pacer.deployment.rollout.completed", [:])
        guard case .failure(let error) = route.matches(missing, activation: missingVars) else {
            Issue.record("expected an evaluation error")
            return
        }
        #expect(error.message.contains("no such key"))
    }

    @Test("CDEventTransform: unknown types, versions and missing required content are refused precisely")
    func transformType() {
        func spec(_ type: String, content: [String: JSONValue]? = nil) -> CDEventTransformSpec {
            CDEventTransformSpec(output: .init(type: type), subject: .init(id: "subject", content: content))
        }
        #expect(Self.errors(spec("dev.cdevents.service.exploded.0.3.0").compile()) == [
            "spec.output.type: unknown CDEvents type dev.cdevents.service.exploded.0.3.0: service.exploded is not an event of CDEvents 0.5.1 (service events are deployed, published, removed, rolledback, upgraded)"
        ])
        #expect(Self.errors(spec("dev.cdevents.change.merged.9.9.9").compile()).first?.hasPrefix(
            "spec.output.type: unsupported CDEvents type dev.cdevents.change.merged.9.9.9: Pacer accepts change.merged versions") == true)
        #expect(Self.errors(spec("dev.pacer.deployment.revision").compile()).first?.hasPrefix(
            "spec.output.type: \"dev.pacer.deployment.revision\" is not a CDEvents type") == true)
        #expect(Self.errors(spec("dev.cdevents.service.deployed.0.3.0", content: ["environment": ["id": "data.env"]]).compile()) == [
            "spec.subject.content.artifactId: is required by service.deployed events"
        ])
        #expect(Self.errors(spec("dev.cdeventsx.mytool-widget.created.0.1.0").compile()).isEmpty)
    }

    @Test("CDEventTransform: every expression field is compiled and reported with its path")
    func transformExpressions() throws {
        let spec = CDEventTransformSpec(
            output: .init(type: "dev.cdevents.incident.detected.0.3.0"), source: "source +",
            subject: .init(
                id: "data.id", source: "'unterminated",
                content: ["environment": ["id": "data.env", "source": "size()"], "description": 5]),
            customData: "{1: 2}", timestamp: "")
        let errors = Self.errors(spec.compile())
        #expect(errors.map { String($0.prefix(while: { $0 != ":" })) } == [
            "spec.source", "spec.subject.source", "spec.subject.content.description", "spec.subject.content.environment.source",
            "spec.customData", "spec.timestamp",
        ])
        #expect(errors.contains("spec.subject.content.description: must be an expression (string) or an object of expressions, got integer"))
        #expect(errors.contains("spec.timestamp: must not be empty"))

        let good = try CDEventTransformSpec(
            output: .init(type: "dev.cdevents.incident.detected.0.3.0"),
            subject: .init(id: "subject", content: ["environment": ["id": "data.env", "source": "source"]])
        ).compile().get()
        #expect(good.outputType.description == "dev.cdevents.incident.detected.0.3.0")
        #expect(good.entry?.name == "incident.detected")
        #expect(good.content.map(\.name) == ["environment"])
        #expect(good.source == nil && good.timestamp == nil)
    }

    @Test("MetricDefinition: defaults applied")
    func metricDefaults() throws {
        let metric = try MetricDefinitionSpec(metric: .leadTimeForChanges).compile().get()
        #expect(metric.window == "30d")
        #expect(metric.windowSeconds == 30 * 86_400)
        #expect(metric.buckets == [.day, .week, .month, .year])
        #expect(metric.levels == .dora2024)
        #expect(metric.unit == "hours")
        #expect(MetricDefinitionSpec.windowSeconds("12h") == 43_200)
        #expect(MetricDefinitionSpec.windowSeconds("2w") == 1_209_600)
        #expect(MetricDefinitionSpec.windowSeconds("0d") == nil)
        #expect(MetricDefinitionSpec.windowSeconds("30m") == nil)
        #expect(MetricDefinitionSpec.windowSeconds("99999999999w") == nil)
    }

    @Test("MetricDefinition: custom rules, where over CDEvent variables, field required unless count")
    func metricErrors() {
        #expect(Self.errors(MetricDefinitionSpec(metric: .custom).compile()) == ["spec.custom: is required when metric is custom"])
        #expect(Self.errors(MetricDefinitionSpec(metric: .deploymentFrequency, window: "1y", buckets: [.day, .day]).compile()) == [
            "spec.window: \"1y\" is not a window: use <number><h|d|w>, e.g. 30d, at most 10 years",
            "spec.buckets[1]: \"day\" is listed twice",
        ])
        let custom = MetricDefinitionSpec(
            metric: .custom,
            custom: .init(types: ["dev.cdevents.pipelinerun.finished.0.2.0", "dev.cdevents.nope.x.0.1.0"],
                          where: "data.x == 1", aggregation: .avg))
        let errors = Self.errors(custom.compile())
        #expect(errors.count == 3)
        #expect(errors[0].hasPrefix("spec.custom.types[1]: unknown CDEvents type dev.cdevents.nope.x.0.1.0"))
        #expect(errors[1].hasPrefix("spec.custom.where: 1:1: "), "\(errors[1])")
        #expect(errors[1].contains("data"))
        #expect(errors[2] == "spec.custom.field: is required for aggregation avg")
        #expect(Self.errors(MetricDefinitionSpec(metric: .custom, custom: .init(types: ["dev.cdevents.service.deployed.0.3.0"], where: "size(context)", aggregation: .count)).compile()).first?
            .hasPrefix("spec.custom.where: 1:1: expression must evaluate to bool") == true)
        #expect(Self.errors(MetricDefinitionSpec(metric: .timeToRestore, custom: .init(types: [], aggregation: .count)).compile()) == [
            "spec.custom: is only allowed when metric is custom (metric is timeToRestore)"
        ])
    }

    @Test("Ready conditions carry the spec errors")
    func conditions() {
        let errors = SpecErrors([SpecError(path: "spec.window", "bad"), SpecError(path: "spec.when", "worse")])
        let condition = KubeCore.Condition.invalidSpec(errors, generation: 3)
        #expect(condition.type == "Ready" && condition.status == "False" && condition.reason == "InvalidSpec")
        #expect(condition.message == "spec.window: bad\nspec.when: worse")
        #expect(condition.observedGeneration == 3)
        var list: [KubeCore.Condition] = [condition]
        #expect(!list.isReady)
        list.set(.ready(reason: "Compiled", generation: 4))
        #expect(list.isReady && list.count == 1)
    }
}
