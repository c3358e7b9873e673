import Foundation
import Logging
import PacerRules
import PostgresNIO

/// `pacer recompute [--metric NAME]`: rebuilds the fact tables from `cdevents_raw` and the results from the facts.
///
/// The rows are byte-identical to what the incremental path writes (except `computed_at`), because both aggregate
/// every bucket from the same facts with the same SQL.
public struct MetricRecompute: Sendable {
    var engine: MetricEngine
    let publisher: (any MetricResultPublishing)?

    /// What a run did.
    public struct Summary: Sendable {
        /// Definitions recomputed (`namespace/name`).
        public var definitions: [String]
        /// cdevents_raw rows beyond the cursor that the run consumed.
        public var newRows: Int
    }

    public init(
        client: PostgresClient, logger: Logger, publisher: (any MetricResultPublishing)? = nil, clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.engine = MetricEngine(client: client, logger: logger, batchSize: 5_000, clock: clock)
        self.publisher = publisher
    }

    /// Recomputes every Ready definition (`metric` nil), or one: `name` or `namespace/name`. Throws
    /// ``MetricCalculatorError`` when the named definition is not Ready or does not exist. `fromEvents`: extract every
    /// fact from the CDEvents' documents again, rather than keep what the calculator extracted up to its cursor (docs/metrics.md,
    /// "Facts, incremental calculation and recompute").
    @discardableResult
    public func run(metric: String?, fromEvents: Bool = false) async throws -> Summary {
        let outcome = try await engine.recompute(metric: metric, fromEvents: fromEvents)
        if let publisher {
            for result in outcome.results { try await publisher.publish(result) }
        }
        return Summary(definitions: outcome.headlines.keys.sorted(), newRows: outcome.rows)
    }
}
