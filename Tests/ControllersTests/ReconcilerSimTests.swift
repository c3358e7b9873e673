import Controllers
import EventStore
import Foundation
import KubeClient
import KubeCore
import KubeSim
import OperatorAPI
import PacerRules
import PacerCore
import TestSupport
import Testing

@Suite("Config reconcilers against kube-sim and PostgreSQL", .enabled(if: TestDatabase.enabled), .serialized)
struct ReconcilerSimTests {
    @Test("every example becomes Ready with a ready config row; a broken spec is Ready=False with the position")
    func examplesBecomeReady() async throws {
        try await TestDatabase.withFreshDatabase { database, _ in
            try await ReconcilerEnvironment.with(database: database) { env in
                for file in [
                    "deployment-routes.yaml", "deployment-transforms.yaml", "cdevents-passthrough.yaml", "apiserversource.yaml", "metrics.yaml",
                ] {
                    try await env.apply("examples/\(file)")
                }
                let applied = try await env.allObjects()
                #expect(applied.count >= 10)

                try await eventually("every example Ready=True at its generation", 90) {
                    guard let objects = try? await env.allObjects() else { return false }
                    return objects.allSatisfy { ReconcilerEnvironment.isObserved($0.1, ready: "True") }
                }
                let objects = try await env.allObjects()
                for (_, object) in objects {
                    #expect(object.metadata.finalizers == [PacerResourceReconciler.finalizer], "\(object.metadata.name ?? "")")
                    #expect(ReconcilerEnvironment.ready(object)?.reason == "Compiled")
                }
                for table in ConfigKind.allCases {
                    let expected = objects.filter { $0.0 == table }.map {
                        "\($0.1.metadata.namespace ?? "")/\($0.1.metadata.name ?? "")@\($0.1.metadata.generation ?? -1)"
                    }
                    let rows = try await env.store.rows(table)
                    #expect(rows.map { "\($0.namespace)/\($0.name)@\($0.generation)" } == expected.sorted(), "\(table)")
                    #expect(rows.allSatisfy { $0.ready })
                }
                let stored = try #require(try await env.store.rows(.eventRoutes).first)
                let object = try #require(objects.first { $0.0 == .eventRoutes && $0.1.metadata.name == stored.name }?.1)
                #expect(stored.spec == object.raw["spec"])
                #expect(stored.uid == object.metadata.uid)

                // A spec that does not compile: Ready=False, InvalidSpec, the position and caret in the message.
                try await env.apply("examples/samples/broken-expression.yaml")
                let routes = env.resources(.eventRoutes, namespace: "default")
                try await eventually("broken-when Ready=False", 90) {
                    guard let route = try? await routes.get("broken-when") else { return false }
                    return ReconcilerEnvironment.isObserved(route, ready: "False")
                }
                let broken = try #require(ReconcilerEnvironment.ready(try await routes.get("broken-when")))
                #expect(broken.reason == "InvalidSpec")
                let message = try #require(broken.message)
                #expect(message.contains("spec.when: 1:26: unexpected ')'"), "\(message)")
                #expect(message.contains("^"), "\(message)")
                let brokenRow = try #require(try await env.store.rows(.eventRoutes).first { $0.name == "broken-when" })
                #expect(brokenRow.ready == false)
                #expect(brokenRow.message == message)

                // kubectl's table shows the READY column from the condition.
                if FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl") {
                    let output = try await env.kubectl(["get", "eventroutes", "-n", "default"])
                    #expect(output.status == 0, "\(output.stderr)")
                    let lines = output.stdout.split(separator: "\n")
                    #expect(lines.first?.contains("READY") == true, "\(output.stdout)")
                    #expect(lines.contains { $0.hasPrefix("broken-when ") && $0.contains("False") }, "\(output.stdout)")
                    #expect(
                        lines.filter { $0.contains(" True ") }.count
                            == objects.filter { $0.0 == .eventRoutes && $0.1.metadata.namespace == "default" }.count,
                        "\(output.stdout)")
                }
            }
        }
    }

    @Test("fixing a spec bumps the generation and the row; deleting removes the row and releases the finalizer")
    func updateAndDelete() async throws {
        try await TestDatabase.withFreshDatabase { database, _ in
            try await ReconcilerEnvironment.with(database: database) { env in
                try await env.apply("examples/samples/broken-expression.yaml")
                let routes = env.resources(.eventRoutes, namespace: "default")
                try await eventually("broken-when Ready=False", 90) {
                    guard let route = try? await routes.get("broken-when") else { return false }
                    return ReconcilerEnvironment.isObserved(route, ready: "False")
                }
                let before = try await routes.get("broken-when")
                // Counts the pipeline writes into status must survive the reconciler's status writes.
                _ = try await routes.patchStatus("broken-when", mergePatch: ["status": ["matchedEvents": 7]])

                _ = try await routes.patch("broken-when", mergePatch: ["spec": ["when": "data.rollback == true"]])
                try await eventually("broken-when Ready=True at the new generation", 90) {
                    guard let route = try? await routes.get("broken-when") else { return false }
                    return ReconcilerEnvironment.isObserved(route, ready: "True")
                }
                let fixed = try await routes.get("broken-when")
                #expect(fixed.metadata.generation == (before.metadata.generation ?? 0) + 1)
                #expect(fixed.raw["status"]?["matchedEvents"]?.intValue == 7)
                let row = try #require(try await env.store.rows(.eventRoutes).first { $0.name == "broken-when" })
                #expect(row.ready)
                #expect(row.message == nil)
                #expect(row.generation == fixed.metadata.generation)
                #expect(row.spec["when"] == "data.rollback == true")

                try await routes.delete("broken-when")
                try await eventually("broken-when gone", 90) { (try? await routes.getIfPresent("broken-when")) == .some(nil) }
                #expect(try await env.store.rows(.eventRoutes).isEmpty)
            }
        }
    }

    @Test("with namespace isolation the row says whether the resource's namespace is cluster-wide")
    func namespaceScope() async throws {
        try await TestDatabase.withFreshDatabase { database, _ in
            try await ReconcilerEnvironment.with(database: database, scope: .isolated(clusterWide: ["pacer-system", "platform"])) { env in
                for namespace in ["pacer-system", "platform", "team-a"] {
                    try await env.sim.apply(yaml: """
                        apiVersion: v1
                        kind: Namespace
                        metadata: {name: \(namespace)}
                        ---
                        apiVersion: pacer.dev/v1alpha1
                        kind: MetricDefinition
                        metadata: {name: df, namespace: \(namespace)}
                        spec: {metric: deploymentFrequency}
                        """)
                }
                try await eventually("three rows", 90) { ((try? await env.store.rows(.metricDefinitions)) ?? []).count == 3 }
                let rows = try await env.store.rows(.metricDefinitions)
                #expect(rows.map { "\($0.namespace)=\($0.clusterWide)" } == ["pacer-system=true", "platform=true", "team-a=false"])
            }
        }
    }
}
