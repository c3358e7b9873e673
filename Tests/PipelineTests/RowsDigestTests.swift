import Foundation
@testable import Pipeline
import PostgresNIO
import TestSupport
import Testing

/// ``RowsDigest``: equal for the same rows in any order, different when a row differs in any way the tables can, and
/// the number PostgreSQL computes over the same rows stored.
@Suite("Calculator: the digest of a table's rows")
struct RowsDigestTests {
    typealias LeadTime = (app: String, environment: String, row: MetricFactStore.LeadTimeRow)

    static let rows: [LeadTime] = [
        ("checkout", "production", .init(
            sha: "a1b2c3", cluster: "", changeTime: 1_770_000_000_000_000, deployTime: 1_770_003_600_000_000, deploySource: "/argocd",
            deployId: "d-1", team: "payments", namespace: "shop", hours: 1)),
        ("checkout", "production", .init(
            sha: "d4e5f6", cluster: "eu-1", changeTime: 1_770_000_000_123_456, deployTime: 1_770_009_000_000_000, deploySource: "/argocd",
            deployId: "d-2", team: "payments", namespace: "shop", hours: 2.4998)),
        ("grüße", "staging", .init(
            sha: "0000000000000000000000000000000000000000", cluster: "世界", changeTime: 946_684_799_999_999, deployTime: 946_684_800_000_000,
            deploySource: "", deployId: "é", team: "", namespace: "😀", hours: 0)),
    ]

    static func digest(_ rows: [LeadTime]) -> RowsDigest {
        var digest = RowsDigest()
        for (app, environment, row) in rows { digest.addLeadTime(app: app, environment: environment, row) }
        return digest
    }

    @Test("the same rows in another order, or added in two parts and merged, give the same digest")
    func orderFree() {
        let rows = Self.rows
        #expect(Self.digest(rows) == Self.digest(rows.reversed()))
        #expect(Self.digest(rows) == Self.digest([rows[1], rows[2], rows[0]]))
        var merged = Self.digest([rows[0]])
        merged.merge(Self.digest([rows[1], rows[2]]))
        #expect(merged == Self.digest(rows))
        #expect(Self.digest(rows).count == 3)
        #expect(Self.digest(Array(rows.prefix(2))) != Self.digest(rows))
    }

    @Test("a row that differs in any one column, or two rows that swap a value, give another digest")
    func differences() {
        let base = Self.rows[1]
        var changed: [LeadTime] = [("checkouT", base.environment, base.row), (base.app, "productioN", base.row)]
        let edits: [(inout MetricFactStore.LeadTimeRow) -> Void] = [
            { $0.sha += "0" }, { $0.cluster = "" }, { $0.changeTime += 1 }, { $0.deployTime -= 1 }, { $0.deploySource = "/flux" },
            { $0.deployId = "d-3" }, { $0.team = "Payments" }, { $0.namespace = "" }, { $0.hours = 2.4997999999999996 }, { $0.hours = 0 },
        ]
        for edit in edits {
            var row = base.row
            edit(&row)
            changed.append((base.app, base.environment, row))
        }
        for row in changed {
            #expect(Self.digest([base]) != Self.digest([row]), "\(row)")
        }
        // Two rows' hours swapped: the same values in the table, in other rows.
        var swapped = Array(Self.rows.prefix(2))
        (swapped[0].row.hours, swapped[1].row.hours) = (swapped[1].row.hours, swapped[0].row.hours)
        #expect(Self.digest(swapped) != Self.digest(Array(Self.rows.prefix(2))))
    }

    @Test(
        "PostgreSQL computes the same digest over the rows stored in lead_times and metric_points (NULL value and day values, non-ASCII text, labels), another after one changes",
        .enabled(if: TestDatabase.enabled))
    func matchesServer() async throws {
        try await TestDatabase.withFreshDatabase { client, _ in
            for (app, environment, row) in Self.rows {
                var binds = PostgresBindings()
                for text in [app, row.sha, environment, row.deploySource, row.deployId, row.team, row.namespace, row.cluster] { binds.append(text) }
                binds.append(row.changeTime)
                binds.append(row.deployTime)
                binds.append(row.hours)
                try await client.query(
                    PostgresQuery(
                        unsafeSQL: """
                        INSERT INTO lead_times (app, sha, environment, deploy_source, deploy_id, team, namespace, cluster, change_time, deploy_time, hours)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp(0) + $9 * interval '1 microsecond',
                                to_timestamp(0) + $10 * interval '1 microsecond', $11)
                        """, binds: binds),
                    logger: TestDatabase.logger)
            }
            try await client.query(
                """
                INSERT INTO metric_points (namespace, name, bucket, bucket_start, group_key, labels, value, samples, day_values) VALUES
                    ('default', 'lt', 'day', '2026-02-02T00:00:00Z', '', '{}', 2.5, 4, '{1, 2, 3, 4}'),
                    ('default', 'lt', 'week', '2026-02-02T00:00:00Z', 'app=checkout', '{"app": "checkout"}', NULL, 0, NULL),
                    ('default', 'df', 'day', '2026-02-02T00:00:00Z', 'app=grüße', '{"app": "grüße"}', 7, 7, '{}'),
                    ('other', 'df', 'day', '2026-02-02T00:00:00Z', '', '{}', 1, 1, NULL)
                """,
                logger: TestDatabase.logger)
            var points = RowsDigest()
            let day: Int64 = 1_769_990_400_000_000  // 2026-02-02T00:00:00Z
            let text = RowsDigest.text
            points.addPoint(
                namespace: text("default"), name: text("lt"), bucket: text("day"), groupKey: text(""), labels: text("{}"), start: day,
                value: 2.5, samples: 4, dayValues: [1, 2, 3, 4])
            points.addPoint(
                namespace: text("default"), name: text("lt"), bucket: text("week"), groupKey: text("app=checkout"),
                labels: text(#"{"app": "checkout"}"#), start: day, value: nil, samples: 0, dayValues: nil)
            points.addPoint(
                namespace: text("default"), name: text("df"), bucket: text("day"), groupKey: text("app=grüße"), labels: text(#"{"app": "grüße"}"#),
                start: day, value: 7, samples: 7, dayValues: [])

            func stored() async throws -> (RowsDigest, RowsDigest) {
                try await client.withConnection { connection in
                    var binds = PostgresBindings()
                    binds.append(["default"])
                    let points = try await RowsDigest.stored(
                        RowsDigest.pointColumns, from: "metric_points", where: "namespace = ANY($1::text[])", binds: binds, on: connection,
                        logger: TestDatabase.logger)
                    let leadTimes = try await RowsDigest.stored(RowsDigest.leadTimeColumns, from: "lead_times", on: connection, logger: TestDatabase.logger)
                    return (leadTimes, points)
                }
            }
            let (leadTimes, storedPoints) = try await stored()
            #expect(leadTimes == Self.digest(Self.rows))
            #expect(storedPoints == points)
            #expect(storedPoints.count == 3)

            try await client.query("UPDATE lead_times SET hours = hours + 1e-9 WHERE sha = 'a1b2c3'", logger: TestDatabase.logger)
            try await client.query("UPDATE metric_points SET day_values = '{1, 2, 4, 3}' WHERE bucket = 'day' AND name = 'lt'", logger: TestDatabase.logger)
            let (editedLeadTimes, editedPoints) = try await stored()
            #expect(editedLeadTimes != Self.digest(Self.rows))
            #expect(editedLeadTimes.count == 3)
            #expect(editedPoints != points)
        }
    }
}
