import Foundation
import HTTPTypes
import HTTPAPI
import HummingbirdTesting
import NIOCore
import Prometheus
import TestSupport
import Testing

@testable import PacerApp

/// A parsed exposition: families (HELP/TYPE counts) and samples (name, labels, value).
struct ExpositionText {
    struct Sample: Equatable {
        var name: String
        var labels: [String: String]
        var value: Double
    }
    var help: [String: Int] = [:]
    var type: [String: String] = [:]
    var typeCount: [String: Int] = [:]
    var samples: [Sample] = []

    enum ParseError: Error { case line(String) }

    init(_ text: String) throws {
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("# HELP ") {
                let name = String(line.dropFirst(7).prefix { $0 != " " })
                help[name, default: 0] += 1
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                guard parts.count == 2, ["counter", "gauge", "histogram", "summary", "untyped"].contains(parts[1]) else { throw ParseError.line(String(line)) }
                type[String(parts[0])] = String(parts[1])
                typeCount[String(parts[0]), default: 0] += 1
            } else if line.hasPrefix("#") {
                continue
            } else {
                samples.append(try Self.sample(String(line)))
            }
        }
    }

    /// `name{a="x",b="y"} value` with `\\`, `\"`, `\n` escapes in label values.
    static func sample(_ line: String) throws -> Sample {
        var chars = Array(line)[...]
        let name = String(chars.prefix { $0 != "{" && $0 != " " })
        guard name.wholeMatch(of: /[a-zA-Z_:][a-zA-Z0-9_:]*/) != nil else { throw ParseError.line(line) }
        chars = chars.dropFirst(name.count)
        var labels: [String: String] = [:]
        if chars.first == "{" {
            chars = chars.dropFirst()
            while chars.first != "}" {
                let key = String(chars.prefix { $0 != "=" })
                guard key.wholeMatch(of: /[a-zA-Z_][a-zA-Z0-9_]*/) != nil else { throw ParseError.line(line) }
                chars = chars.dropFirst(key.count)
                guard chars.popFirst() == "=", chars.popFirst() == "\"" else { throw ParseError.line(line) }
                var value = ""
                while let c = chars.popFirst(), c != "\"" {
                    if c == "\\" {
                        switch chars.popFirst() {
                        case "n": value.append("\n")
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        default: throw ParseError.line(line)
                        }
                    } else {
                        value.append(c)
                    }
                }
                labels[key] = value
                if chars.first == "," { chars = chars.dropFirst() }
                guard !chars.isEmpty else { throw ParseError.line(line) }
            }
            chars = chars.dropFirst()
        }
        guard chars.popFirst() == " ", let value = Double(String(chars).split(separator: " ").first.map(String.init) ?? "") else {
            throw ParseError.line(line)
        }
        return Sample(name: name, labels: labels, value: value)
    }
}

@Suite("Prometheus /metrics", .enabled(if: TestDatabase.enabled))
struct MetricsPrometheusTests {
    @Test func doraGaugesAndPacersOwnMetricsInOneValidExposition() async throws {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(descriptor: MetricNameDescriptor(namespace: "pacer", subsystem: nil, metricName: "leader", unitName: nil, helpText: "1 on the elected leader")).set(to: 1.0)
        registry.makeCounter(descriptor: MetricNameDescriptor(metricName: "pacer_kube_watch_restarts", unitName: "total", helpText: "watch restarts")).increment()
        try await MetricsTestApp.run(registry: registry) { client, _ in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let exposition = try ExpositionText(response.text)
            #expect(exposition.typeCount.values.allSatisfy { $0 == 1 })
            #expect(exposition.help.values.allSatisfy { $0 == 1 })
            for sample in exposition.samples {
                #expect(exposition.type[sample.name] != nil, "sample \(sample.name) has no TYPE line")
            }
            #expect(exposition.samples.contains(.init(name: "pacer_leader", labels: [:], value: 1)))
            #expect(exposition.samples.contains(.init(name: "pacer_kube_watch_restarts_total", labels: [:], value: 1)))
            for family in ["pacer_dora_deployment_frequency", "pacer_dora_lead_time_hours", "pacer_dora_change_failure_rate"] {
                #expect(exposition.type[family] == "gauge")
            }
            let dora = exposition.samples.filter { $0.name.hasPrefix("pacer_dora_") }
            #expect(
                Set(dora.map { "\($0.name) \($0.labels["metric_definition"] ?? "?") app=\($0.labels["app"] ?? "?") env=\($0.labels["environment"] ?? "?") level=\($0.labels["level"] ?? "?") \($0.value)" })
                    == [
                        "pacer_dora_deployment_frequency default/deployment-frequency app= env= level=Elite 3.5",
                        "pacer_dora_deployment_frequency default/deployment-frequency app=checkout env= level=Elite 4.0",
                        "pacer_dora_deployment_frequency default/deployment-frequency app=cart env= level=High 1.0",
                        "pacer_dora_lead_time_hours default/lead-time app= env= level=High 26.25",
                        "pacer_dora_lead_time_hours default/lead-time app=checkout env= level=High 20.0",
                        "pacer_dora_change_failure_rate default/change-failure-rate app= env= level=Medium 0.125",
                    ])
            // Time to restore has no value yet: no sample (and no empty family).
            #expect(exposition.type["pacer_dora_time_to_restore_hours"] == nil)
        }
    }

    @Test func renderingEscapesLabelsAndCustomMetricsUseTheGenericFamily() throws {
        let computed = Date(timeIntervalSince1970: 0)
        let text = DORAExposition.render([
            MetricDefinitionHeadlines(
                namespace: "team-a", name: "builds", metric: "custom", unit: "builds", window: "7d",
                headlines: [.init(labels: ["app": "we\"ird\\app\n", "team": "a"], value: 12, level: nil, samples: 12, computedAt: computed)])
        ])
        let exposition = try ExpositionText(text)
        #expect(exposition.type["pacer_metric_value"] == "gauge")
        #expect(exposition.samples == [
            .init(name: "pacer_metric_value", labels: ["metric_definition": "team-a/builds", "app": "we\"ird\\app\n", "environment": "", "level": "", "team": "a"], value: 12)
        ])
    }

    @Test func aDefinitionGroupedByClusterHasAClusterLabel() throws {
        let computed = Date(timeIntervalSince1970: 0)
        let text = DORAExposition.render([
            MetricDefinitionHeadlines(
                namespace: "default", name: "deploys-by-cluster", metric: "deploymentFrequency", unit: "days/week", window: "30d",
                headlines: [
                    .init(labels: [:], value: 3, level: "Elite", samples: 9, computedAt: computed),
                    .init(labels: ["cluster": "eu-1"], value: 2, level: "High", samples: 5, computedAt: computed),
                ])
        ])
        let exposition = try ExpositionText(text)
        #expect(exposition.samples == [
            .init(name: "pacer_dora_deployment_frequency", labels: ["metric_definition": "default/deploys-by-cluster", "app": "", "environment": "", "level": "Elite"], value: 3),
            .init(name: "pacer_dora_deployment_frequency", labels: ["metric_definition": "default/deploys-by-cluster", "app": "", "environment": "", "level": "High", "cluster": "eu-1"], value: 2),
        ])
    }

    @Test func observabilityNamesAreValidPrometheusNames() {
        #expect(Observability.sanitize("hb.requests") == "hb_requests")
        #expect(Observability.sanitize("http.server.request.duration") == "http_server_request_duration")
        #expect(Observability.sanitize("9lives-x") == "_lives_x")
        #expect(Observability.bootstrap() === Observability.bootstrap())
    }
}
