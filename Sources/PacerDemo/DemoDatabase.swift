import EventStore
import Logging
import PacerRules
import PostgresNIO

/// What the demo waits for in the database, read through the store's own readers (`PostgresConfigStore`,
/// `PostgresMetricsReader`): the pipeline configuration the reconcilers stored, and the headlines the calculator wrote.
struct DemoDatabase: Sendable {
    let databaseURL: String
    /// The operator's logger at `critical`: polling a database that is still starting is not worth a line.
    let logger: Logger

    init(databaseURL: String, logger: Logger) {
        self.databaseURL = databaseURL
        var quiet = logger
        quiet.logLevel = .critical
        self.logger = quiet
    }

    /// The configuration table of each kind `cluster.apply` counts.
    static let tables: [(kind: String, table: ConfigKind)] = [
        ("EventRoute", .eventRoutes), ("CDEventTransform", .cdEventTransforms), ("MetricDefinition", .metricDefinitions),
    ]

    /// Waits (at most 60 s) until the config tables hold, Ready, as many EventRoutes, CDEventTransforms and
    /// MetricDefinitions as were applied. (Events stored before the pipeline loaded a route are routed by the
    /// route's catch-up, so nothing more needs to be waited for.)
    func waitForConfiguration(expected: [String: Int]) async throws {
        try await withClient { client in
            let store = PostgresConfigStore(client: client, logger: logger)
            let deadline = ContinuousClock.now + .seconds(60)
            var missing: [String] = []
            while ContinuousClock.now < deadline {
                missing = []
                for (kind, table) in Self.tables {
                    let ready = (try? await store.rows(table, readyOnly: true).count) ?? 0
                    if ready < expected[kind] ?? 0 { missing.append("\(ready) of \(expected[kind] ?? 0) \(kind)s") }
                }
                if missing.isEmpty { return }
                try await Task.sleep(for: .milliseconds(200))
            }
            throw DemoError("the operator did not load the pipeline within 60 s (ready: \(missing.joined(separator: ", ")))")
        }
    }

    /// Polls the headlines of `namespace` until every key has its overall headline, everything the script played is
    /// counted and the values have stayed the same for 1 s, or until `timeout`; returns what is there.
    func waitForHeadlines(namespace: String, deployments: Int, restores: Int, timeout: Duration) async throws -> DemoHeadlines {
        try await withClient { client in
            let reader = PostgresMetricsReader(client: client, logger: logger)
            let deadline = ContinuousClock.now + timeout
            var last = DemoHeadlines()
            var stableSince = ContinuousClock.now
            while ContinuousClock.now < deadline {
                let current = (try? await DemoHeadlines(reader.headlines(namespace: namespace))) ?? DemoHeadlines()
                if !current.sameValues(as: last) { stableSince = ContinuousClock.now }
                last = current
                if current.complete(deployments: deployments, restores: restores), ContinuousClock.now - stableSince >= .seconds(1) { return current }
                try await Task.sleep(for: .milliseconds(250))
            }
            return last
        }
    }

    /// Runs `body` with a client whose connection pool runs alongside it and stops when it returns.
    private func withClient<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        try await DatabaseURL(databaseURL).withClient(logger: logger, body)
    }
}
