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

    /// A lease no test outlives: a standby that gets it at all got it because it was released.
    static let longLease = LeaderElectionConfiguration(
        leaseDuration: .seconds(600), renewDeadline: .seconds(300), retryPeriod: .milliseconds(250))

    func lease(_ client: KubeClient) async throws -> Lease.Spec? {
        try await client.resource(Lease.self, namespace: "pacer").get("pacer-leader").spec
    }

    @Test func gracefulShutdownReleasesTheLeaseToTheStandby() async throws {
        try await withSim { _, client in
            let log = Log()
            // With a 10-minute lease, the standby can only take over within the test if the leader released it.
            let first = elector(client, "one", log: log, timings: Self.longLease)
            let second = elector(client, "two", log: log, timings: Self.longLease)
            let group = ServiceGroup(configuration: .init(services: [.init(service: first)], logger: Logger(label: "test")))
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await group.run() }
                try await eventually(120) { first.isLeader }
                tasks.addTask { try await second.run() }
                // The standby has read the Lease and seen it held: it waits.
                try await eventually(120) { second.observedLeader == "one" }
                #expect(!second.isLeader, "the standby waits while the lease is held")
                await group.triggerGracefulShutdown()
                try await eventually(120) { second.isLeader }
                #expect(!first.isLeader)
                tasks.cancelAll()
            }
            let record = try await lease(client)
            #expect(record?.leaseTransitions == 1)
            #expect(log.withLock { $0 }.prefix(3) == ["one started", "one stopped", "two started"])
        }
    }

    @Test func killedLeaderIsReplacedAfterTheLeaseExpires() async throws {
        try await withSim { _, client in
            let first = elector(client, "one", release: false)
            let second = elector(client, "two")
            try await withThrowingTaskGroup(of: Void.self) { outer in
                try await withThrowingTaskGroup(of: Void.self) { inner in
                    inner.addTask { try await first.run() }
                    try await eventually(120) { first.isLeader }
                    outer.addTask { try await second.run() }
                    try await eventually(120) { second.observedLeader == "one" }
                    #expect(!second.isLeader)
                    // Kill the leader: its task ends without releasing the lease.
                    inner.cancelAll()
                }
                #expect(!first.isLeader)
                // The killed leader's last renewal, as the Lease records it.
                let lastRenewal = try #require(try await lease(client)?.renewTime?.date)
                try await eventually(120) { second.isLeader }
                // The standby took the Lease only once it had expired: it counts the lease duration (2 s) from when
                // it saw that renewal, which was no earlier than the renewal itself. Both times are in the Lease.
                let acquired = try #require(try await lease(client)?.acquireTime?.date)
                #expect(acquired.timeIntervalSince(lastRenewal) >= 2 - 0.001, "took over \(acquired.timeIntervalSince(lastRenewal)) s after the last renewal")
                outer.cancelAll()
            }
            let record = try await lease(client)
            #expect(record?.holderIdentity == "two")
            #expect(record?.leaseTransitions == 1)
        }
    }

    @Test func leadershipIsLostWhenRenewalFailsPastTheDeadline() async throws {
        try await withSim { sim, client in
            let log = Log()
            let leader = elector(client, "one", log: log)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await leader.run() }
                try await eventually(120) { leader.isLeader }
                // The renewal the API server last accepted; it was no later than the leader's own record of it.
                let accepted = try #require(try await lease(client)?.renewTime?.date)
                // The API server fails every request until leadership is seen lost.
                sim.faults.failNext(1_000_000, status: 500)
                try await eventually(120) { !leader.isLeader }
                let lost = Date()
                sim.faults.failNext(0)
                // It kept leading through the renew deadline (1.5 s) after its last successful renewal.
                #expect(lost.timeIntervalSince(accepted) >= 1.5, "lost \(lost.timeIntervalSince(accepted)) s after a renewal")
                // Once the API answers again it becomes leader again (it is still the holder).
                try await eventually(120) { leader.isLeader }
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
