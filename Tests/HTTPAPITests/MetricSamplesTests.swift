import EventStore
import Foundation
import HTTPTypes
import Hummingbird
import PacerCore
import PacerRules
import PostgresNIO
import HummingbirdTesting
import TestSupport
import Testing

/// `GET /api/v1/metrics/{namespace}/{name}/samples` over ``SamplesHistory``: each listing is written out below as a
/// person reads it off the history's table with the rules of docs/metrics.md (a comment per line says why).
@Suite("Samples behind a point or headline", .enabled(if: TestDatabase.enabled))
struct MetricSamplesTests {
    /// The listing's items in a compact form (see ``summary(_:)``) and its `total`, following every `continue`.
    static func list(_ client: any TestClientProtocol, _ path: String) async throws -> (items: [String], total: Int, pages: Int) {
        var items: [String] = []
        var total = -1
        var pages = 0
        var next: String? = nil
        repeat {
            let separator = path.contains("?") ? "&" : "?"
            let uri = path + (next.map { separator + "continue=" + $0 } ?? "")
            let response = try await client.execute(uri: uri, method: .get)
            #expect(response.status == .ok, "\(uri): \(response.text)")
            let json = try #require(response.json)
            total = json["total"] as? Int ?? -1
            items += (json["items"] as? [[String: Any]] ?? []).map(Self.summary)
            next = json["continue"] as? String
            pages += 1
        } while next != nil && pages < 20
        return (items, total, pages)
    }

    static func id(_ object: Any?) -> String { ((object as? [String: Any])?["id"] as? String) ?? "-" }

    /// `d2 failed: incident X within 3600s`, `a1 1.0h by d1`, `d4 1.0h deployment d5`, `X 2.0h`, `x-open`.
    static func summary(_ item: [String: Any]) -> String {
        switch item["kind"] as? String {
        case "deployment":
            var text = deployment(item)
            if let rework = item["rework"] as? [String: Any] {
                switch rework["reason"] as? String {
                case "rollback": text += " | rework: rollback"
                case "openFailure": text += " | rework: \(id(rework["openFailure"])) open"
                default: text += " | no rework"
                }
            }
            return text
        case "change":
            return "\(item["sha"] as? String ?? "?") \(item["hours"] as? Double ?? -1)h by \(id(item["deployment"]))"
        case "recovery":
            let remediation = item["remediation"] as? [String: Any] ?? [:]
            let by = remediation["kind"] as? String == "deployment" ? id(remediation["deployment"]) : remediation["time"] as? String ?? "?"
            return "\(deployment(item["deployment"] as? [String: Any] ?? [:])) -> \(item["hours"] as? Double ?? -1)h \(remediation["kind"] as? String ?? "?") \(by)"
        case "incident":
            return "\(item["subject"] as? String ?? "?") \(item["hours"] as? Double ?? -1)h"
        case "event":
            return "\(item["id"] as? String ?? "?")"
        default:
            return "unknown item \(item)"
        }
    }

    static func deployment(_ item: [String: Any]) -> String {
        guard item["failed"] as? Bool == true else { return "\(id(item)) ok" }
        let reasons = (item["why"] as? [[String: Any]] ?? []).map { why -> String in
            switch (why["reason"] as? String, why["attribution"] as? String) {
            case ("rolloutFailed", _): return "rollout failed"
            case ("rolledBack", _): return "rolled back by \(id(why["by"]))"
            case ("incident", "named"): return "incident \((why["incident"] as? [String: Any])?["subject"] as? String ?? "?") names it"
            case ("incident", "window"):
                return "incident \((why["incident"] as? [String: Any])?["subject"] as? String ?? "?") within \(Int(why["afterSeconds"] as? Double ?? -1))s"
            default: return "unknown \(why)"
            }
        }
        return "\(id(item)) failed: " + reasons.joined(separator: ", ")
    }

    @Test("headlines: every deployment with failed and why, every change with its deployment, every recovery and incident, custom events")
    func headlines() async throws {
        try await TestDatabase.withFreshDatabase { db, _ in
            try await SamplesHistory.load(client: db)
            let app = Application(router: MetricsTestApp.router(client: db), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                // Deployment frequency: the 9 production deployments (s1 is staging), by time; the failure is shown too.
                let df = try await Self.list(client, "/api/v1/metrics/default/df/samples")
                #expect(df.total == 9)
                #expect(df.items == [
                    "d1 ok",
                    "d2 failed: incident X within 3600s",  // X opened 1 h after d2, the latest deployment then (24 h window)
                    "d3 ok",  // X opened before d3; its second detection is not a new opening
                    "d4 failed: rollout failed",  // outcome: failed
                    "d5 ok",
                    "a-d1 ok",
                    "d6 failed: rolled back by d7",  // d7 returns to e1, d5's commit: everything after d5 and before d7 failed
                    "d7 ok",  // the rollback itself did not fail
                    "d8 failed: incident Y names it",  // Y names commit g1, 49 h later: only the name attributes it
                ])
                // Change failure rate: the same without the rollback d7 (left out of the rate): 8 listed, 4 failed = the 0.5 headline.
                let cfr = try await Self.list(client, "/api/v1/metrics/default/cfr/samples")
                #expect(cfr.total == 8)
                #expect(cfr.items == df.items.filter { !$0.hasPrefix("d7 ") })
                // Rework: rollbacks, and deployments made while a failure of the app was open.
                let rework = try await Self.list(client, "/api/v1/metrics/default/rework/samples")
                #expect(rework.total == 9)
                #expect(rework.items == [
                    "d1 ok | no rework",
                    "d2 failed: incident X within 3600s | no rework",  // nothing failed before it
                    "d3 ok | rework: d2 open",  // 11:00: d2's failure lasts until X is resolved at 12:00
                    "d4 failed: rollout failed | no rework",  // X was resolved, d3 did not fail
                    "d5 ok | rework: d4 open",  // d4's failure lasts until the first later deployment that did not fail: d5 itself
                    "a-d1 ok | no rework",  // another app
                    "d6 failed: rolled back by d7 | no rework",  // d4's failure ended with d5
                    "d7 ok | rework: rollback",
                    "d8 failed: incident Y names it | no rework",  // d6's failure ended with d7
                ])
                // Failed deployment recovery time: per failed deployment, to the first later deployment that did not
                // fail or the resolution of its incident, whichever is first: 2, 1, 1, 53 h (median 1.5).
                let fdrt = try await Self.list(client, "/api/v1/metrics/default/fdrt/samples")
                #expect(fdrt.total == 4)
                #expect(fdrt.items == [
                    "d2 failed: incident X within 3600s -> 2.0h deployment d3",  // d3 at 11:00 before X's resolution at 12:00
                    "d4 failed: rollout failed -> 1.0h deployment d5",
                    "d6 failed: rolled back by d7 -> 1.0h deployment d7",
                    "d8 failed: incident Y names it -> 53.0h incidentResolved 2026-02-08T14:00:00.000Z",  // no later deployment
                ])
                // Lead time: each change with the deployment that carried it (b1 by d2, whose rollout did not fail).
                let lt = try await Self.list(client, "/api/v1/metrics/default/lt/samples")
                #expect(lt.total == 3)
                #expect(lt.items == ["a1 1.0h by d1", "b1 2.0h by d2", "e1 1.5h by d5"])
                // Time to restore: each incident opened → resolved, by resolution.
                let ttr = try await Self.list(client, "/api/v1/metrics/default/ttr/samples")
                #expect(ttr.total == 2)
                #expect(ttr.items == ["X 2.0h", "Y 4.0h"])
                // Custom (count of incident.detected): the three detections, the repeated one included.
                let detections = try await Self.list(client, "/api/v1/metrics/default/detections/samples")
                #expect(detections.items == ["x-open", "x-again", "y-open"])
                #expect(detections.total == 3)

                // The listing explains the stored headline: as many samples as the headline counts.
                let metrics = try #require(try await client.execute(uri: "/api/v1/metrics", method: .get).json?["items"] as? [[String: Any]])
                let samples = Dictionary(uniqueKeysWithValues: metrics.map { ($0["name"] as? String ?? "", $0["samples"] as? Int ?? -1) })
                #expect(samples == ["df": 9, "cfr": 8, "rework": 9, "fdrt": 4, "lt": 3, "ttr": 2, "detections": 3])

                // And every stored day point (overall and per app) of the counting metrics: as many samples, as many failed.
                let points = try await db.query(
                    "SELECT name, bucket_start, group_key, value, samples FROM metric_points WHERE bucket = 'day' AND name IN ('df', 'cfr')",
                    logger: TestDatabase.logger)
                var checked = 0
                for try await (name, start, group, value, count) in points.decode((String, Date, String, Double?, Int64).self) {
                    let groupParameter = group.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                    let listing = try await Self.list(
                        client, "/api/v1/metrics/default/\(name)/samples?bucket=day&start=\(RFC3339.format(start, fractionalDigits: 0))&group=\(groupParameter)")
                    #expect(listing.total == Int(count), "\(name) \(start) \(group)")
                    if name == "cfr" {
                        let failed = listing.items.filter { $0.contains(" failed: ") }.count
                        #expect(Double(failed) / Double(count) == value, "\(name) \(start) \(group)")
                    }
                    checked += 1
                }
                #expect(checked == 22)  // df and cfr alike: days 0-4 overall (5), for web (5), day 2 for api (1)
            }
        }
    }

    @Test("a bucket and a group: the samples of that point only")
    func bucketAndGroup() async throws {
        try await TestDatabase.withFreshDatabase { db, _ in
            try await SamplesHistory.load(client: db)
            let app = Application(router: MetricsTestApp.router(client: db), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                // Day 1 (2026-02-03): d2 and d3; d2 failed (the point's 1/2).
                let day1 = try await Self.list(client, "/api/v1/metrics/default/cfr/samples?bucket=day&start=2026-02-03")
                #expect(day1.items == ["d2 failed: incident X within 3600s", "d3 ok"])
                // A time inside the day names the same bucket; the answer echoes the bucket's start and end.
                let response = try await client.execute(uri: "/api/v1/metrics/default/cfr/samples?bucket=day&start=2026-02-03T15:30:00Z", method: .get)
                let json = try #require(response.json)
                #expect(json["from"] as? String == "2026-02-03T00:00:00Z")
                #expect(json["to"] as? String == "2026-02-04T00:00:00Z")
                #expect(json["bucket"] as? String == "day")
                #expect(json["unit"] as? String == "ratio")
                // Day 2: d4, d5 and api's deployment; the group app=api only api's.
                #expect(try await Self.list(client, "/api/v1/metrics/default/df/samples?bucket=day&start=2026-02-04").items == ["d4 failed: rollout failed", "d5 ok", "a-d1 ok"])
                #expect(try await Self.list(client, "/api/v1/metrics/default/df/samples?bucket=day&start=2026-02-04&group=app=api").items == ["a-d1 ok"])
                // The week of 2026-02-02 holds all of web's 8 and api's deployment; as a group headline, web's 8.
                #expect(try await Self.list(client, "/api/v1/metrics/default/df/samples?bucket=week&start=2026-02-02").total == 9)
                #expect(try await Self.list(client, "/api/v1/metrics/default/df/samples?group=app%3Dweb").total == 8)
                // Lead time by the carrying deployment's day: day 2 holds e1 (carried by d5).
                #expect(try await Self.list(client, "/api/v1/metrics/default/lt/samples?bucket=day&start=2026-02-04").items == ["e1 1.5h by d5"])
                // A bucket with nothing: an empty list.
                let empty = try await Self.list(client, "/api/v1/metrics/default/ttr/samples?bucket=month&start=2026-05-01")
                #expect(empty.items.isEmpty && empty.total == 0)
            }
        }
    }

    @Test("paging: limit and continue list every sample once, in order")
    func paging() async throws {
        try await TestDatabase.withFreshDatabase { db, _ in
            try await SamplesHistory.load(client: db)
            let app = Application(router: MetricsTestApp.router(client: db), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let first = try #require(try await client.execute(uri: "/api/v1/metrics/default/df/samples?limit=4", method: .get).json)
                #expect((first["items"] as? [[String: Any]])?.map(Self.summary).map { String($0.prefix(while: { $0 != " " })) } == ["d1", "d2", "d3", "d4"])
                #expect(first["total"] as? Int == 9)
                #expect(first["limit"] as? Int == 4)
                #expect(first["continue"] is String)
                // 9 samples, 4 per page: 3 pages, the same items as one page of 100.
                let paged = try await Self.list(client, "/api/v1/metrics/default/df/samples?limit=4")
                #expect(paged.pages == 3)
                #expect(paged.items == (try await Self.list(client, "/api/v1/metrics/default/df/samples")).items)
                let last = try #require(try await client.execute(uri: "/api/v1/metrics/default/df/samples?limit=9", method: .get).json)
                #expect(last["continue"] is NSNull)
            }
        }
    }

    @Test("unknown definitions answer 404, bad parameters 400 naming the parameter")
    func errors() async throws {
        try await TestDatabase.withFreshDatabase { db, _ in
            try await SamplesHistory.define(client: db)
            let app = Application(router: MetricsTestApp.router(client: db), logger: TestDatabase.logger)
            try await app.test(.router) { client in
                let missing = try await client.execute(uri: "/api/v1/metrics/default/nope/samples", method: .get)
                #expect(missing.status == .notFound)
                #expect(missing.errorMessage == "no MetricDefinition default/nope")
                let cases: [(String, String, String)] = [
                    ("bucket=hour&start=2026-02-03", "bucket", "unknown bucket \"hour\": use day, week, month or year"),
                    ("bucket=day&start=yesterday", "start", "start: \"yesterday\" is not an RFC 3339 time (2024-05-01T10:00:00Z) or a date (2024-05-01)"),
                    ("start=2026-02-03", "bucket", "start needs bucket (day, week, month or year): the bucket that starts there"),
                    ("bucket=day", "start", "bucket needs start: the start of the bucket to list (RFC 3339 time or YYYY-MM-DD)"),
                    ("limit=0", "limit", "limit: \"0\" is not a number from 1 to 1000"),
                    ("limit=1001", "limit", "limit: \"1001\" is not a number from 1 to 1000"),
                    ("continue=%21%21", "continue", "continue: not a token from a previous page of this listing"),
                    ("group=team%3Dshop", "group", "group: \"team=shop\" is not a group of default/df: groups look like app=<app>"),
                    ("group=%00", "group", "group: not a group key (at most 1000 bytes, no NUL)"),
                    ("bucket=year&start=9999-06-01", "start", "start: \"9999-06-01\" is outside the years 1 to 9998"),
                ]
                for (query, attribute, message) in cases {
                    let response = try await client.execute(uri: "/api/v1/metrics/default/df/samples?" + query, method: .get)
                    #expect(response.status == .badRequest, "\(query)")
                    #expect(((response.json?["error"] as? [String: Any])?["attribute"] as? String) == attribute, "\(query)")
                    #expect(response.errorMessage == message, "\(query)")
                }
                // A definition whose spec did not compile has no samples: 409, saying why.
                try await PostgresConfigStore(client: db, logger: TestDatabase.logger).upsert(
                    .metricDefinitions,
                    ConfigRecord(
                        namespace: "default", name: "broken", uid: "uid-broken", generation: 1, spec: ["metric": "custom"], ready: false,
                        message: "spec.custom: required"))
                let broken = try await client.execute(uri: "/api/v1/metrics/default/broken/samples", method: .get)
                #expect(broken.status == .conflict)
                #expect(broken.errorMessage == "default/broken is not ready (spec.custom: required): it has no samples")
            }
        }
    }
}
