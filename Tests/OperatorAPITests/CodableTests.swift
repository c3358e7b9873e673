import Foundation
import KubeCore
import OperatorAPI
import PacerRules
import PacerCore
import Testing

@Suite("Codable resources and status values")
struct CodableTests {
    @Test("a decoded example encodes back with apiVersion, kind and status")
    func roundTrip() throws {
        let documents = try Repo.documents(Repo.url("examples/metrics.yaml"))
        var metric: MetricDefinition = try #require(documents.first).decode()
        #expect(MetricDefinition.resource == .metricDefinitions)
        #expect(metric.metadata.name == "deployment-frequency")
        #expect(metric.spec.groupBy == [.app, .environment])
        #expect(metric.spec.selector == nil, "the default definitions count every environment")
        metric.status = MetricDefinitionStatus(
            value: MetricValueFormat.format(1.4285), numericValue: 1.4285, unit: "days/week",
            level: DORALevel.elite.rawValue, window: "30d",
            groups: [.init(labels: ["app": "cart"], value: "2", numericValue: 2, level: "Elite")],
            conditions: [.ready(reason: "Computed", generation: 1, at: Date(timeIntervalSince1970: 0))], observedGeneration: 1)
        let json = try JSONValue(encoding: metric)
        #expect(json["apiVersion"] == "pacer.dev/v1alpha1")
        #expect(json["kind"] == "MetricDefinition")
        #expect(json["status"]?["value"] == "1.4")
        #expect(json["status"]?["conditions"]?[0]?["lastTransitionTime"] == "1970-01-01T00:00:00Z")
        #expect(json["spec"]?["levels"] == "dora-2024")
        let back: MetricDefinition = try json.decode()
        #expect(back == metric)

        // list items come without apiVersion/kind
        let bareJSON: JSONValue = ["metadata": ["name": "r"], "spec": ["transforms": ["t"]]]
        let bare: EventRoute = try bareJSON.decode()
        #expect(bare.apiVersion == "pacer.dev/v1alpha1" && bare.kind == "EventRoute")
        #expect(ResourceDescriptor.cdEventTransforms.path(namespace: "pacer", name: "x")
            == "/apis/pacer.dev/v1alpha1/namespaces/pacer/cdeventtransforms/x")
    }

    @Test("status values are formatted for printer columns")
    func format() {
        #expect(MetricValueFormat.format(1.4285) == "1.4")
        #expect(MetricValueFormat.format(2) == "2")
        #expect(MetricValueFormat.format(23.46) == "23.5")
        #expect(MetricValueFormat.format(312.7) == "313")
        #expect(MetricValueFormat.format(0.05) == "0.05")
        #expect(MetricValueFormat.format(0.1234) == "0.12")
        #expect(MetricValueFormat.format(0) == "0")
        #expect(MetricValueFormat.format(.nan) == "-")
    }
}
