import Foundation
import Logging
import PacerCore
import PacerRules
import PostgresNIO

/// Lists the samples behind a MetricDefinition's point or headline (``MetricSampleSQL``): two read-only queries, the
/// count of the range and one page of items.
public struct MetricSampleReader: Sendable {
    let client: PostgresClient
    let logger: Logger

    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// The samples of the definition `namespace/name` with `spec` and `clusterWide` (as stored by the reconciler)
    /// for `request`. Throws ``MetricSampleError`` when the spec cannot be computed or the group is not one of the
    /// definition's.
    public func samples(
        namespace: String, name: String, spec: JSONValue, clusterWide: Bool, request: MetricSampleRequest
    ) async throws -> MetricSamplePage {
        let plan: MetricPlan
        do {
            plan = try MetricPlan(namespace: namespace, name: name, spec: spec, clusterWide: clusterWide)
        } catch {
            throw MetricSampleError.notComputable("\(namespace)/\(name) cannot be computed: \(error)")
        }
        try Self.check(group: request.group, of: plan)
        let sql = MetricSampleSQL(plan: plan)
        let shape = try sql.shape()
        var fetch = request
        fetch.limit = request.limit + 1  // one more: whether a next page exists
        let (total, rows) = try await client.withTransaction(logger: logger) { connection -> (Int64, [(Int64, String, String)]) in
            // A page is a nested loop of small index probes per listed row, which the planner's estimates make look
            // expensive enough for JIT: compiling it took seconds, far more than running it (as for the calculator).
            try await connection.query("SET TRANSACTION READ ONLY", logger: logger)
            try await connection.query("SET LOCAL jit = off", logger: logger)
            var total: Int64 = 0
            for try await count in try await connection.query(sql.countQuery(shape, request).query, logger: logger).decode(Int64.self) {
                total = count
            }
            var rows: [(Int64, String, String)] = []
            for try await row in try await connection.query(sql.pageQuery(shape, fetch).query, logger: logger).decode((Int64, String, String).self) {
                rows.append(row)
            }
            return (total, rows)
        }
        var items: [JSONValue] = []
        var last: MetricSampleCursor?
        var more = false
        for (micros, key, item) in rows {
            guard items.count < request.limit else {
                more = true
                continue
            }
            items.append(try JSONValue.parse(item))
            last = MetricSampleCursor(micros: micros, key: key)
        }
        let (from, to): (Date, Date)
        switch request.range {
        case .bucket(let start, let end): (from, to) = (start, end)
        case .headline(let now): (from, to) = (now.addingTimeInterval(-Double(plan.metric.windowSeconds)), now)
        }
        return MetricSamplePage(items: items, total: total, next: more ? last : nil, from: from, to: to)
    }

    /// A group key must have the definition's form: `<first groupBy dimension>=…` (`''` is the ungrouped series).
    static func check(group: String, of plan: MetricPlan) throws {
        guard !group.isEmpty else { return }
        guard let first = plan.metric.groupBy.first else {
            throw MetricSampleError.badGroup("group: \"\(group)\": \(plan.key) has no groups (no spec.groupBy); leave group out")
        }
        let form = plan.metric.groupBy.map { "\($0.rawValue)=<\($0.rawValue)>" }.joined(separator: ",")
        guard group.hasPrefix(first.rawValue + "=") else {
            throw MetricSampleError.badGroup("group: \"\(group)\" is not a group of \(plan.key): groups look like \(form)")
        }
    }
}
