import Foundation
import Logging
import Pipeline

/// `pacer recompute [--metric NAME] [--from-events]`: migrate if needed, rebuild facts and results from the raw tables, report.
public enum PacerRecompute {
    public static func run(databaseURL: String, metric: String?, fromEvents: Bool = false, logger: Logger) async throws -> String {
        try await PacerMigrate.withMigratedDatabase(databaseURL: databaseURL, logger: logger) { client, _ in
            let started = ContinuousClock.now
            let summary = try await MetricRecompute(client: client, logger: logger).run(metric: metric, fromEvents: fromEvents)
            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            return "recomputed \(summary.definitions.count) metric definition(s) in \(String(format: "%.2f", seconds)) s"
                + (summary.definitions.isEmpty ? "" : ": " + summary.definitions.joined(separator: ", "))
        }
    }
}
