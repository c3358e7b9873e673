import Controllers
import Foundation
import KubeClient
import KubeCore
import KubeSim
import OperatorAPI
import PacerRules
import PacerCore
import Synchronization
import Testing

/// An in-memory ``ResourceConfigStore`` that can be switched to fail like a database that is down.
final class MemoryConfigStore: ResourceConfigStore {
    struct DatabaseDown: Error, CustomStringConvertible {
        var description: String { "connection refused" }
    }

    let state = Mutex((records: [String: ConfigRecord](), failing: false, failures: 0))

    func upsert(_ kind: ConfigKind, _ record: ConfigRecord) async throws {
        try state.withLock { state in
            if state.failing {
                state.failures += 1
                throw DatabaseDown()
            }
            state.records["\(kind.rawValue)/\(record.namespace)/\(record.name)"] = record
        }
    }

    func delete(_ kind: ConfigKind, namespace: String, name: String) async throws -> Bool {
        try state.withLock { state in
            if state.failing {
                state.failures += 1
                throw DatabaseDown()
            }
            return state.records.removeValue(forKey: "\(kind.rawValue)/\(namespace)/\(name)") != nil
        }
    }

    func setFailing(_ failing: Bool) { state.withLock { $0.failing = failing } }
    var failures: Int { state.withLock { $0.failures } }
    var keys: [String] { state.withLock { $0.records.keys.sorted() } }
}

@Suite("Config reconcilers: store failures and namespace scope")
struct ReconcilerErrorTests {
    static let route = """
        apiVersion: pacer.dev/v1alpha1
        kind: EventRoute
        metadata: {name: rollouts, namespace: NS}
        spec:
          filters:
          - exact: {type: dev.pacer.deployment.rollout.completed}
          transforms: [deployment-service-deployed]
        """

    static func namespace(_ name: String) -> String {
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(name)}\n"
    }

    @Test("a failing store shows Ready=False ReconcileError, is retried, and recovers to Ready=True")
    func storeOutageIsReportedAndRetried() async throws {
        let store = MemoryConfigStore()
        store.setFailing(true)
        try await ReconcilerEnvironment.with(store: store) { env in
            try await env.sim.apply(yaml: Self.route.replacingOccurrences(of: "NS", with: "default"))
            let routes = env.resources(.eventRoutes, namespace: "default")
            try await eventually("Ready=False ReconcileError", 90) {
                guard let route = try? await routes.get("rollouts") else { return false }
                return ReconcilerEnvironment.ready(route)?.reason == "ReconcileError"
            }
            let failed = try #require(ReconcilerEnvironment.ready(try await routes.get("rollouts")))
            #expect(failed.status == "False")
            #expect(failed.message?.contains("connection refused") == true, "\(failed.message ?? "")")
            try await eventually("retried", 90) { store.failures >= 2 }

            store.setFailing(false)
            try await eventually("Ready=True after the store came back", 90) {
                guard let route = try? await routes.get("rollouts") else { return false }
                return ReconcilerEnvironment.isObserved(route, ready: "True")
            }
            #expect(store.keys == ["eventRoutes/default/rollouts"])
        }
    }

    @Test("a delete while the store is down keeps the object (finalizer) until its record is removed")
    func deleteWaitsForTheStore() async throws {
        let store = MemoryConfigStore()
        try await ReconcilerEnvironment.with(store: store) { env in
            try await env.sim.apply(yaml: Self.route.replacingOccurrences(of: "NS", with: "default"))
            let routes = env.resources(.eventRoutes, namespace: "default")
            try await eventually("Ready=True", 90) {
                guard let route = try? await routes.get("rollouts") else { return false }
                return ReconcilerEnvironment.isObserved(route, ready: "True")
            }
            store.setFailing(true)
            try await routes.delete("rollouts")
            try await eventually("ReconcileError while terminating", 90) {
                guard let route = try? await routes.get("rollouts") else { return false }
                return ReconcilerEnvironment.ready(route)?.reason == "ReconcileError"
            }
            let terminating = try await routes.get("rollouts")
            #expect(terminating.metadata.deletionTimestamp != nil)
            #expect(terminating.metadata.finalizers == [PacerResourceReconciler.finalizer])
            #expect(store.keys == ["eventRoutes/default/rollouts"])

            store.setFailing(false)
            try await eventually("object gone", 90) { (try? await routes.getIfPresent("rollouts")) == .some(nil) }
            #expect(store.keys.isEmpty)
        }
    }

    @Test("with a namespace list, objects elsewhere are left alone")
    func onlyListedNamespaces() async throws {
        let store = MemoryConfigStore()
        try await ReconcilerEnvironment.with(store: store, namespaces: ["team-a"]) { env in
            for name in ["team-a", "team-b"] {
                try await env.sim.apply(yaml: Self.namespace(name))
                try await env.sim.apply(yaml: Self.route.replacingOccurrences(of: "NS", with: name))
            }
            try await eventually("team-a route Ready", 90) {
                guard let route = try? await env.resources(.eventRoutes, namespace: "team-a").get("rollouts") else { return false }
                return ReconcilerEnvironment.isObserved(route, ready: "True")
            }
            // A marker applied after team-b's route: once it is Ready, a reconciler that (wrongly) watched team-b
            // would have been handed team-b's route first.
            try await env.sim.apply(yaml: Self.route.replacingOccurrences(of: "NS", with: "team-a").replacingOccurrences(of: "name: rollouts", with: "name: marker"))
            try await eventually("team-a marker Ready", 90) {
                guard let route = try? await env.resources(.eventRoutes, namespace: "team-a").get("marker") else { return false }
                return ReconcilerEnvironment.isObserved(route, ready: "True")
            }
            let other = try await env.resources(.eventRoutes, namespace: "team-b").get("rollouts")
            #expect(other.metadata.finalizers == nil)
            #expect(ReconcilerEnvironment.ready(other) == nil)
            #expect(store.keys == ["eventRoutes/team-a/marker", "eventRoutes/team-a/rollouts"])
        }
    }
}
