import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Prometheus

/// `GET /metrics`: Prometheus text exposition (format 0.0.4) of Pacer's own metrics (the swift-metrics registry),
/// `pacer_database_up` (the readiness check, made at scrape time) and, when `exportsDORAGauges` says so (on the
/// leader), the DORA gauges rendered from the headline rows at scrape time.
public struct MetricsExpositionRoute<Context: RequestContext>: Sendable {
    let registry: PrometheusCollectorRegistry?
    let reader: (any MetricsReading)?
    let readiness: (any ReadinessChecking)?
    let exportsDORAGauges: @Sendable () -> Bool

    public init(
        registry: PrometheusCollectorRegistry?, reader: (any MetricsReading)?, readiness: (any ReadinessChecking)? = nil,
        exportsDORAGauges: @escaping @Sendable () -> Bool = { true }
    ) {
        self.registry = registry
        self.reader = reader
        self.readiness = readiness
        self.exportsDORAGauges = exportsDORAGauges
    }

    public static var contentType: String { "text/plain; version=0.0.4; charset=utf-8" }

    public func register(on router: some RouterMethods<Context>) {
        router.get("/metrics") { _, context in try await self.scrape(logger: context.logger) }
    }

    func scrape(logger: Logger) async throws -> Response {
        var bytes = registry?.emitToBuffer() ?? []
        if let readiness {
            let up = await readiness.notReadyReason() == nil
            bytes.append(contentsOf: Array(Self.databaseUp(up).utf8))
        }
        if let reader, exportsDORAGauges() {
            let definitions: [MetricDefinitionHeadlines]
            do {
                definitions = try await reader.definitions()
            } catch {
                // Pacer's own metrics stay scrapeable while the database is away; the DORA gauges are absent then.
                logger.warning("DORA gauges not rendered: metrics store unreadable", metadata: ["error": "\(String(reflecting: error))"])
                definitions = []
            }
            let existing = DORAExposition.familyNames(in: bytes)
            bytes.append(contentsOf: Array(DORAExposition.render(definitions, skipping: existing).utf8))
        }
        return Response(status: .ok, headers: [.contentType: Self.contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The `pacer_database_up` family: 1 when the database answers and its schema is migrated (what `/readyz` checks).
    static func databaseUp(_ up: Bool) -> String {
        "# HELP pacer_database_up 1 when the database answers and its schema is migrated (checked at scrape time), else 0.\n"
            + "# TYPE pacer_database_up gauge\npacer_database_up \(up ? 1 : 0)\n"
    }
}

/// The DORA gauges in Prometheus text format, one family per metric kind:
/// `pacer_dora_deployment_frequency`, `pacer_dora_lead_time_hours`, `pacer_dora_change_failure_rate`,
/// `pacer_dora_time_to_restore_hours`, `pacer_dora_failed_deployment_recovery_time_hours`,
/// `pacer_dora_deployment_rework_rate`, and `pacer_metric_value` for custom metrics; labels `metric_definition`
/// (`namespace/name`), `app`, `environment`, `level` (empty when not grouped by it / not classified), plus `team`
/// and `app_namespace` on groups that carry them. Rows without a value (no data) are left out.
public enum DORAExposition {
    /// A family: its name and help text.
    struct Family {
        var name: String
        var help: String
    }

    static func family(metric: String) -> Family {
        switch metric {
        case "deploymentFrequency":
            Family(name: "pacer_dora_deployment_frequency", help: "DORA deployment frequency over the MetricDefinition's window (unit in its status).")
        case "leadTimeForChanges":
            Family(name: "pacer_dora_lead_time_hours", help: "DORA lead time for changes: median hours from change to deployment over the window.")
        case "changeFailureRate":
            Family(name: "pacer_dora_change_failure_rate", help: "DORA change failure rate: failed / all deployments over the window (0..1).")
        case "timeToRestore":
            Family(name: "pacer_dora_time_to_restore_hours", help: "DORA time to restore service: median hours from incident to resolution over the window.")
        case "failedDeploymentRecoveryTime":
            Family(
                name: "pacer_dora_failed_deployment_recovery_time_hours",
                help: "DORA failed deployment recovery time: median hours from a failed deployment to its remediation over the window.")
        case "deploymentReworkRate":
            Family(name: "pacer_dora_deployment_rework_rate", help: "DORA deployment rework rate: rework / all deployments over the window (0..1).")
        default:
            Family(name: "pacer_metric_value", help: "Value of a custom MetricDefinition over its window.")
        }
    }

    /// Renders every headline row with a value; families in a fixed order, each with one HELP and one TYPE line.
    public static func render(_ definitions: [MetricDefinitionHeadlines], skipping existing: Set<String> = []) -> String {
        var samples: [String: [String]] = [:]
        var order: [Family] = []
        for definition in definitions {
            let family = family(metric: definition.metric)
            for headline in definition.headlines {
                guard let value = headline.value, value.isFinite else { continue }
                var labels: [(String, String)] = [
                    ("metric_definition", "\(definition.namespace)/\(definition.name)"),
                    ("app", headline.labels["app"] ?? ""), ("environment", headline.labels["environment"] ?? ""),
                    ("level", headline.level ?? ""),
                ]
                if let team = headline.labels["team"] { labels.append(("team", team)) }
                if let namespace = headline.labels["namespace"] { labels.append(("app_namespace", namespace)) }
                if let cluster = headline.labels["cluster"] { labels.append(("cluster", cluster)) }
                let text = labels.map { "\($0.0)=\"\(escape($0.1))\"" }.joined(separator: ",")
                if samples[family.name] == nil { order.append(family) }
                samples[family.name, default: []].append("\(family.name){\(text)} \(number(value))")
            }
        }
        var out = ""
        for family in order.sorted(by: { $0.name < $1.name }) where !existing.contains(family.name) {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) gauge\n"
            for line in samples[family.name] ?? [] { out += line + "\n" }
        }
        return out
    }

    /// Names of the families already in an exposition (from its `# TYPE` lines).
    static func familyNames(in bytes: [UInt8]) -> Set<String> {
        var names = Set<String>()
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("# TYPE ") {
            if let name = line.dropFirst(7).split(separator: " ").first { names.insert(String(name)) }
        }
        return names
    }

    /// A label value escaped for the text format (`\`, `"`, newline).
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    /// A sample value: integral values without a fraction, others in Swift's shortest round-trip form.
    static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
