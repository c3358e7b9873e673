import EventStore
import Foundation
import Logging
import Pipeline
import PostgresNIO

/// `pacer recompute [--metric NAME]`: migrate if needed, rebuild facts and results from the raw tables, report.
public enum PacerRecompute {
    public static func run(databaseURL: String, metric: String?, logger: Logger) async throws -> String {
        let url = try DatabaseURL(databaseURL)
        let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            do {
                _ = try await withDeadline(.seconds(60)) { try await Migrator(client: client, logger: logger).migrate() }
            } catch {
                throw EventStoreError(.unavailable, "cannot reach or migrate the database \(url)", underlying: error)
            }
            let started = ContinuousClock.now
            let summary = try await MetricRecompute(client: client, logger: logger).run(metric: metric)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return "recomputed \(summary.definitions.count) metric definition(s) in \(String(format: "%.2f", seconds)) s"
                + (summary.definitions.isEmpty ? "" : ": " + summary.definitions.joined(separator: ", "))
        }
    }
}
