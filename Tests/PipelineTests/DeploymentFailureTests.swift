import EventStore
import Foundation
import OperatorAPI
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Change failure rate (docs/metrics.md, "Change failure rate"): small histories written here, and the numbers a
/// person computes from the documented rule. All deployments are of app `web` in `production`.
@Suite("Calculator: which deployments failed", .enabled(if: TestDatabase.enabled))
struct DeploymentFailureTests {
    typealias Fixture = MetricFixture
    typealias Event = MetricFixture.Event

    static func deploy(_ id: String, _ time: Date, commit: String, extra: [String: String] = [:], rolledBack: Bool = false) -> Event {
        var event = Event(id: id, kind: .deploy, time: time, app: "web", commit: commit)
        event.extra = extra
        event.rolledBack = rolledBack
        return event
    }

    static func incident(_ id: String, _ kind: Fixture.Kind, _ time: Date, subject: String, extra: [String: String] = [:], artifact: String? = nil) -> Event {
        var event = Event(id: id, kind: kind, time: time, app: "web", subject: subject)
        event.extra = extra
        event.artifact = artifact
        return event
    }

    static func define(
        _ name: String, _ metric: MetricDefinitionSpec.Metric = .changeFailureRate, failure: MetricDefinitionSpec.Failure? = nil,
        client: PostgresClient
    ) async throws {
        let spec = MetricDefinitionSpec(metric: metric, window: "30d", groupBy: [], selector: [:], failure: failure)
        let row = ConfigRecord(namespace: "default", name: name, uid: "uid-\(name)", generation: 1, spec: try JSONValue(encoding: spec), ready: true)
        try await PostgresConfigStore(client: client, logger: TestDatabase.logger).upsert(.metricDefinitions, row)
    }

    /// Computes `events` (inserted in two halves, the second half first, so late arrivals are exercised) and
    /// returns the headline (value, samples) of each definition; also checks that a recompute writes the same rows.
    static func compute(_ events: [Event], names: [String], client: PostgresClient) async throws -> [String: (Double?, Int64)] {
        let calculator = Fixture.calculator(client: client, batchSize: 3)
        let half = events.count / 2
        try await Fixture.insert(Array(events[half...]), client: client)
        try await calculator.catchUp()
        try await Fixture.insert(Array(events[..<half]), client: client)
        try await calculator.catchUp()
        let incremental = try await Fixture.dump(client: client)
        var out: [String: (Double?, Int64)] = [:]
        for name in names {
            let headline = try await Fixture.headlines(name, client: client)[""]
            out[name] = (headline?.value, headline?.samples ?? -1)
        }
        for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
            #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
        }
        return out
    }

    @Test("failed deployment recovery time: to the next deployment that did not fail, or the resolution of the incident that failed it, whichever is first")
    func recoveryTime() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("fdrt", .failedDeploymentRecoveryTime, client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "a"),
                Self.deploy("d2", Fixture.at(1, 9), commit: "b", extra: ["outcome": "failed"]),  // failed rollout ...
                Self.deploy("d3", Fixture.at(1, 11), commit: "c"),  // ... fixed 2 h later
                Self.deploy("d4", Fixture.at(3, 9), commit: "d"),
                Self.incident("i1", .open, Fixture.at(3, 10), subject: "X"),  // fails d4 (1 h after it) ...
                Self.incident("i2", .resolved, Fixture.at(3, 13), subject: "X"),  // ... resolved 4 h after d4
                Self.deploy("d5", Fixture.at(4, 9), commit: "e"),  // the next good deployment, 24 h after d4: later
                Self.deploy("d6", Fixture.at(5, 9), commit: "f"),
                Self.deploy("d7", Fixture.at(5, 10), commit: "g"),  // rolled back ...
                Self.deploy("d8", Fixture.at(5, 12), commit: "f"),  // ... by d8, 2 h later (the rollback did not fail)
                Self.deploy("d10", Fixture.at(5, 14), commit: "k"),  // failed by the incident naming it ...
                Self.incident("i3", .open, Fixture.at(5, 16), subject: "Y", extra: ["commit": "k"]),
                Self.incident("i4", .resolved, Fixture.at(5, 20), subject: "Y"),  // ... resolved 6 h after d10 (d9 failed)
                Self.deploy("d9", Fixture.at(6, 9), commit: "h", extra: ["outcome": "failed"]),  // not recovered: no sample
            ]
            let headlines = try await Self.compute(events, names: ["fdrt"], client: client)
            // d2 2 h, d4 4 h, d7 2 h, d10 6 h: median 2 + (4 - 2) / 2 = 3 h, 4 samples.
            #expect(headlines["fdrt"]?.0 == 3)
            #expect(headlines["fdrt"]?.1 == 4)
            // 3 h is High (< 1 day, dora-2024), but 4 recoveries are fewer than spec.minSamples (default 5).
            #expect(try await Fixture.headlines("fdrt", client: client)[""]?.level == "InsufficientData")
        }
    }

    @Test("deployment rework rate: rollbacks and deployments made while a failure of the app is open")
    func reworkRate() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("rework", .deploymentReworkRate, client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "a"),  // 0
                Self.deploy("d2", Fixture.at(1, 9), commit: "b"),  // 0; incident X (10:00) fails it
                Self.incident("i1", .open, Fixture.at(1, 10), subject: "X"),
                Self.deploy("d3", Fixture.at(1, 12), commit: "c"),  // 1: X open
                Self.incident("i2", .resolved, Fixture.at(1, 20), subject: "X"),
                Self.deploy("d4", Fixture.at(1, 21), commit: "d"),  // 0: X resolved
                Self.deploy("d5", Fixture.at(2, 9), commit: "e", extra: ["outcome": "failed"]),  // 0 (nothing open before it)
                Self.deploy("d6", Fixture.at(2, 10), commit: "f"),  // 1: the fix of d5, made while d5 had failed
                Self.deploy("d7", Fixture.at(2, 12), commit: "g"),  // 0: d5 recovered by d6
                Self.deploy("d8", Fixture.at(3, 9), commit: "h"),  // 0
                Self.deploy("d9", Fixture.at(3, 10), commit: "i"),  // 0 (rolled back later, but nothing open before it)
                Self.deploy("d10", Fixture.at(3, 11), commit: "h"),  // 1: a rollback
                Self.deploy("d11", Fixture.at(3, 12), commit: "j"),  // 0
            ]
            let headlines = try await Self.compute(events, names: ["rework"], client: client)
            // 3 of 11.
            #expect(abs((headlines["rework"]?.0 ?? -1) - 3.0 / 11.0) < 1e-12)
            #expect(headlines["rework"]?.1 == 11)
            #expect(try await Fixture.headlines("rework", client: client)[""]?.level == nil)
        }
    }

    @Test("failures before the headline's window (and before a batch's touched days) still count inside it: an incident still open, failed rollouts not yet followed by a good deployment")
    func failuresOpenAcrossTheWindowStart() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("rework", .deploymentReworkRate, client: client)
            try await Self.define("fdrt", .failedDeploymentRecoveryTime, client: client)
            // Daily points only: a batch's touched days start after the earlier deployments (the incremental path
            // reads the samples from its earliest touched day).
            for (name, metric) in [("rework-daily", MetricDefinitionSpec.Metric.deploymentReworkRate), ("fdrt-daily", .failedDeploymentRecoveryTime)] {
                let spec = MetricDefinitionSpec(metric: metric, window: "30d", buckets: [.day])
                let row = ConfigRecord(namespace: "default", name: name, uid: "uid-\(name)", generation: 1, spec: try JSONValue(encoding: spec), ready: true)
                try await PostgresConfigStore(client: client, logger: TestDatabase.logger).upsert(.metricDefinitions, row)
            }
            // The headline's window (30 days to 2026-03-01 12:00) starts at day -2.5.
            func deploy(_ id: String, _ app: String, _ time: Date, failed: Bool = false) -> Event {
                var event = Event(id: id, kind: .deploy, time: time, app: app, commit: id)
                if failed { event.extra = ["outcome": "failed"] }
                return event
            }
            var incidentOpen = Self.incident("x1", .open, Fixture.at(-5, 10), subject: "X")
            incidentOpen.app = "web"
            var incidentResolved = Self.incident("x2", .resolved, Fixture.at(1, 9), subject: "X")
            incidentResolved.app = "web"
            let events = [
                deploy("w1", "web", Fixture.at(-10, 9)),
                deploy("w2", "web", Fixture.at(-5, 9)),  // failed by X, opened 1 h later (attribution window) ...
                incidentOpen,
                deploy("w3", "web", Fixture.at(-4, 9)),  // ... which a good deployment does not end
                deploy("w4", "web", Fixture.at(0, 9)),  // in the window: rework, X still open
                incidentResolved,  // X resolved at day 1, 9:00: w2 recovered after 6 days (before the window: no sample)
                deploy("w5", "web", Fixture.at(2, 9)),  // 0
                deploy("a1", "api", Fixture.at(-10, 9)),
                deploy("a2", "api", Fixture.at(-4, 9), failed: true),  // failed rollouts after the last good deployment ...
                deploy("a3", "api", Fixture.at(-3, 9), failed: true),
                deploy("a4", "api", Fixture.at(0, 9)),  // ... in the window: rework, made while a2 and a3 had failed
                deploy("a5", "api", Fixture.at(1, 9), failed: true),  // 0 (a2, a3 recovered by a4); recovered by a6 in 24 h
                deploy("a6", "api", Fixture.at(2, 9)),  // 1: made while a5 had failed
            ]
            let headlines = try await Self.compute(events, names: ["rework", "fdrt"], client: client)
            // In the window: w4 1, w5 0, a4 1, a5 0, a6 1: 3 of 5.
            #expect(headlines["rework"]?.0 == 0.6)
            #expect(headlines["rework"]?.1 == 5)
            // Failed in the window: a5 only (w2, a2, a3 failed before it): 24 h.
            #expect(headlines["fdrt"]?.0 == 24)
            #expect(headlines["fdrt"]?.1 == 1)
        }
    }

    @Test("a batch that touches a day again reads the sample at the day's first instant (the bound of its read)")
    func sampleAtTheTouchedBucketStart() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            let spec = MetricDefinitionSpec(metric: .failedDeploymentRecoveryTime, window: "30d", buckets: [.day], groupBy: [.app])
            let row = ConfigRecord(namespace: "default", name: "fdrt-daily", uid: "uid-fdrt-daily", generation: 1, spec: try JSONValue(encoding: spec), ready: true)
            try await PostgresConfigStore(client: client, logger: TestDatabase.logger).upsert(.metricDefinitions, row)
            let calculator = Fixture.calculator(client: client, batchSize: 10)
            try await Fixture.insert(
                [
                    Self.deploy("d1", Fixture.at(3), commit: "a", extra: ["outcome": "failed"]),  // day 3, 00:00: failed ...
                    Self.deploy("d2", Fixture.at(3, 1), commit: "b"),  // ... recovered 1 h later
                ], client: client)
            try await calculator.catchUp()
            // The second batch touches day 3 only; its read starts at day 3, 00:00, the time of d1's sample.
            try await Fixture.insert(
                [
                    Self.deploy("d3", Fixture.at(3, 5), commit: "c", extra: ["outcome": "failed"]),  // failed ...
                    Self.deploy("d4", Fixture.at(3, 7), commit: "d"),  // ... recovered 2 h later
                ], client: client)
            try await calculator.catchUp()
            let points = try await Fixture.points("fdrt-daily", client: client)
            // Day 3: d1 1 h, d3 2 h: median 1.5 h of 2, overall and for app web.
            #expect(points[Fixture.PointKey(bucket: "day", start: Fixture.at(3), group: "")] == Fixture.Point(value: 1.5, samples: 2))
            #expect(points[Fixture.PointKey(bucket: "day", start: Fixture.at(3), group: "app=web")] == Fixture.Point(value: 1.5, samples: 2))
            #expect(points.count == 2)
        }
    }

    /// The ids of the deployments with each stored failure fact.
    static func facts(_ client: PostgresClient) async throws -> (rolledBack: Set<String>, rollbacks: Set<String>, incident: Set<String>, rollout: Set<String>) {
        var result: (Set<String>, Set<String>, Set<String>, Set<String>) = ([], [], [], [])
        let rows = try await client.query(
            "SELECT cd_id, rolled_back, is_rollback, incident_failed, rollout_failed FROM deployments", logger: TestDatabase.logger)
        for try await (id, rolledBack, rollback, incident, rollout) in rows.decode((String, Bool, Bool, Bool, Bool).self) {
            if rolledBack { result.0.insert(id) }
            if rollback { result.1.insert(id) }
            if incident { result.2.insert(id) }
            if rollout { result.3.insert(id) }
        }
        return result
    }

    @Test("rollback V1→V2→V3→V1: V2 and V3 failed; the rollback is left out of the rate unless includeRollbacks")
    func rollback() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("cfr", client: client)
            try await Self.define("cfr-all", failure: .init(includeRollbacks: true), client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "v1"),
                Self.deploy("d2", Fixture.at(1, 9), commit: "v2"),
                Self.deploy("d3", Fixture.at(2, 9), commit: "v3"),
                Self.deploy("d4", Fixture.at(3, 9), commit: "v1"),  // returns to v1: rolls back d2 and d3
                Self.deploy("d5", Fixture.at(4, 9), commit: "v4"),
                Self.deploy("d6", Fixture.at(5, 9), commit: "v4"),  // the same version again: not a rollback
            ]
            let headlines = try await Self.compute(events, names: ["cfr", "cfr-all"], client: client)
            // Denominator without the rollback d4: d1 d2 d3 d5 d6 = 5; failed d2 d3 → 2/5.
            #expect(headlines["cfr"]?.0 == 0.4)
            #expect(headlines["cfr"]?.1 == 5)
            // With it: 2/6.
            #expect(headlines["cfr-all"]?.0 == 2.0 / 6.0)
            #expect(headlines["cfr-all"]?.1 == 6)
            let facts = try await Self.facts(client)
            #expect(facts.rolledBack == ["d2", "d3"])
            #expect(facts.rollbacks == ["d4"])
        }
    }

    @Test("a service.rolledback CDEvent whose version matches no earlier deployment rolls back its predecessor only")
    func rolledBackEvent() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("cfr", client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "a"),
                Self.deploy("d2", Fixture.at(1, 9), commit: "b"),
                Self.deploy("d3", Fixture.at(2, 9), commit: "c"),
                // Kubernetes gave the restored template a new revision and no commit is known: no version matches.
                Self.deploy("d4", Fixture.at(3, 9), commit: "r4", rolledBack: true),
            ]
            let headlines = try await Self.compute(events, names: ["cfr"], client: client)
            // d3 failed (rolled back); d4 is a rollback (left out): 1 of d1 d2 d3.
            #expect(headlines["cfr"]?.0 == 1.0 / 3.0)
            #expect(headlines["cfr"]?.1 == 3)
            #expect(try await Self.facts(client).rolledBack == ["d3"])
        }
    }

    @Test("a failed rollout fails itself (not the deployment before it); the fix that follows did not fail")
    func failedRollout() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("cfr", client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "a"),
                // Revision 2 exceeds its progress deadline: the default transforms send a deployment with outcome
                // failed and an incident at the same instant naming its artifact.
                Self.deploy("d2", Fixture.at(1, 10), commit: "b", extra: ["outcome": "failed"]),
                Self.incident("i1", .open, Fixture.at(1, 10), subject: "default/web", artifact: "pkg:generic/default/web@b"),
                Self.deploy("d3", Fixture.at(1, 12), commit: "c"),  // the fix
                Self.incident("i2", .resolved, Fixture.at(1, 12), subject: "default/web"),
            ]
            let headlines = try await Self.compute(events, names: ["cfr"], client: client)
            // d2 only: 1 of 3.
            #expect(headlines["cfr"]?.0 == 1.0 / 3.0)
            #expect(headlines["cfr"]?.1 == 3)
            let facts = try await Self.facts(client)
            #expect(facts.rollout == ["d2"])
            #expect(facts.incident == ["d2"])
        }
    }

    @Test("an incident fails the latest deployment only inside the attribution window (default 24 h, or as set)")
    func attributionWindow() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("cfr", client: client)
            try await Self.define("cfr-48h", failure: .init(attributionWindow: "48h"), client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "a"),
                Self.incident("i1", .open, Fixture.at(0, 20), subject: "A"),  // 11 h after d1: fails d1
                Self.deploy("d2", Fixture.at(2, 9), commit: "b"),
                Self.incident("i2", .open, Fixture.at(3, 12), subject: "B"),  // 27 h after d2: outside 24 h, inside 48 h
                Self.deploy("d3", Fixture.at(5, 9), commit: "c"),
                Self.incident("i3", .open, Fixture.at(8, 9), subject: "C"),  // 72 h after d3: outside both
            ]
            let headlines = try await Self.compute(events, names: ["cfr", "cfr-48h"], client: client)
            #expect(headlines["cfr"]?.0 == 1.0 / 3.0)  // d1
            #expect(headlines["cfr-48h"]?.0 == 2.0 / 3.0)  // d1, d2
            #expect(headlines["cfr-48h"]?.1 == 3)
        }
    }

    @Test("an incident naming a deployment (commit, version, CDEvent id) fails that one, not the latest; a link to nothing falls back to the window rule")
    func explicitLink() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("cfr", client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "a"),
                Self.deploy("d2", Fixture.at(1, 9), commit: "b", extra: ["version": "2.0"]),
                Self.deploy("d3", Fixture.at(2, 9), commit: "c"),
                Self.deploy("d4", Fixture.at(3, 9), commit: "d"),
                Self.incident("i1", .open, Fixture.at(3, 12), subject: "X", extra: ["commit": "a"]),  // names d1 (3 days old)
                Self.incident("i2", .open, Fixture.at(3, 13), subject: "Y", extra: ["version": "2.0"]),  // names d2
                Self.incident("i3", .open, Fixture.at(3, 14), subject: "Z", extra: ["deployment": "d3"]),  // names d3
                Self.deploy("d5", Fixture.at(6, 9), commit: "e"),
                // Names a commit never deployed: attributed by time instead, to d5 (1 h before).
                Self.incident("i4", .open, Fixture.at(6, 10), subject: "W", extra: ["commit": "never"]),
            ]
            let headlines = try await Self.compute(events, names: ["cfr"], client: client)
            // d1, d2, d3 (named), d5 (by time); d4 is the latest before i1..i3 but they name others: 4 of 5.
            #expect(headlines["cfr"]?.0 == 0.8)
            #expect(try await Self.facts(client).incident == ["d1", "d2", "d3"])
        }
    }

    @Test("repeated detections of one open incident are one opening: only the deployment before the opening fails")
    func repeatedDetections() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Self.define("cfr", client: client)
            let events = [
                Self.deploy("d1", Fixture.at(0, 9), commit: "a"),
                Self.incident("i1", .open, Fixture.at(0, 10), subject: "X"),
                Self.deploy("d2", Fixture.at(0, 11), commit: "b"),
                Self.incident("i2", .open, Fixture.at(0, 12), subject: "X"),  // still open: not an opening
                Self.incident("i3", .resolved, Fixture.at(0, 13), subject: "X"),
                Self.incident("i4", .open, Fixture.at(0, 14), subject: "X"),  // a new opening after the resolution: fails d2
                Self.deploy("d3", Fixture.at(1, 9), commit: "c"),
                Self.incident("i5", .open, Fixture.at(1, 10), subject: "X"),  // X is open since i4: not an opening
            ]
            let headlines = try await Self.compute(events, names: ["cfr"], client: client)
            // d1 (i1), d2 (i4); d3 not: 2 of 3.
            #expect(headlines["cfr"]?.0 == 2.0 / 3.0)
            #expect(headlines["cfr"]?.1 == 3)
        }
    }
}

extension DeploymentFailureTests {
    /// Two apps over four weeks: rollbacks by version and by CDEvent type, failed rollouts, incidents named and
    /// unnamed, inside and outside the window, repeated detections.
    static func failureHistory() -> [Event] {
        var events: [Event] = []
        var n = 0
        func add(_ event: Event) {
            n += 1
            var event = event
            event.id = "f\(n)-" + event.id
            events.append(event)
        }
        for day in 0..<26 {
            let d = Double(day)
            for app in ["web", "api"] {
                var commit = "\(app)\(day)"
                if day % 6 == 3 { commit = "\(app)\(day - 2)" }  // back to the version of two days ago
                var deploy = Event(id: "d", kind: .deploy, time: Fixture.at(d, app == "web" ? 9 : 10), app: app, commit: commit)
                if day % 7 == 5 { deploy.extra = ["outcome": "failed"] }
                if day % 9 == 8 { deploy.rolledBack = true }
                add(deploy)
                if day % 4 == 1 {
                    add(Event(id: "o", kind: .open, time: Fixture.at(d, 11 + Double(day % 3) * 10), app: app, subject: "\(app)-\(day)"))
                    add(Event(id: "o2", kind: .open, time: Fixture.at(d + 1, 12), app: app, subject: "\(app)-\(day)"))
                    add(Event(id: "r", kind: .resolved, time: Fixture.at(d + 1, 13), app: app, subject: "\(app)-\(day)"))
                }
                if day % 5 == 2 {
                    var named = Event(id: "x", kind: .open, time: Fixture.at(d + 2, 8), app: app, subject: "\(app)-named-\(day)")
                    named.extra = ["commit": "\(app)\(day - 1)"]
                    add(named)
                }
            }
        }
        return events
    }

    @Test("shuffled arrival of rollbacks, failed rollouts and named incidents: incremental == recompute for every failure option")
    func shuffledFailures() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            try await Fixture.define("cfr-app", .changeFailureRate, groupBy: [.app], selector: [:], client: client)
            try await Self.define("cfr-12h", failure: .init(attributionWindow: "12h"), client: client)
            try await Self.define("cfr-all", failure: .init(attributionWindow: "3d", includeRollbacks: true), client: client)
            try await Fixture.define("df", .deploymentFrequency, client: client)
            try await Self.define("fdrt", .failedDeploymentRecoveryTime, client: client)
            try await Self.define("fdrt-3d", .failedDeploymentRecoveryTime, failure: .init(attributionWindow: "3d"), client: client)
            try await Self.define("rework", .deploymentReworkRate, client: client)
            let events = Self.failureHistory()
            var generator = SplitMix(seed: 7)
            let shuffled = events.shuffled(using: &generator)
            let calculator = Fixture.calculator(client: client, batchSize: 5)
            for start in stride(from: 0, to: shuffled.count, by: 17) {
                try await Fixture.insert(Array(shuffled[start..<min(start + 17, shuffled.count)]), client: client)
                try await calculator.catchUp()
            }
            let incremental = try await Fixture.dump(client: client)
            // The history exercises every kind of failure.
            let facts = try await Self.facts(client)
            #expect(!facts.rolledBack.isEmpty && !facts.rollbacks.isEmpty && !facts.incident.isEmpty && !facts.rollout.isEmpty)
            #expect(incremental.count > 100)
            for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
                #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
            }
        }
    }
}
