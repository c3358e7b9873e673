import ArgumentParser
import EventStore
import Foundation
import Logging
import Pipeline
import PostgresNIO

/// `pacer-bench stream`: how fast PostgresNIO delivers the recompute's 400,000 deployment reports (16 columns) to
/// Swift, the floor of a calculator that computes in memory (issue 17). Run after `pacer-bench recompute` has filled
/// the database. Each way timed alone: the rows counted without decoding; decoded as a 16-column tuple; as one row
/// value per row (the calculator's `RowCells`); as one text column (the fields joined by a separator, split in
/// Swift); `count(*)` of the same query in PostgreSQL (its own cost: reading the documents and sorting); and from the
/// fact table, as a recompute that keeps the extracted facts reads it, a row per report (22 PostgresNIO cells, or one
/// row value) or one row per app and environment (the fields length-prefixed).
struct StreamBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stream", abstract: "Streaming the recompute's deployment reports from PostgreSQL into Swift, four ways.")

    @Option(name: .customLong("database-url"), help: "A database `pacer-bench recompute` filled (bench_recompute).")
    var databaseURL: String

    static let fields = """
        coalesce(r.content #>> '{customData,app}', '') AS app, coalesce(r.content #>> '{customData,environment}', '') AS environment,
        (extract(epoch FROM r.cd_timestamp) * 1000000)::int8 AS t, r.cd_source, r.cd_id, split_part(r.cd_type, '.', 4) AS deploy_type,
        r.content #>> '{subject,content,artifactId}' AS deploy_id, coalesce(r.content #>> '{customData,cluster}', '') AS cluster,
        r.content #>> '{customData,commit}' AS commit, r.content #>> '{customData,version}' AS version,
        r.content #>> '{customData,commit}' AS version_key, coalesce(r.content #>> '{customData,outcome}' = 'failed', false) AS failed,
        r.content #>> '{customData,revision}' AS revision, r.content #>> '{customData,name}' AS name,
        coalesce(r.content #>> '{customData,team}', '') AS team, coalesce(r.content #>> '{customData,namespace}', '') AS namespace
        """
    static let from = "FROM cdevents_raw r WHERE r.cd_type LIKE 'dev.cdevents.service.deployed.%'"
    static let order = "ORDER BY app COLLATE \"C\", environment COLLATE \"C\", t, cd_source, cd_id"

    func run() async throws {
        do {
            try await measure()
        } catch {
            say("stream benchmark failed: \(String(reflecting: error))")
            throw ExitCode.failure
        }
    }

    func measure() async throws {
        var logger = Logger(label: "pacer-bench") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let client = PostgresClient(configuration: try DatabaseURL(databaseURL).clientConfiguration(), backgroundLogger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await client.withConnection { connection in
                try await connection.query("SET work_mem = '64MB'", logger: logger)
                let tuple = "SELECT * FROM (SELECT \(Self.fields) \(Self.from)) s \(Self.order)"
                var seconds = try await Self.timed {
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM (\(tuple)) x"), logger: logger)
                    for try await count in rows.decode(Int64.self) { say("reports: \(count)") }
                }
                say(String(format: "PostgreSQL alone (count(*) of the sorted query)     %6.2f s", seconds))
                seconds = try await Self.timed {
                    var n = 0
                    for try await _ in try await connection.query(PostgresQuery(unsafeSQL: tuple), logger: logger) { n += 1 }
                }
                say(String(format: "rows streamed, not decoded                          %6.2f s", seconds))
                seconds = try await Self.timed {
                    var bytes = 0
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: tuple), logger: logger)
                    for try await (app, environment, _, source, id, type, deployId, cluster, commit, version, key, _, revision, name, team, namespace)
                        in rows.decode((String, String, Int64, String, String, String, String?, String, String?, String?, String?, Bool, String?, String?, String, String).self)
                    {
                        bytes += app.utf8.count + environment.utf8.count + source.utf8.count + id.utf8.count + type.utf8.count
                            + (deployId?.utf8.count ?? 0) + cluster.utf8.count + (commit?.utf8.count ?? 0) + (version?.utf8.count ?? 0)
                            + (key?.utf8.count ?? 0) + (revision?.utf8.count ?? 0) + (name?.utf8.count ?? 0) + team.utf8.count + namespace.utf8.count
                    }
                    _ = bytes
                }
                say(String(format: "decoded as a 16-column tuple                        %6.2f s", seconds))
                seconds = try await Self.timed {
                    var bytes = 0
                    var strings = RepeatedStrings(columns: 16)
                    let record = RowCells.rows(of: tuple)
                    for try await row in try await connection.query(PostgresQuery(unsafeSQL: record), logger: logger) {
                        // The calculator's reader (Pipeline's RowCells): column 2 is the time, 11 the outcome.
                        try RowCells.read(row) { cells in
                            for column in 0..<16 {
                                if column == 2 {
                                    _ = try cells.int64()
                                    bytes += 8
                                } else if column == 11 {
                                    _ = try cells.bool()
                                    bytes += 1
                                } else if let value = try cells.optionalString(&strings) {
                                    bytes += value.utf8.count
                                }
                            }
                        }
                    }
                    _ = bytes
                }
                say(String(format: "one row value per row (RowCells), strings reused    %6.2f s", seconds))
                // One text column: NULL as \u{1E}, fields separated by \u{1F}.
                let joined = """
                    SELECT concat_ws(E'\\x1f', app, environment, t::text, cd_source, cd_id, deploy_type, coalesce(deploy_id, E'\\x1e'), cluster,
                        coalesce(commit, E'\\x1e'), coalesce(version, E'\\x1e'), coalesce(version_key, E'\\x1e'), failed::text,
                        coalesce(revision, E'\\x1e'), coalesce(name, E'\\x1e'), team, namespace)
                    FROM (\(tuple)) x
                    """
                seconds = try await Self.timed {
                    var fields = 0
                    let rows = try await connection.query(PostgresQuery(unsafeSQL: joined), logger: logger)
                    for try await line in rows.decode(String.self) {
                        fields += line.utf8.split(separator: 0x1F, omittingEmptySubsequences: false).count
                    }
                    _ = fields
                }
                say(String(format: "decoded as one text column, split in Swift          %6.2f s", seconds))
                // From the fact table (what a recompute keeping the extracted facts reads): a row per report, and one
                // row per app and environment with the reports' fields length-prefixed (`<bytes>:<text>`, NULL `-`).
                let typedColumns = [
                    "app", "environment", "(extract(epoch FROM time_created) * 1000000)::int8", "cd_source", "cd_id", "deploy_type", "deploy_id",
                    "cluster", "commit", "version", "version_key", "rollout_failed", "revision", "team", "namespace", "is_rollback", "rolled_back",
                    "incident_failed", "open_gap", "(extract(epoch FROM incident_resolved_at) * 1000000)::int8",
                    "(extract(epoch FROM open_resolved_at) * 1000000)::int8", "duplicate",
                ].joined(separator: ", ")
                let factOrder = "ORDER BY app COLLATE \"C\", environment COLLATE \"C\", time_created, cd_source COLLATE \"C\", cd_id COLLATE \"C\""
                // The field kinds of `typedColumns`: the rest are text.
                func readTyped(_ column: Int, int64: () throws -> Int64?, bool: () throws -> Bool, double: () throws -> Double?, string: () throws -> String?) throws -> Int {
                    switch column {
                    case 2, 19, 20: return try int64() == nil ? 0 : 8
                    case 11, 15, 16, 17, 21: _ = try bool(); return 1
                    case 18: return try double() == nil ? 0 : 8
                    default: return try string()?.utf8.count ?? 0
                    }
                }
                seconds = try await Self.timed {
                    var n = 0
                    for try await row in try await connection.query(PostgresQuery(unsafeSQL: "SELECT \(typedColumns) FROM deployments \(factOrder)"), logger: logger) {
                        let cells = row.makeRandomAccess()
                        for column in 0..<22 {
                            n += try readTyped(
                                column, int64: { try cells[column].decode(Int64?.self) }, bool: { try cells[column].decode(Bool.self) },
                                double: { try cells[column].decode(Double?.self) }, string: { try cells[column].decode(String?.self) })
                        }
                    }
                    _ = n
                }
                say(String(format: "fact table, a row per report, 22 PostgresNIO cells  %6.2f s", seconds))
                seconds = try await Self.timed {
                    var n = 0
                    var strings = RepeatedStrings(columns: 22)
                    let record = RowCells.rows(of: "SELECT \(typedColumns) FROM deployments \(factOrder)")
                    for try await row in try await connection.query(PostgresQuery(unsafeSQL: record), logger: logger) {
                        try RowCells.read(row) { cells in
                            for column in 0..<22 {
                                n += try readTyped(
                                    column, int64: { try cells.optionalInt64() }, bool: { try cells.bool() }, double: { try cells.optionalDouble() },
                                    string: { try cells.optionalString(&strings) })
                            }
                        }
                    }
                    _ = n
                }
                say(String(format: "fact table, a row per report, one row value         %6.2f s", seconds))
                let factColumns = [
                    "(extract(epoch FROM time_created) * 1000000)::int8::text", "cd_source", "cd_id", "deploy_type", "deploy_id", "cluster",
                    "commit", "version", "version_key", "rollout_failed::text", "revision", "deploy_name", "team", "namespace",
                    "is_rollback::text", "rolled_back::text", "incident_failed::text", "open_gap::text",
                    "(extract(epoch FROM incident_resolved_at) * 1000000)::int8::text", "(extract(epoch FROM open_resolved_at) * 1000000)::int8::text",
                    "duplicate::text",
                ]
                let prefixed = factColumns.map { "coalesce(octet_length(\($0))::text || ':' || \($0), '-')" }.joined(separator: " || ")
                let perHistory = """
                    SELECT app, environment, string_agg(\(prefixed), '' ORDER BY time_created, cd_source, cd_id) FROM deployments
                    GROUP BY app, environment
                    """
                seconds = try await Self.timed {
                    var fields = 0
                    for try await (_, _, text) in try await connection.query(PostgresQuery(unsafeSQL: perHistory), logger: logger).decode((String, String, String).self) {
                        var utf8 = Array(text.utf8)
                        var index = 0
                        utf8.withUnsafeMutableBufferPointer { bytes in
                            while index < bytes.count {
                                if bytes[index] == UInt8(ascii: "-") { index += 1; fields += 1; continue }
                                var length = 0
                                while bytes[index] != UInt8(ascii: ":") { length = length * 10 + Int(bytes[index] - 48); index += 1 }
                                index += 1
                                _ = String(decoding: UnsafeBufferPointer(rebasing: bytes[index..<(index + length)]), as: UTF8.self)
                                index += length
                                fields += 1
                            }
                        }
                    }
                    _ = fields
                }
                say(String(format: "fact table, a row per history, length-prefixed      %6.2f s", seconds))
            }
        }
    }

    static func timed(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
