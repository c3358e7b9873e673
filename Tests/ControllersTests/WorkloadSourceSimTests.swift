import Controllers
import EventModel
import Foundation
import KubeClient
import KubeCore
import PacerCore
import Testing

/// The workload source watching StatefulSets and DaemonSets that kube-sim's simulated controllers roll out.
@Suite("WorkloadSource: StatefulSets and DaemonSets against kube-sim", .serialized)
struct WorkloadSourceSimTests {
    static func workload(_ kind: String, _ name: String, image: String, annotations: [String: String]) -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": .string(kind),
            "metadata": ["name": .string(name), "namespace": "shop", "annotations": .object(annotations.mapValues(JSONValue.string))],
            "spec": [
                "replicas": kind == "StatefulSet" ? 3 : nil, "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "app", "image": .string(image)]]]],
            ],
        ]
    }

    /// ``facts(_:)`` of one subject's events of one kind, revisions renamed r1, r2, ... in order of appearance.
    static func story(_ sink: InMemorySink, kind: String, subject: String) -> [String] {
        var names: [String: String] = [:]
        return facts(sink.events.filter { $0.subject == subject && $0.type.hasPrefix("dev.pacer.\(kind).") }).map { line in
            guard let at = line.firstIndex(of: "@") else { return line }
            let revision = String(line[line.index(after: at)...])
            if names[revision] == nil { names[revision] = "r\(names.count + 1)" }
            return "\(line[..<at])@\(names[revision]!)"
        }
    }

    func exercise(_ kind: String, resource: ResourceDescriptor, env: SimEnvironment, sink: InMemorySink) async throws {
        let name = kind == "StatefulSet" ? "db" : "agent"
        let typeName = kind.lowercased()
        let client = env.client.resource(DynamicObject.self, descriptor: resource, namespace: "shop")
        @Sendable func count(_ fact: String) -> Int { sink.events.filter { $0.subject == "shop/\(name)" && $0.type == "dev.pacer.\(typeName).\(fact)" }.count }
        func image(_ image: String, _ annotations: [String: JSONValue] = [:]) -> JSONValue {
            var patch: JSONValue = ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]]]]
            if !annotations.isEmpty { patch["metadata"] = ["annotations": .object(annotations)] }
            return patch
        }
        _ = try await client.create(
            DynamicObject(Self.workload(kind, name, image: "\(name):1", annotations: ["pacer.dev/app": "store", "pacer.dev/progress-deadline-seconds": "2"])))
        try await eventually("\(kind) first rollout") { count("rollout.completed") == 1 }
        _ = try await client.patch(name, mergePatch: image("\(name):2"))
        try await eventually("\(kind) upgrade") { count("rollout.completed") == 2 }
        // Fault written with the change (alone, it would stall the settled revision too).
        _ = try await client.patch(name, mergePatch: image("\(name):3", ["kube-sim.pacer.dev/fail-rollout": "true"]))
        try await eventually("\(kind) failed rollout after its 2 s deadline") { count("rollout.failed") == 1 }
        _ = try await client.patch(name, mergePatch: ["metadata": ["annotations": ["kube-sim.pacer.dev/fail-rollout": nil]]])
        try await eventually("\(kind) the failed revision completes once fixed") { count("rollout.completed") == 3 }
        // Rolled back to the first image.
        _ = try await client.patch(name, mergePatch: image("\(name):1"))
        try await eventually("\(kind) rollback") { count("rollout.completed") == 4 }
        _ = try await client.patch(name, mergePatch: ["metadata": ["annotations": ["kube-sim.pacer.dev/unavailable": "true"]]])
        try await eventually("\(kind) availability lost") { count("availability.lost") == 1 }
        _ = try await client.patch(name, mergePatch: ["metadata": ["annotations": ["kube-sim.pacer.dev/unavailable": nil]]])
        try await eventually("\(kind) availability restored") { count("availability.restored") == 1 }
        try await client.delete(name)
        try await eventually("\(kind) deleted") { count("deleted") == 1 }
    }

    @Test func statefulSetAndDaemonSetRolloutsGiveEachFactOnce() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            let source = env.makeSource(sink: sink) { $0.deadlineCheckInterval = .milliseconds(100) }
            try await env.running(source) {
                await source.waitUntilWatching()
                try await exercise("StatefulSet", resource: .statefulSets, env: env, sink: sink)
                try await exercise("DaemonSet", resource: .daemonSets, env: env, sink: sink)
                try await env.marker("after", sink: sink)
            }
            // r3 failed (deadline), then completed once fixed. The rollback: a StatefulSet's revision name r1 comes back
            // (equal templates), with its own ids; a DaemonSet's template generation counts on (4).
            let expected = [
                "created", "revision@r1", "rollout.completed@r1", "revision@r2", "rollout.completed@r2", "revision@r3", "rollout.failed@r3",
                "rollout.completed@r3", "revision@r1", "rollout.completed@r1", "availability.lost", "availability.restored", "deleted",
            ]
            #expect(Self.story(sink, kind: "statefulset", subject: "shop/db") == expected)
            #expect(Self.story(sink, kind: "daemonset", subject: "shop/agent") == [
                "created", "revision@r1", "rollout.completed@r1", "revision@r2", "rollout.completed@r2", "revision@r3", "rollout.failed@r3",
                "rollout.completed@r3", "revision@r4", "rollout.completed@r4", "availability.lost", "availability.restored", "deleted",
            ])
            let agentRevisions = sink.events.filter { $0.subject == "shop/agent" && $0.type == "dev.pacer.daemonset.revision" }.map { $0.dataObject["revision"] }
            #expect(agentRevisions == [1, 2, 3, 4])
            for subject in ["shop/db", "shop/agent"] {
                let events = sink.events.filter { $0.subject == subject }
                #expect(Set(events.map(\.id)).count == events.count)
                let rollback = events.filter { $0.type.hasSuffix(".revision") }.last
                #expect(rollback?.dataObject["rollback"] == true, "\(subject): \(rollback?.dataObject ?? [:])")
                for event in events {
                    #expect(throws: Never.self) { try event.validate() }
                    #expect(event.dataObject["app"] == "store")
                    #expect(event.dataObject["environment"] == "production")
                    #expect(event.dataObject["team"] == "payments")
                }
            }
            #expect(sink.events.contains { $0.source == "/k8s/sim/apis/apps/v1/namespaces/shop/statefulsets/db" })
            #expect(sink.events.contains { $0.source == "/k8s/sim/apis/apps/v1/namespaces/shop/daemonsets/agent" })
        }
    }

    @Test func aRestartedSourceDerivesNothingNew() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            let sets = env.client.resource(DynamicObject.self, descriptor: .statefulSets, namespace: "shop")
            try await env.running(env.makeSource(sink: sink)) {
                _ = try await sets.create(DynamicObject(Self.workload("StatefulSet", "db", image: "db:1", annotations: [:])))
                try await eventually("first rollout") { Self.story(sink, kind: "statefulset", subject: "shop/db").contains("rollout.completed@r1") }
                _ = try await sets.patch("db", mergePatch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "db:2"]]]]]])
                try await eventually("upgrade") { Self.story(sink, kind: "statefulset", subject: "shop/db").contains("rollout.completed@r2") }
            }
            let before = sink.events.count
            // A new source (a restart, or the next leader) relists: the same ids, which the sink drops.
            try await env.running(env.makeSource(sink: sink)) {
                // The marker is a Deployment, another stream than the StatefulSet's: its event does not order the
                // StatefulSet's relist, so wait for that relist itself (created, revision and completion of r2 derived
                // again, dropped as duplicates), then the marker.
                try await eventually("the StatefulSet relisted") { sink.duplicates(of: "shop/db") >= 3 }
                try await env.marker("after-restart", sink: sink)
            }
            #expect(Self.story(sink, kind: "statefulset", subject: "shop/db") == [
                "created", "revision@r1", "rollout.completed@r1", "revision@r2", "rollout.completed@r2",
            ])
            // The marker Deployment's own events (its created, and its rollout if the source saw it) are the only new ones.
            #expect(sink.events.filter { $0.subject != "shop/after-restart" }.count == before, "\(sink.events.suffix(4).map(\.id))")
            #expect(sink.duplicates(of: "shop/db") == 3, "created, revision and completion of r2 derived again, dropped as duplicates")
        }
    }

    @Test func aKindSwitchedOffIsNotWatched() async throws {
        try await SimEnvironment.with { env in
            let sink = InMemorySink()
            let source = env.makeSource(sink: sink) { $0.kinds = [.deployment, .daemonSet] }
            #expect(source.kinds == [.deployment, .daemonSet])
            try await env.running(source) {
                _ = try await env.client.resource(DynamicObject.self, descriptor: .statefulSets, namespace: "shop")
                    .create(DynamicObject(Self.workload("StatefulSet", "db", image: "db:1", annotations: [:])))
                _ = try await env.client.resource(DynamicObject.self, descriptor: .daemonSets, namespace: "shop")
                    .create(DynamicObject(Self.workload("DaemonSet", "agent", image: "agent:1", annotations: [:])))
                try await eventually("daemonset rollout") { Self.story(sink, kind: "daemonset", subject: "shop/agent").contains("rollout.completed@r1") }
                try await env.marker("after", sink: sink)
            }
            #expect(!sink.events.contains { $0.type.hasPrefix("dev.pacer.statefulset.") })
        }
    }
}
