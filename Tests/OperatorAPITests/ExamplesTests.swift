import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import Testing

@Suite("examples")
struct ExamplesTests {
    /// Decodes and compiles one example document; returns the problems found.
    static func check(_ document: JSONValue) -> [String] {
        let name = document["metadata"]?["name"]?.stringValue ?? "?"
        do {
            switch document["kind"]?.stringValue {
            case "EventRoute":
                let route: EventRoute = try document.decode()
                if case .failure(let errors) = route.spec.compile() { return ["\(name): \(errors)"] }
            case "CDEventTransform":
                let transform: CDEventTransform = try document.decode()
                if case .failure(let errors) = transform.spec.compile() { return ["\(name): \(errors)"] }
            case "MetricDefinition":
                let metric: MetricDefinition = try document.decode()
                if case .failure(let errors) = metric.spec.compile() { return ["\(name): \(errors)"] }
            default:
                return ["\(name): unexpected kind \(document["kind"]?.stringValue ?? "nil")"]
            }
        } catch {
            return ["\(name): \(error)"]
        }
        #expect(document["apiVersion"]?.stringValue == PacerAPI.apiVersion)
        return []
    }

    static func documents(in folder: String) throws -> [JSONValue] {
        try Repo.yamlFiles(in: folder).flatMap(Repo.documents)
    }

    @Test("every examples/*.yaml document decodes and compiles")
    func topLevelExamplesCompile() throws {
        let documents = try Self.documents(in: "examples")
        #expect(documents.count >= 20)
        let problems = documents.flatMap(Self.check)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test("the default pipeline is coherent: every route's transforms exist, the six metrics are there, for every environment")
    func pipelineIsCoherent() throws {
        let documents = try Self.documents(in: "examples")
        let transforms = Set(documents.filter { $0["kind"] == "CDEventTransform" }.compactMap { $0["metadata"]?["name"]?.stringValue })
        for route in documents where route["kind"] == "EventRoute" {
            for name in route["spec"]?["transforms"]?.arrayValue ?? [] {
                #expect(transforms.contains(name.stringValue ?? ""), "\(route["metadata"]?["name"]?.stringValue ?? ""): \(name)")
            }
        }
        let metrics = documents.filter { $0["kind"] == "MetricDefinition" }.compactMap { $0["metadata"]?["name"]?.stringValue }
        #expect(Set(metrics) == [
            "deployment-frequency", "lead-time-for-changes", "change-failure-rate", "time-to-restore", "failed-deployment-recovery-time",
            "deployment-rework-rate",
        ])
        // Unannotated workloads in any namespace count: no selector; a production-only view is one setting away.
        for metric in documents where metric["kind"] == "MetricDefinition" {
            #expect(metric["spec"]?["selector"] == nil, "\(metric["metadata"]?["name"]?.stringValue ?? ""): selector")
            #expect(metric["spec"]?["groupBy"] == ["app", "environment"], "\(metric["metadata"]?["name"]?.stringValue ?? ""): groupBy")
        }
        let names = documents.compactMap { doc in doc["kind"]?.stringValue.map { "\($0)/\(doc["metadata"]?["name"]?.stringValue ?? "")" } }
        #expect(Set(names).count == names.count, "duplicate names")
    }

    @Test("the custom metric sample compiles; the broken sample reports the caret error at spec.when")
    func samples() throws {
        let custom = try Repo.documents(Repo.url("examples/samples/custom-metric.yaml"))
        #expect(custom.flatMap(Self.check).isEmpty)
        let metric: MetricDefinition = try #require(custom.first).decode()
        let compiled = try metric.spec.compile().get()
        #expect(compiled.custom?.typeNames == ["pipelinerun.finished"])
        #expect(compiled.custom?.aggregation == .median)
        #expect(compiled.unit == "hours")
        #expect(compiled.windowSeconds == 14 * 86_400)

        let broken = try Repo.documents(Repo.url("examples/samples/broken-expression.yaml"))
        let route: EventRoute = try #require(broken.first).decode()
        guard case .failure(let errors) = route.spec.compile() else {
            Issue.record("the broken sample compiled")
            return
        }
        #expect(errors.errors.count == 1)
        #expect(errors.errors.first?.path == "spec.when")
        #expect(errors.description.hasPrefix("spec.when: 1:26: "), "\(errors)")
    }
}
