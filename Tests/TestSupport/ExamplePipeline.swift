import EventStore
import Foundation
import OperatorAPI
import PacerRules
import PacerCore
import PostgresNIO

/// The EventRoutes, CDEventTransforms and MetricDefinitions of `examples/` as configuration rows, as the
/// reconcilers would write them: Ready when their spec compiles. For tests that run the pipeline without a cluster.
public enum ExamplePipeline {
    /// Every top-level YAML file of examples/ (the default pipeline).
    public static var allFiles: [String] {
        get throws {
            try FileManager.default.contentsOfDirectory(atPath: RepoPaths.root + "/examples")
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        }
    }

    /// The documents of `files` (names in examples/) as rows per table.
    public static func rows(_ files: [String], namespace: String) throws -> [ConfigKind: [ConfigRecord]] {
        var rows: [ConfigKind: [ConfigRecord]] = [:]
        for file in files {
            let text = try String(contentsOfFile: RepoPaths.root + "/examples/" + file, encoding: .utf8)
            for document in try YAML.documents(text) {
                let name = document["metadata"]?["name"]?.stringValue ?? ""
                let spec = document["spec"] ?? .null
                let entry: (ConfigKind, Bool)?
                switch document["kind"]?.stringValue {
                case "EventRoute": entry = (.eventRoutes, (try? spec.decode(as: EventRouteSpec.self).compile().get()) != nil)
                case "CDEventTransform": entry = (.cdEventTransforms, (try? spec.decode(as: CDEventTransformSpec.self).compile().get()) != nil)
                case "MetricDefinition": entry = (.metricDefinitions, (try? spec.decode(as: MetricDefinitionSpec.self).compile().get()) != nil)
                default: entry = nil
                }
                guard let (table, ready) = entry else { continue }
                rows[table, default: []].append(row(name, spec, ready: ready, namespace: namespace))
            }
        }
        return rows
    }

    /// A configuration row with a stable uid.
    public static func row(_ name: String, _ spec: JSONValue, ready: Bool = true, namespace: String) -> ConfigRecord {
        ConfigRecord(namespace: namespace, name: name, uid: "uid-\(name)", generation: 1, spec: spec, ready: ready, message: ready ? nil : "invalid")
    }

    /// Writes the documents of `files` into the configuration tables; `clusterWide: false` as the reconciler writes
    /// them for a namespace that is not cluster-wide under namespace isolation (docs/security.md).
    public static func install(_ client: PostgresClient, files: [String], namespace: String, clusterWide: Bool = true) async throws {
        let store = PostgresConfigStore(client: client, logger: TestDatabase.logger)
        for (table, rows) in try Self.rows(files, namespace: namespace) {
            for var row in rows {
                row.clusterWide = clusterWide
                try await store.upsert(table, row)
            }
        }
    }
}
