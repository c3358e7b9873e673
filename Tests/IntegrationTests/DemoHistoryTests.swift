import EventModel
import Foundation
import PacerCore
import Testing

@testable import PacerDemo

/// The demo script as data: deterministic, relative to now, and turned into events shaped like the Deployment
/// source's (docs/deployment-source.md) and valid CDEvents. No database or cluster needed.
@Suite("pacer-demo script")
struct DemoHistoryTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func theScriptIsDeterministicAndRelativeToNow() {
        let first = DemoHistory.steps(now: now)
        #expect(first == DemoHistory.steps(now: now))
        let later = DemoHistory.steps(now: now.addingTimeInterval(3_600))
        #expect(zip(first, later).allSatisfy { $0.time.addingTimeInterval(3_600) == $1.time })
        let history = first.filter { $0.phase == .history }
        #expect(history.allSatisfy { $0.time < now && $0.time > now.addingTimeInterval(-28 * 86_400) })
        #expect(history.map(\.time) == history.map(\.time).sorted())
        // Every app has history and something live; the live part has a failed rollout and an outage.
        for app in DemoHistory.apps.map(\.name) {
            #expect(first.contains { $0.app == app && $0.phase == .history })
            #expect(first.contains { $0.app == app && $0.phase != .history })
        }
        let live = first.filter { $0.phase == .live }.map(\.action)
        #expect(live.contains { if case .rolloutFailed = $0 { true } else { false } })
        #expect(live.contains(.availabilityLost) && live.contains(.availabilityRestored))
        #expect(first.contains { if case .rolloutCompleted(_, _, _, _, true) = $0.action { true } else { false } }, "a rollback")
    }

    @Test func historyBecomesDeploymentSourceCloudEvents() throws {
        var events = DemoEvents()
        let cloudEvents = DemoHistory.steps(now: now).filter { $0.phase == .history }.flatMap { events.cloudEvents(for: $0) }
        #expect(Set(cloudEvents.map { "\($0.source) \($0.id)" }).count == cloudEvents.count, "ids are unique per source")
        let types = Set(cloudEvents.map(\.type))
        #expect(
            types == [
                "dev.pacer.deployment.created", "dev.pacer.deployment.revision", "dev.pacer.deployment.rollout.completed",
                "dev.pacer.deployment.rollout.failed", "dev.pacer.deployment.availability.lost", "dev.pacer.deployment.availability.restored",
            ])
        for event in cloudEvents {
            try event.validate()
            #expect(event.source.hasPrefix("/k8s/demo/apis/apps/v1/namespaces/demo/deployments/"))
            #expect(event.subject == "demo/" + (event.source.split(separator: "/").last.map(String.init) ?? ""))
            let data = try #require(event.data?.jsonValue?.objectValue)
            for key in ["namespace", "name", "uid", "app", "environment", "replicas"] { #expect(data[key] != nil, "\(event.type) lacks \(key)") }
            #expect(data["environment"] == "production")
            if event.type.hasSuffix("rollout.completed") {
                #expect(event.id.hasSuffix("/rollout.completed") && data["reason"] == "NewReplicaSetAvailable")
                #expect(data["commit"]?.stringValue?.count == 40 && data["commitTime"].flatMap { $0.stringValue.flatMap(RFC3339.parse) } != nil)
                #expect(data["revision"]?.intValue != nil && data["images"]?.objectValue?.isEmpty == false)
            }
            if event.type.hasSuffix("rollout.failed") { #expect(data["reason"] == "ProgressDeadlineExceeded") }
        }
    }

    @Test func theRollbackRestoresTheEarlierRevisionsImageAndCommit() throws {
        var events = DemoEvents()
        let completed = DemoHistory.steps(now: now).filter { $0.phase == .history && $0.app == "payments" }
            .flatMap { events.cloudEvents(for: $0) }.filter { $0.type == "dev.pacer.deployment.rollout.completed" }
            .compactMap { $0.data?.jsonValue?.objectValue }
        // payments: revisions 1, 2, 3, then `kubectl rollout undo` as revision 4: revision 2's image and commit (and commit
        // time) come back, the rollout is marked a rollback and names revision 3 as the one it replaced.
        let undo = try #require(completed.first { $0["rollback"] == true })
        let restored = try #require(completed.first { $0["revision"] == 2 })
        #expect(undo["revision"] == 4)
        #expect(undo["commit"] == restored["commit"] && undo["commitTime"] == restored["commitTime"] && undo["version"] == restored["version"])
        #expect(undo["images"] == restored["images"])
        #expect(undo["previousRevision"] == 3)
        #expect(completed.filter { $0["rollback"] == true }.count == 1)
        #expect(completed.filter { $0["rollback"] == false }.count == completed.count - 1, "every other rollout says rollback: false")
    }

    @Test func externalStepsAreValidCDEvents() throws {
        let external = DemoHistory.steps(now: now).filter { $0.phase == .external }
        #expect(external.count == 3)
        for step in external {
            let event = try #require(try DemoEvents.cdEvent(for: step))
            try event.validate(.strict)
            #expect(event.customData?["app"] == .string(step.app))
            #expect(event.customData?["environment"] == "production")
        }
    }
}
