import Controllers
import EventModel
import Foundation
import KubeCore
import PacerCore
import Testing

@Suite("DeploymentEventDeriver: which CloudEvents follow from a Deployment change")
struct DeploymentEventDeriverTests {
    let now = Fixture.created.addingTimeInterval(1000)
    let shop = Fixture.namespace()

    /// Runs states through one deriver, returning the events of each step.
    func run(_ states: [Deployment], deriver: inout DeploymentEventDeriver) -> [[CloudEvent]] {
        states.map { deriver.observe($0, namespace: shop, now: now) }
    }

    @Test func createdCarriesContextAttributesAndWorkloadData() throws {
        var deriver = DeploymentEventDeriver(configuration: .init(clusterName: "prod-eu"))
        let events = deriver.observe(Fixture.deployment(annotations: [WorkloadAnnotations.commit: "abc123"]), namespace: shop, now: now)
        #expect(events.types == ["created"])
        let event = try #require(events.first)
        #expect(event.id == "uid-1/created")
        #expect(event.source == "/k8s/prod-eu/apis/apps/v1/namespaces/shop/deployments/web")
        #expect(event.subject == "shop/web")
        #expect(event.specversion == "1.0")
        #expect(event.datacontenttype == "application/json")
        #expect(event.timestamp == Fixture.created)
        #expect(throws: Never.self) { try event.validate() }
        let data = event.dataObject
        #expect(data["namespace"] == "shop")
        #expect(data["name"] == "web")
        #expect(data["uid"] == "uid-1")
        #expect(data["generation"] == 1)
        #expect(data["replicas"] == 3)
        #expect(data["app"] == "web")
        #expect(data["version"] == "1.0.0")
        #expect(data["environment"] == "shop")
        #expect(data["commit"] == "abc123")
        #expect(data["images"] == ["app": "registry.example/web:1.0.0"])
        #expect(data["team"] == nil)
        #expect(data["repository"] == nil)
        #expect(data["revision"] == nil)
    }

    @Test func firstRolloutGivesRevisionThenCompletionOnce() throws {
        var deriver = DeploymentEventDeriver()
        let d = Fixture.deployment()
        let steps = run(
            [d, d.progressing(revision: 1, at: 1), d.progressing(revision: 1, at: 2, updated: 2, available: 1, availableSince: 2),
             d.completed(revision: 1, at: 3, availableSince: 2), d.completed(revision: 1, at: 3, availableSince: 2)],
            deriver: &deriver)
        #expect(steps.map(\.types) == [["created"], ["revision"], [], ["rollout.completed"], []])
        let revision = try #require(steps[1].first)
        #expect(revision.id == "uid-1/1/revision")
        #expect(revision.dataObject["revision"] == 1)
        #expect(revision.dataObject["rollback"] == false)
        #expect(revision.dataObject["previousRevision"] == nil)
        #expect(revision.dataObject["images"] == ["app": "registry.example/web:1.0.0"])
        let completed = try #require(steps[3].first)
        #expect(completed.id == "uid-1/1/rollout.completed")
        #expect(completed.timestamp == Fixture.time(3).date)
        #expect(completed.dataObject["reason"] == "NewReplicaSetAvailable")
    }

    @Test func templateChangeGivesRevisionWithPreviousImages() throws {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let v2 = v1.withImages([("app", "registry.example/web:2.0.0"), ("sidecar", "envoy:1.30")])
        let steps = run([v1, v2, v2.progressing(revision: 2, at: 10, updated: 1, available: 3, availableSince: 3), v2.completed(revision: 2, at: 20, availableSince: 3)], deriver: &deriver)
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], [], ["revision"], ["rollout.completed"]])
        let revision = try #require(steps[2].first)
        #expect(revision.id == "uid-1/2/revision")
        #expect(revision.timestamp == now)
        #expect(revision.dataObject["previousRevision"] == 1)
        #expect(revision.dataObject["previousImages"] == ["app": "registry.example/web:1.0.0"])
        #expect(revision.dataObject["images"] == ["app": "registry.example/web:2.0.0", "sidecar": "envoy:1.30"])
        #expect(revision.dataObject["version"] == "2.0.0")
        #expect(revision.dataObject["rollback"] == false)
        #expect(steps[3].first?.id == "uid-1/2/rollout.completed")
    }

    @Test func scaleAndStatusChurnEmitNothing() {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        _ = deriver.observe(v1, namespace: shop, now: now)
        var scaled = v1.scaled(to: 6)
        #expect(deriver.observe(scaled, namespace: shop, now: now).isEmpty)
        scaled.status?.observedGeneration = 2
        scaled.status?.replicas = 6
        scaled.status?.availableReplicas = 4
        #expect(deriver.observe(scaled, namespace: shop, now: now).isEmpty)
        scaled.status?.availableReplicas = 6
        scaled.status?.updatedReplicas = 6
        #expect(deriver.observe(scaled, namespace: shop, now: now).isEmpty)
        #expect(deriver.observe(scaled.scaled(to: 1), namespace: shop, now: now).isEmpty)
    }

    @Test func progressDeadlineExceededGivesRolloutFailedOnce() throws {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let v2 = v1.withImages([("app", "registry.example/web:broken")])
        let steps = run([v1, v2.progressing(revision: 2, at: 10, available: 3, availableSince: 3), v2.failed(revision: 2, at: 600), v2.failed(revision: 2, at: 600)], deriver: &deriver)
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], ["revision"], ["rollout.failed"], []])
        let failed = try #require(steps[2].first)
        #expect(failed.id == "uid-1/2/rollout.failed")
        #expect(failed.timestamp == Fixture.time(600).date)
        #expect(failed.dataObject["reason"] == "ProgressDeadlineExceeded")
        #expect(failed.dataObject["revision"] == 2)
    }

    /// A completed rollout says whether the rollout before it failed (`previousRolloutFailed`), so the default
    /// pipeline resolves a failed rollout's incident only when one can be open: revision 1 has no rollout before it
    /// (false); revision 2 follows a completed one (false); revision 3 fails; revision 4 follows that failure (true).
    /// A deriver that first sees a Deployment past revision 1 does not know (absent).
    @Test func completedRolloutSaysWhetherThePreviousOneFailed() throws {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment()
        let v2 = v1.completed(revision: 1, at: 3).withImages([("app", "registry.example/web:2.0.0")])
        let v3 = v2.completed(revision: 2, at: 20).withImages([("app", "registry.example/web:broken")])
        let v4 = v3.failed(revision: 3, at: 600).withImages([("app", "registry.example/web:3.0.0")])
        let steps = run(
            [v1, v1.completed(revision: 1, at: 3), v2, v2.completed(revision: 2, at: 20), v3, v3.failed(revision: 3, at: 600), v4,
             v4.completed(revision: 4, at: 700)],
            deriver: &deriver)
        let rollouts = steps.flatMap { $0 }.filter { $0.type.hasSuffix("rollout.completed") || $0.type.hasSuffix("rollout.failed") }
        #expect(rollouts.map(\.id) == ["uid-1/1/rollout.completed", "uid-1/2/rollout.completed", "uid-1/3/rollout.failed", "uid-1/4/rollout.completed"])
        #expect(rollouts.map { $0.dataObject["previousRolloutFailed"] } == [false, false, nil, true])
        var restarted = DeploymentEventDeriver()
        let relisted = restarted.observe(v4.completed(revision: 4, at: 700), namespace: shop, now: now)
        #expect(relisted.types == ["created", "revision", "rollout.completed"])
        #expect(relisted.last?.dataObject["previousRolloutFailed"] == nil)
    }

    @Test func availabilityLostAndRestoredKeyedByTransitionTime() throws {
        var deriver = DeploymentEventDeriver()
        let up = Fixture.deployment().completed(revision: 1, at: 3)
        let down = up.availability(false, at: 100)
        let back = down.availability(true, at: 160)
        let steps = run([up, down, down, back, back, up.availability(false, at: 300)], deriver: &deriver)
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], ["availability.lost"], [], ["availability.restored"], [], ["availability.lost"]])
        #expect(steps[1].first?.id == "uid-1/availability.lost/\(Fixture.time(100))")
        #expect(steps[1].first?.timestamp == Fixture.time(100).date)
        #expect(steps[1].first?.dataObject["reason"] == "MinimumReplicasUnavailable")
        #expect(steps[3].first?.id == "uid-1/availability.restored/\(Fixture.time(160))")
        #expect(steps[5].first?.id == "uid-1/availability.lost/\(Fixture.time(300))")
    }

    @Test func notYetAvailableAtCreationIsNoLoss() {
        var deriver = DeploymentEventDeriver()
        let d = Fixture.deployment()
        let steps = run([d, d.progressing(revision: 1, at: 1), d.completed(revision: 1, at: 30, availableSince: 30)], deriver: &deriver)
        #expect(steps.map(\.types) == [["created"], ["revision"], ["rollout.completed"]])
    }

    @Test func returningToAnEarlierTemplateIsARollback() throws {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let v2 = v1.withImages([("app", "registry.example/web:2.0.0")])
        let v3 = v2.withImages([("app", "registry.example/web:1.0.0")])
        let steps = run([v1, v2.completed(revision: 2, at: 20), v3.completed(revision: 3, at: 40)], deriver: &deriver)
        #expect(steps[1].first { $0.type == DeploymentEventType.revision.rawValue }?.dataObject["rollback"] == false)
        let rollback = try #require(steps[2].first { $0.type == DeploymentEventType.revision.rawValue })
        #expect(rollback.id == "uid-1/3/revision")
        #expect(rollback.dataObject["rollback"] == true)
        #expect(rollback.dataObject["previousRevision"] == 2)
    }

    @Test func fullTemplateDecidesRollbacksWhenKnown() throws {
        func template(env: String, hash: String) -> JSONValue {
            [
                "metadata": ["labels": ["app": "web", "pod-template-hash": .string(hash)]],
                "spec": ["containers": [["name": "app", "image": "registry.example/web:1.0.0", "env": [["name": "MODE", "value": .string(env)]]]]],
            ]
        }
        var deriver = DeploymentEventDeriver()
        let d = Fixture.deployment()
        func revisionEvent(_ state: Deployment, _ raw: JSONValue) -> CloudEvent? {
            deriver.observe(state, namespace: shop, rawTemplate: raw, now: now).first { $0.type == DeploymentEventType.revision.rawValue }
        }
        _ = revisionEvent(d.completed(revision: 1, at: 3), template(env: "a", hash: "h1"))
        let configOnly = try #require(revisionEvent(d.completed(revision: 2, at: 10), template(env: "b", hash: "h2")))
        #expect(configOnly.dataObject["rollback"] == false, "same images, different env: not a rollback")
        let back = try #require(revisionEvent(d.completed(revision: 3, at: 20), template(env: "a", hash: "h3")))
        #expect(back.dataObject["rollback"] == true, "pod-template-hash is ignored")
    }

    @Test func restartReDerivesTheSameIds() {
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let v2 = v1.withImages([("app", "registry.example/web:2.0.0")])
        var live = DeploymentEventDeriver()
        let liveIDs = Set(run([Fixture.deployment(), v1, v2, v2.completed(revision: 2, at: 50)], deriver: &live).flatMap { $0 }.map(\.id))
        var restarted = DeploymentEventDeriver()
        let relisted = restarted.observe(v2.completed(revision: 2, at: 50), namespace: shop, now: now)
        #expect(relisted.types == ["created", "revision", "rollout.completed"])
        #expect(Set(relisted.map(\.id)).isSubset(of: liveIDs))
        // A second relist (or a second replica) derives nothing new.
        #expect(restarted.observe(v2.completed(revision: 2, at: 50), namespace: shop, now: now).isEmpty)
    }

    @Test func restartWhileUnavailableReDerivesTheLoss() {
        let down = Fixture.deployment().completed(revision: 1, at: 3).availability(false, at: 100)
        var restarted = DeploymentEventDeriver()
        let events = restarted.observe(down, namespace: shop, now: now)
        #expect(events.types == ["created", "revision", "availability.lost"])
        #expect(events.last?.id == "uid-1/availability.lost/\(Fixture.time(100))")
    }

    @Test func restartAfterARecoveryReDerivesTheRestore() {
        let recovered = Fixture.deployment().completed(revision: 1, at: 3).availability(true, at: 200)
        var restarted = DeploymentEventDeriver()
        let events = restarted.observe(recovered, namespace: shop, now: now)
        #expect(events.types == ["created", "revision", "rollout.completed", "availability.restored"])
        #expect(events.last?.id == "uid-1/availability.restored/\(Fixture.time(200))")
        // A first rollout that became available when it completed is no restore.
        var fresh = DeploymentEventDeriver()
        #expect(fresh.observe(Fixture.deployment().completed(revision: 1, at: 30, availableSince: 30), namespace: shop, now: now).types
            == ["created", "revision", "rollout.completed"])
    }

    @Test func deleteGivesDeletedAndForgets() throws {
        var deriver = DeploymentEventDeriver()
        var d = Fixture.deployment().completed(revision: 4, at: 3)
        _ = deriver.observe(d, namespace: shop, now: now)
        d.metadata.deletionTimestamp = Fixture.time(500)
        let events = deriver.delete(d, namespace: shop, now: now)
        #expect(events.types == ["deleted"])
        #expect(events.first?.id == "uid-1/deleted")
        #expect(events.first?.timestamp == Fixture.time(500).date)
        #expect(events.first?.dataObject["revision"] == 4)
        #expect(deriver.trackedCount == 0)
    }

    @Test func optOutOnWorkloadOrNamespaceEmitsNothing() {
        var deriver = DeploymentEventDeriver()
        let optedOut = Fixture.deployment(annotations: [WorkloadAnnotations.track: "false"]).completed(revision: 1, at: 3)
        #expect(deriver.observe(optedOut, namespace: shop, now: now).isEmpty)
        #expect(deriver.delete(optedOut, namespace: shop, now: now).isEmpty)
        let quietNamespace = Fixture.namespace(annotations: [WorkloadAnnotations.track: "false"])
        let d = Fixture.deployment(uid: "uid-2").completed(revision: 1, at: 3)
        #expect(deriver.observe(d, namespace: quietNamespace, now: now).isEmpty)
        #expect(deriver.delete(d, namespace: quietNamespace, now: now).isEmpty)
        let templateOptOut = Fixture.deployment(uid: "uid-3", templateAnnotations: [WorkloadAnnotations.track: "False"])
        #expect(deriver.observe(templateOptOut, namespace: shop, now: now).isEmpty)
        #expect(deriver.trackedCount == 0)
    }

    @Test func deploymentWithoutUIDIsIgnored() {
        var deriver = DeploymentEventDeriver()
        var d = Fixture.deployment()
        d.metadata.uid = nil
        #expect(deriver.observe(d, namespace: shop, now: now).isEmpty)
    }
}
