import EventStore
import Foundation
import PacerCore
import PacerRules
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// Lead time for changes, every change counted (docs/metrics.md, "Lead time for changes"): small histories written
/// here and the lead times a person computes from the documented rule. Times are on day 0 (2026-02-02, UTC).
@Suite("Calculator: which deployment carries each change", .enabled(if: TestDatabase.enabled))
struct LeadTimeTests {
    typealias Fixture = MetricFixture
    typealias Event = MetricFixture.Event

    static func change(_ sha: String, _ hour: Double, app: String = "web", repository: String? = nil) -> Event {
        var event = Event(id: "change-\(app)-\(sha)", kind: .change, time: Fixture.at(0, hour), app: app, commit: sha)
        if let repository { event.extra["repository"] = repository }
        return event
    }

    static func deploy(
        _ id: String, _ hour: Double, commit: String, app: String = "web", environment: String = "production", failed: Bool = false
    ) -> Event {
        var event = Event(id: id, kind: .deploy, time: Fixture.at(0, hour), app: app, environment: environment, commit: commit)
        if failed { event.extra["outcome"] = "failed" }
        return event
    }

    /// Computes `events` twice in one database: first as they arrive in reverse order, one batch per event (every
    /// deployment before the changes it carries, later changes before earlier ones), then a recompute, whose rows
    /// must be the incremental ones. Returns the lead times ("app/sha/environment" → hours) and the headline of a
    /// lead-time definition over all environments (value, samples).
    static func compute(_ events: [Event]) async throws -> (leads: [String: Double], headline: (Double?, Int64)) {
        try await TestDatabase.withFreshDatabase { client, _ in
            var result: (leads: [String: Double], headline: (Double?, Int64)) = ([:], (nil, -1))
            try await Fixture.define("lt", .leadTimeForChanges, groupBy: [], selector: [:], client: client)
            let calculator = Fixture.calculator(client: client, batchSize: 1)
            for event in events.reversed() {
                try await Fixture.insert([event], client: client)
                try await calculator.catchUp()
            }
            let incremental = try await Fixture.dump(client: client)
            let headline = try await Fixture.headlines("lt", client: client)[""]
            result.headline = (headline?.value, headline?.samples ?? -1)
            let rows = try await client.query("SELECT app, sha, environment, hours FROM lead_times", logger: TestDatabase.logger)
            for try await (app, sha, environment, hours) in rows.decode((String, String, String, Double).self) {
                result.leads["\(app)/\(sha)/\(environment)"] = hours
            }
            for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
                #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
            }
            return result
        }
    }

    @Test("bundled changes: one deployment of the newest sha carries the two merged before it")
    func bundled() async throws {
        let (leads, headline) = try await Self.compute([
            Self.change("a", 10), Self.change("b", 11), Self.change("c", 12),
            Self.deploy("d1", 14, commit: "c"),
        ])
        // d1 (14:00) deploys c (merged 12:00); a and b were merged before c: 14-10 = 4 h, 14-11 = 3 h, 14-12 = 2 h.
        #expect(leads == ["web/a/production": 4, "web/b/production": 3, "web/c/production": 2])
        // Median of 4, 3, 2.
        #expect(headline.0 == 3 && headline.1 == 3)
    }

    @Test("a change of another app is not carried, nor one of another repository; an unknown repository is")
    func otherAppAndRepository() async throws {
        let repo = "https://git.example/web"
        let (leads, _) = try await Self.compute([
            Self.change("o", 9, app: "other"),  // another app: web's deployment does not carry it
            Self.change("u", 9.5),  // no repository known: carried
            Self.change("r", 10, repository: "https://git.example/web-docs"),  // another repository: not carried
            Self.change("a", 11, repository: repo),
            Self.change("b", 12, repository: repo),
            Self.deploy("d1", 14, commit: "b"),
        ])
        // d1 (14:00) deploys b (web, repo): a (same repository, 11:00) 3 h, b 2 h, u (repository unknown, 9:30) 4.5 h.
        #expect(leads == ["web/u/production": 4.5, "web/a/production": 3, "web/b/production": 2])
    }

    @Test("one sha merged twice: its repository is the first one named, even after a report naming none")
    func repositoryOfARepeatedSha() async throws {
        var again = Self.change("a", 10.5, repository: "https://git.example/web")
        again.id = "change-web-a-again"
        let (leads, headline) = try await Self.compute([
            Self.change("a", 10),  // a's first report names no repository
            again,  // a again at 10:30, naming web's repository: a is a change of that repository
            Self.change("b", 11, repository: "https://git.example/web-docs"),
            Self.deploy("d1", 12, commit: "b"),
        ])
        // a was merged at 10:00 (its earliest report) in repository web; d1 (12:00) deploys b of web-docs, another
        // repository, so a waits. b: 12 - 11 = 1 h. (Were a's repository unknown, d1 would carry it: 2 h.)
        #expect(leads == ["web/b/production": 1])
        #expect(headline.0 == 1 && headline.1 == 1)
    }

    @Test("one sha named in two repositories: the first report naming one decides, in (time, source, id) order")
    func firstRepositoryNamed() async throws {
        var web = Self.change("a", 10.5, repository: "https://git.example/web")
        web.id = "change-web-a-web"
        var docs = Self.change("a", 10.75, repository: "https://git.example/web-docs")
        docs.id = "change-web-a-docs"
        let (leads, _) = try await Self.compute([
            Self.change("a", 10),  // a's first report names no repository
            web,  // 10:30: web
            docs,  // 10:45: web-docs
            Self.change("b", 11, repository: "https://git.example/web-docs"),
            Self.deploy("d1", 12, commit: "b"),
        ])
        // a is a change of web (named first), so d1, deploying b of web-docs, does not carry it: b 12 - 11 = 1 h. (Were
        // the last name taken, a would be web-docs' and carried by d1: 2 h.)
        #expect(leads == ["web/b/production": 1])
    }

    @Test("one sha named in two repositories at the same time: the report of the lower id (same source) decides, in either order of arrival")
    func tiedRepositoryNames() async throws {
        var docs = Self.change("a", 10.5, repository: "https://git.example/web-docs")
        docs.id = "change-web-a-1"
        var web = Self.change("a", 10.5, repository: "https://git.example/web")
        web.id = "change-web-a-2"
        // Arrival (compute feeds the list backwards): a at 10:00 naming none, then web's report and web-docs', in
        // either order.
        for (first, second) in [(web, docs), (docs, web)] {
            let (leads, _) = try await Self.compute([
                Self.deploy("d1", 12, commit: "b"),
                Self.change("b", 11, repository: "https://git.example/web-docs"),
                second,
                first,
                Self.change("a", 10),
            ])
            // Both name a repository at 10:30; "change-web-a-1" comes first in (time, source, id) order, so a is a
            // change of web-docs, merged at 10:00, and d1 (12:00, deploying b of web-docs) carries it: a 2 h, b 1 h.
            // (Were the first or the last to arrive taken, one of the two orders would make a web's, left waiting.)
            #expect(leads == ["web/a/production": 2, "web/b/production": 1], "\(first.id) first")
        }
    }

    @Test("a repository learned late: a change the deployment no longer sees is carried by nothing any more")
    func carriedNoMore() async throws {
        var bAgain = Self.change("b", 11.5, repository: "https://git.example/web-docs")
        bAgain.id = "change-web-b-again"
        // Arrival (compute feeds the list backwards): c (repository web) at 10:00, b (no repository) at 11:00, d1
        // deploying b at 12:00, then b's second report naming web-docs.
        let (leads, headline) = try await Self.compute([
            bAgain,
            Self.deploy("d1", 12, commit: "b"),
            Self.change("b", 11),
            Self.change("c", 10, repository: "https://git.example/web"),
        ])
        // Until the last report, b's repository is unknown, so d1 is seen by web's changes: c 2 h, b 1 h. Then b is a
        // change of web-docs: d1 deploys another repository than c's, so c is carried by nothing (its stored lead
        // time goes); b: 12 - 11 = 1 h.
        #expect(leads == ["web/b/production": 1])
        #expect(headline.0 == 1 && headline.1 == 1)
    }

    @Test("a change merged after the deployed commit waits for the next deployment; one merged after its deployment too; zero lead time")
    func laterChanges() async throws {
        let (leads, headline) = try await Self.compute([
            Self.change("a", 10), Self.change("b", 11),
            Self.deploy("d1", 13, commit: "a"),  // carries a (3 h); b was merged after a: not carried
            Self.deploy("d2", 15, commit: "b"),  // carries b (15-11 = 4 h)
            // The commit time of d says 16:30 but its deployment is at 16:00 (a clock ahead, or an amended commit):
            // a deployment before the change never carries it (no negative lead time); the next one does.
            Self.change("d", 16.5),
            Self.deploy("d3", 16, commit: "d"),
            Self.change("e", 17),
            Self.deploy("d4", 18, commit: "e"),  // carries d (18-16.5 = 1.5 h) and e (1 h)
            Self.change("f", 19),
            Self.deploy("d5", 19, commit: "f"),  // deployed at its merge instant: 0 h
        ])
        #expect(leads == ["web/a/production": 3, "web/b/production": 4, "web/d/production": 1.5, "web/e/production": 1, "web/f/production": 0])
        // Median of 0, 1, 1.5, 3, 4: 1.5.
        #expect(headline.0 == 1.5 && headline.1 == 5)
    }

    @Test("each environment carries the change at its own first deployment")
    func perEnvironment() async throws {
        let (leads, headline) = try await Self.compute([
            Self.change("a", 10), Self.change("b", 11),
            Self.deploy("s1", 12, commit: "b", environment: "staging"),
            Self.deploy("p1", 15, commit: "b"),
            Self.deploy("p2", 16, commit: "b"),  // already carried in production: nothing more
        ])
        // staging at 12:00: a 2 h, b 1 h; production at 15:00: a 5 h, b 4 h.
        #expect(leads == ["web/a/staging": 2, "web/b/staging": 1, "web/a/production": 5, "web/b/production": 4])
        // Median of 1, 2, 4, 5: 3.
        #expect(headline.0 == 3 && headline.1 == 4)
    }

    @Test("a failed rollout carries nothing; a deployed commit that is no known change carries nothing")
    func failedRolloutAndUnknownCommit() async throws {
        let (leads, _) = try await Self.compute([
            Self.change("a", 10),
            Self.deploy("d1", 11, commit: "a", failed: true),  // its rollout failed: does not carry a
            Self.deploy("d2", 11.5, commit: "zz"),  // zz is no change: carries nothing (only its own sha would count)
            Self.deploy("d3", 13, commit: "a"),  // carries a: 3 h
        ])
        #expect(leads == ["web/a/production": 3])
    }

    @Test("a version-9 database with lead times of the old rule (deployed sha only): after migrating, every change counts, as a recompute gives")
    func upgradeInPlace() async throws {
        try await TestDatabase.withFreshDatabase(migrate: false) { client, _ in
            _ = try await Migrator(client: client, logger: TestDatabase.logger, migrations: Array(Migration.all.prefix { $0.version <= 9 })).migrate()
            try await Fixture.insert([Self.change("a", 10), Self.change("b", 11), Self.change("c", 12), Self.deploy("d1", 14, commit: "c")], client: client)
            // The old facts and results, as the version-9 calculator left them (its cursor at the end): only c,
            // the deployed sha, had a lead time (2 h).
            for sql in [
                """
                INSERT INTO changes (cd_source, cd_id, sha, time_created, app, environment, team, namespace)
                VALUES ('/test', 'change-web-a', 'a', '2026-02-02T10:00:00Z', 'web', 'production', 'shop', 'default'),
                       ('/test', 'change-web-b', 'b', '2026-02-02T11:00:00Z', 'web', 'production', 'shop', 'default'),
                       ('/test', 'change-web-c', 'c', '2026-02-02T12:00:00Z', 'web', 'production', 'shop', 'default')
                """,
                """
                INSERT INTO deployments (deploy_id, time_created, deploy_name, cd_source, cd_id, deploy_type, app, environment, team, namespace,
                                         commit, version_key)
                VALUES ('pkg:generic/default/web@c', '2026-02-02T14:00:00Z', 'web', '/test', 'd1', 'deployed', 'web', 'production', 'shop', 'default', 'c', 'c')
                """,
                """
                INSERT INTO lead_times (app, sha, environment, change_time, deploy_time, deploy_source, deploy_id, team, namespace, hours)
                VALUES ('web', 'c', 'production', '2026-02-02T12:00:00Z', '2026-02-02T14:00:00Z', '/test', 'd1', 'shop', 'default', 2)
                """,
                "INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples) VALUES ('default', 'lt', 'year', '2026-01-01T00:00:00Z', '', '{}', 2, 1)",
                """
                INSERT INTO pipeline_cursors (name, last_xid, last_id)
                SELECT 'calculate', ingest_xid, seq FROM cdevents_raw ORDER BY ingest_xid DESC, seq DESC LIMIT 1
                """,
            ] {
                try await client.query(PostgresQuery(unsafeSQL: sql), logger: TestDatabase.logger)
            }
            let applied = try await Migrator(client: client, logger: TestDatabase.logger).migrate()
            #expect(applied.first == 10)  // and every later migration
            // Defined after migrating: the configuration store writes `cluster_wide` (migration 12).
            try await Fixture.define("lt", .leadTimeForChanges, groupBy: [], selector: [:], client: client)
            try await Fixture.calculator(client: client).catchUp()
            // By hand: a 4 h, b 3 h, c 2 h (all carried by d1): median 3 h over 3 changes.
            let year = Fixture.PointKey(bucket: "year", start: Date(timeIntervalSince1970: 1_767_225_600), group: "")
            #expect(try await Fixture.points("lt", client: client)[year] == Fixture.Point(value: 3, samples: 3))
            let incremental = try await Fixture.dump(client: client)
            for (way, recomputed) in try await Fixture.recomputedDumps(client: client) {
                #expect(incremental == recomputed, "incremental != recompute (\(way)): \(Fixture.firstDifference(incremental, recomputed))")
            }
        }
    }
}
