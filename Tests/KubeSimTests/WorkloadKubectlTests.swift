import Foundation
import PacerCore
import TestSupport
import Testing

/// The simulated StatefulSet and DaemonSet controllers, read by the real kubectl: `kubectl rollout status` decides
/// completion from the status fields the way it does against a real cluster.
@Suite("StatefulSets and DaemonSets with kubectl", .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/kubectl")))
struct WorkloadKubectlTests {
    static func workload(_ kind: String, _ name: String, image: String, extraSpec: String = "") -> String {
        """
        apiVersion: apps/v1
        kind: \(kind)
        metadata: {name: \(name)}
        spec:
          \(extraSpec.isEmpty ? "" : extraSpec + "\n  ")selector: {matchLabels: {app: \(name)}}
          template:
            metadata: {labels: {app: \(name)}}
            spec: {containers: [{name: app, image: "\(image)"}]}
        """
    }

    @Test("kubectl rollout status follows a StatefulSet's rollouts, partitioned too; equal templates reuse the revision name")
    func statefulSetRollouts() async throws {
        try await SimFixture.with { sim in
            let file = try sim.writeFile("db.yaml", Self.workload("StatefulSet", "db", image: "postgres:16.1", extraSpec: "replicas: 3"))
            let applied = try await sim.kubectl("apply", "-f", file)
            #expect(applied.status == 0, "\(applied.stderr)")
            #expect(applied.stdout.contains("statefulset.apps/db created"))

            let first = try await sim.kubectl("rollout", "status", "statefulset/db", "--timeout=60s")
            #expect(first.status == 0, "\(first.stderr)")
            // Defaulted RollingUpdate with partition 0: kubectl's partitioned branch, all 3 pods new.
            #expect(first.stdout.contains("partitioned roll out complete: 3 new pods have been updated"), "\(first.stdout)")
            let revision1 = try await sim.kubectl("get", "sts", "db", "-o", "jsonpath={.status.updateRevision} {.status.currentRevision}")
            let names1 = revision1.stdout.split(separator: " ").map(String.init)
            #expect(names1.count == 2 && names1[0] == names1[1] && names1[0].hasPrefix("db-"), "\(revision1.stdout)")

            let set = try await sim.kubectl("set", "image", "statefulset/db", "app=postgres:16.2")
            #expect(set.status == 0, "\(set.stderr)")
            let second = try await sim.kubectl("rollout", "status", "statefulset/db", "--timeout=60s")
            #expect(second.status == 0, "\(second.stderr)")
            let revision2 = try await sim.kubectl(
                "get", "sts", "db", "-o", "jsonpath={.status.updateRevision} {.status.currentRevision} {.status.updatedReplicas} {.status.readyReplicas}")
            let fields2 = revision2.stdout.split(separator: " ").map(String.init)
            #expect(fields2.count == 4 && fields2[0] != names1[0] && fields2[0] == fields2[1] && fields2[2] == "3" && fields2[3] == "3", "\(revision2.stdout)")

            // Partition 2 of 3: only ordinal 2 gets the new revision; the current revision stays.
            let patch = #"{"spec":{"updateStrategy":{"rollingUpdate":{"partition":2}},"template":{"spec":{"containers":[{"name":"app","image":"postgres:16.3"}]}}}}"#
            let patched = try await sim.kubectl("patch", "statefulset/db", "--type=merge", "-p", patch)
            #expect(patched.status == 0, "\(patched.stderr)")
            let third = try await sim.kubectl("rollout", "status", "statefulset/db", "--timeout=60s")
            #expect(third.status == 0, "\(third.stderr)")
            #expect(third.stdout.contains("partitioned roll out complete: 1 new pods have been updated"), "\(third.stdout)")
            let revision3 = try await sim.kubectl("get", "sts", "db", "-o", "jsonpath={.status.updateRevision} {.status.currentRevision} {.status.updatedReplicas}")
            let fields3 = revision3.stdout.split(separator: " ").map(String.init)
            #expect(fields3.count == 3 && fields3[0] != fields2[0] && fields3[1] == fields2[0] && fields3[2] == "1", "\(revision3.stdout)")

            // Back to 16.2 with no partition: the revision name of that template comes back.
            let back = #"{"spec":{"updateStrategy":{"rollingUpdate":{"partition":0}},"template":{"spec":{"containers":[{"name":"app","image":"postgres:16.2"}]}}}}"#
            #expect(try await sim.kubectl("patch", "statefulset/db", "--type=merge", "-p", back).status == 0)
            #expect(try await sim.kubectl("rollout", "status", "statefulset/db", "--timeout=60s").status == 0)
            let revision4 = try await sim.kubectl("get", "sts", "db", "-o", "jsonpath={.status.updateRevision} {.status.currentRevision}")
            #expect(revision4.stdout == "\(fields2[0]) \(fields2[0])", "\(revision4.stdout)")

            let listed = try await sim.kubectl("get", "statefulsets,daemonsets")
            #expect(listed.status == 0 && listed.stdout.contains("db"), "\(listed.stderr)")
        }
    }

    @Test("kubectl rollout status follows a DaemonSet; the API server bumps its template generation only on template changes")
    func daemonSetRollouts() async throws {
        try await SimFixture.with { sim in
            let file = try sim.writeFile("agent.yaml", Self.workload("DaemonSet", "agent", image: "agent:1"))
            #expect(try await sim.kubectl("apply", "-f", file).status == 0)
            let first = try await sim.kubectl("rollout", "status", "daemonset/agent", "--timeout=60s")
            #expect(first.status == 0, "\(first.stderr)")
            #expect(first.stdout.contains("daemon set \"agent\" successfully rolled out"), "\(first.stdout)")
            let generation = #"jsonpath={.metadata.annotations.deprecated\.daemonset\.template\.generation} {.status.desiredNumberScheduled} {.status.updatedNumberScheduled} {.status.numberAvailable}"#
            #expect(try await sim.kubectl("get", "ds", "agent", "-o", generation).stdout == "1 3 3 3")

            #expect(try await sim.kubectl("set", "image", "daemonset/agent", "app=agent:2").status == 0)
            #expect(try await sim.kubectl("rollout", "status", "daemonset/agent", "--timeout=60s").status == 0)
            #expect(try await sim.kubectl("get", "ds", "agent", "-o", generation).stdout == "2 3 3 3")

            // An annotation is no template change.
            #expect(try await sim.kubectl("annotate", "daemonset/agent", "note=x").status == 0)
            #expect(try await sim.kubectl("get", "ds", "agent", "-o", generation).stdout == "2 3 3 3")

            // A stalled rollout (fault annotation written with the change) keeps kubectl waiting: it times out.
            let failing = #"{"metadata":{"annotations":{"kube-sim.pacer.dev/fail-rollout":"true"}},"spec":{"template":{"spec":{"containers":[{"name":"app","image":"agent:3"}]}}}}"#
            #expect(try await sim.kubectl("patch", "daemonset/agent", "--type=merge", "-p", failing).status == 0)
            let stalled = try await sim.kubectl("rollout", "status", "daemonset/agent", "--timeout=2s")
            #expect(stalled.status != 0)
            #expect(stalled.stdout.contains("Waiting for daemon set \"agent\" rollout to finish: 1 out of 3 new pods have been updated"), "\(stalled.stdout)")
        }
    }
}
