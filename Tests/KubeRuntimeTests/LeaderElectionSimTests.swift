import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSim
import Logging
import ServiceLifecycle
import Synchronization
import TestSupport
import Testing

@Suite("Leader election against kube-sim")
struct LeaderElectionSimTests {
    static let timings = LeaderElectionConfiguration(leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(250))

    /// client-go's 15 s lease, retried quickly: only a released lease lets a standby in well before 15 s.
    static let defaultTimings = LeaderElectionConfiguration(
        leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .milliseconds(250))

    func elector(
        _ client: KubeClient, _ identity: String, release: Bool = true, log: Log? = nil, timings: LeaderElectionConfiguration = timings
    ) -> LeaderElector {
        var configuration = timings
        configuration.releaseOnCancel = release
        return LeaderElector(
            client: client, namespace: "pacer", name: "pacer-leader", identity: identity, configuration: configuration,
            onStartedLeading: { log?.withLock { $0.append("\(identity) started") } },
            onStoppedLeading: { log?.withLock { $0.append("\(identity) stopped") } })
    }

    @Test func gracefulShutdownHandsOverInUnderTwoSeconds() async throws {
        try await withSim { _, client in
            let log = Log()
            // With the default 15 s lease, the standby can only take over quickly if the leader released the lease.
            let first = elector(client, "one", log: log, timings: Self.defaultTimings)
            let second = elector(client, "two", log: log, timings: Self.defaultTimings)
            let group = ServiceGroup(configuration: .init(services: [.init(service: first)], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await eventually { first.isLeader }
                tasks.addTask { try await second.run() }
                try await Task.sleep(for: .milliseconds(600))
                #expect(!second.isLeader, "the standby waits while the lease is renewed")
                let stopping = ContinuousClock.now
                await group.triggerGracefulShutdown()
                try await eventually(10) { second.isLeader }
                let handover = ContinuousClock.now - stopping
                // The target is under 2 s (the standby's 2 s retry period); on a machine loaded by the parallel test
                // run allow more, still far below the 15 s an unreleased lease would take.
                #expect(handover < .seconds(5), "hand-over took \(handover)")
                #expect(!first.isLeader)
                tasks.cancelAll()
            }
            let lease = try await client.resource(Lease.self, namespace: "pacer").get("pacer-leader")
            #expect(lease.spec?.leaseTransitions == 1)
            #expect(log.withLock { $0 }.prefix(3) == ["one started", "one stopped", "two started"])
        }
    }

    @Test func killedLeaderIsReplacedAfterTheLeaseExpires() async throws {
        try await withSim { _, client in
            let first = elector(client, "one", release: false)
            let second = elector(client, "two")
            try await withThrowingTaskGroup(of: Void.self) { outer in
                var killed = ContinuousClock.now
                try await withThrowingTaskGroup(of: Void.self) { inner in
                    inner.addTask { try await first.run() }
                    try await eventually { first.isLeader }
                    outer.addTask { try await second.run() }
                    try await Task.sleep(for: .milliseconds(800))
                    #expect(!second.isLeader)
                    // Kill the leader: its task ends without releasing the lease.
                    killed = ContinuousClock.now
                    inner.cancelAll()
                }
                #expect(!first.isLeader)
                try await eventually(6) { second.isLeader }
                let takeover = ContinuousClock.now - killed
                // The standby must wait for the lease to expire (2 s after it last saw a renewal,
                // which was at most one retry period before the kill), plus at most one jittered retry.
                #expect(takeover >= .milliseconds(1400), "took over too early: \(takeover)")
                // Lease 2 s plus one 250 ms retry; generous for a loaded machine.
                #expect(takeover < .seconds(6), "took over too late: \(takeover)")
                outer.cancelAll()
            }
            let lease = try await client.resource(Lease.self, namespace: "pacer").get("pacer-leader")
            #expect(lease.spec?.holderIdentity == "two")
            #expect(lease.spec?.leaseTransitions == 1)
        }
    }

    @Test func leadershipIsLostWhenRenewalFailsPastTheDeadline() async throws {
        try await withSim { sim, client in
            let log = Log()
            let leader = elector(client, "one", log: log)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await leader.run() }
                try await eventually { leader.isLeader }
                // The API server fails every request until leadership is seen lost.
                sim.faults.failNext(1_000_000, status: 500)
                let failing = ContinuousClock.now
                try await eventually(15) { !leader.isLeader }
                let lost = ContinuousClock.now - failing
                sim.faults.failNext(0)
                #expect(lost >= .milliseconds(1400), "kept leading through the renew deadline")
                #expect(lost < .seconds(6))
                // Once the API answers again it becomes leader again (it is still the holder).
                try await eventually(15) { leader.isLeader }
                tasks.cancelAll()
            }
            #expect(log.withLock { $0 }.prefix(3) == ["one started", "one stopped", "one started"])
        }
    }

    @Test func invalidTimingsAreRejected() async {
        let bad = LeaderElectionConfiguration(leaseDuration: .seconds(1), renewDeadline: .seconds(2), retryPeriod: .seconds(1))
        #expect(bad.validate() != nil)
        #expect(LeaderElectionConfiguration().validate() == nil)
        #expect(Self.timings.validate() == nil)
    }
}
