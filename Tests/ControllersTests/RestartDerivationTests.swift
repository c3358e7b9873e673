import Controllers
import EventModel
import Foundation
import KubeCore
import PacerCore
import Testing

/// `kubectl rollout restart` only sets `kubectl.kubernetes.io/restartedAt` on the pod template: a new revision that
/// is not a deployment (docs/deployment-source.md, "Restarts").
@Suite("DeploymentEventDeriver: restarts are not deployments")
struct RestartDerivationTests {
    let now = Fixture.created.addingTimeInterval(1000)
    let shop = Fixture.namespace()

    func run(_ states: [Deployment], deriver: inout DeploymentEventDeriver) -> [[CloudEvent]] {
        states.map { deriver.observe($0, namespace: shop, now: now) }
    }

    @Test func restartGivesOneRestartedEventAndNoRolloutEvents() throws {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let restart = v1.restarted(at: "2026-12-02T10:00:00Z")
        let steps = run(
            [v1, restart, restart.progressing(revision: 2, at: 10, updated: 1, available: 3, availableSince: 3),
             restart.completed(revision: 2, at: 20, availableSince: 3)],
            deriver: &deriver)
        // Revision 2 differs from revision 1 only in restartedAt: one `restarted`, no `revision`, no `rollout.completed`.
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], [], ["restarted"], []])
        let restarted = try #require(steps[2].first)
        #expect(restarted.id == "uid-1/2/restarted")
        #expect(restarted.type == "dev.pacer.deployment.restarted")
        #expect(restarted.timestamp == now)
        #expect(restarted.dataObject["revision"] == 2)
        #expect(restarted.dataObject["previousRevision"] == 1)
        #expect(restarted.dataObject["restart"] == true)
        #expect(restarted.dataObject["rollback"] == false)
        #expect(restarted.dataObject["restartedAt"] == "2026-12-02T10:00:00Z")
    }

    @Test func aStuckRestartIsNoFailedRollout() {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let restart = v1.restarted(at: "2026-12-02T10:00:00Z")
        let steps = run([v1, restart.progressing(revision: 2, at: 10, updated: 1, available: 3, availableSince: 3), restart.failed(revision: 2, at: 700)], deriver: &deriver)
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], ["restarted"], []])
    }

    @Test func aChangeAfterARestartIsADeploymentAgainAndRepeatedRestartsAreRestarts() throws {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let restart1 = v1.restarted(at: "2026-12-02T10:00:00Z").completed(revision: 2, at: 20)
        // The restartedAt annotation stays on the template; the image change is what differs from revision 2.
        let v2 = restart1.withImages([("app", "registry.example/web:2.0.0")]).completed(revision: 3, at: 30)
        let restart2 = v2.restarted(at: "2026-12-02T11:00:00Z").completed(revision: 4, at: 40)
        let steps = run([v1, restart1, v2, restart2], deriver: &deriver)
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], ["restarted"], ["revision", "rollout.completed"], ["restarted"]])
        let upgrade = try #require(steps[2].first)
        #expect(upgrade.id == "uid-1/3/revision")
        #expect(upgrade.dataObject["previousRevision"] == 2)
        #expect(upgrade.dataObject["rollback"] == false)
        #expect(upgrade.dataObject["restart"] == nil)
        #expect(steps[3].first?.id == "uid-1/4/restarted")
    }

    @Test func restartedAtChangedTogetherWithTheImageIsADeployment() {
        var deriver = DeploymentEventDeriver()
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let both = v1.restarted(at: "2026-12-02T10:00:00Z").withImages([("app", "registry.example/web:2.0.0")]).completed(revision: 2, at: 20)
        let steps = run([v1, both], deriver: &deriver)
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], ["revision", "rollout.completed"]])
    }

    @Test func countRestartsDerivesTheUsualEventsMarkedAsRestart() throws {
        var deriver = DeploymentEventDeriver(configuration: .init(countRestarts: true))
        let v1 = Fixture.deployment().completed(revision: 1, at: 3)
        let restart = v1.restarted(at: "2026-12-02T10:00:00Z").completed(revision: 2, at: 20)
        let steps = run([v1, restart], deriver: &deriver)
        #expect(steps.map(\.types) == [["created", "revision", "rollout.completed"], ["revision", "rollout.completed"]])
        #expect(steps[1].map(\.id) == ["uid-1/2/revision", "uid-1/2/rollout.completed"])
        #expect(steps[1].allSatisfy { $0.dataObject["restart"] == true })
    }

    @Test func firstSightDecidesFromThePreviousRevisionsTemplate() throws {
        let v1 = Fixture.deployment()
        let restart = v1.restarted(at: "2026-12-02T10:00:00Z").completed(revision: 2, at: 20)
        let previous = try JSONValue(encoding: v1.spec?.template)
        // Pacer (re)started after the restart: the template of revision 1 (its ReplicaSet's) decides.
        var informed = DeploymentEventDeriver()
        let withHistory = informed.observe(restart, namespace: shop, previousTemplate: previous, now: now)
        #expect(withHistory.types == ["created", "restarted"])
        #expect(withHistory.last?.id == "uid-1/2/restarted")
        // A previous revision with a different image: a deployment.
        let other = try JSONValue(encoding: v1.withImages([("app", "registry.example/web:0.9.0")]).spec?.template)
        var upgraded = DeploymentEventDeriver()
        #expect(upgraded.observe(restart, namespace: shop, previousTemplate: other, now: now).types == ["created", "revision", "rollout.completed"])
        // Without the previous template nothing tells a restart: counted (docs: limitation).
        var blind = DeploymentEventDeriver()
        #expect(blind.observe(restart, namespace: shop, now: now).types == ["created", "revision", "rollout.completed"])
    }

    @Test func rawTemplatesAreComparedWithoutRestartedAtAndPodTemplateHash() {
        func template(restartedAt: String?, hash: String, image: String = "registry.example/web:1.0.0") -> JSONValue {
            var metadata: JSONValue = ["labels": ["app": "web", "pod-template-hash": .string(hash)]]
            if let restartedAt { metadata["annotations"] = ["kubectl.kubernetes.io/restartedAt": .string(restartedAt)] }
            return ["metadata": metadata, "spec": ["containers": [["name": "app", "image": .string(image), "env": [["name": "MODE", "value": "a"]]]]]]
        }
        var deriver = DeploymentEventDeriver()
        let d = Fixture.deployment()
        let first = deriver.observe(d.completed(revision: 1, at: 3), namespace: shop, rawTemplate: template(restartedAt: nil, hash: "h1"), now: now)
        #expect(first.types == ["created", "revision", "rollout.completed"])
        let restart = deriver.observe(
            d.completed(revision: 2, at: 10), namespace: shop, rawTemplate: template(restartedAt: "2026-12-02T10:00:00Z", hash: "h2"), now: now)
        #expect(restart.types == ["restarted"])
        // Rolling back to revision 1 undoes the restart only (no annotation again): still no deployment.
        let undo = deriver.observe(d.completed(revision: 3, at: 20), namespace: shop, rawTemplate: template(restartedAt: nil, hash: "h1"), now: now)
        #expect(undo.types == ["restarted"])
        let upgrade = deriver.observe(
            d.completed(revision: 4, at: 30), namespace: shop, rawTemplate: template(restartedAt: nil, hash: "h4", image: "registry.example/web:2.0.0"), now: now)
        #expect(upgrade.types == ["revision", "rollout.completed"])
        // First sight with raw templates: the previous ReplicaSet's template (other pod-template-hash) decides.
        var fresh = DeploymentEventDeriver()
        let seen = fresh.observe(
            d.completed(revision: 2, at: 10), namespace: shop, rawTemplate: template(restartedAt: "2026-12-02T10:00:00Z", hash: "h2"),
            previousTemplate: template(restartedAt: nil, hash: "h1"), now: now)
        #expect(seen.types == ["created", "restarted"])
    }
}
