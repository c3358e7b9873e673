import Logging

/// Everything `pacer serve` needs, resolved from flags and environment variables.
public struct PacerConfiguration: Sendable {
    public var databaseURL: String
    public var httpHost: String = "0.0.0.0"
    public var httpPort: Int = 8080
    public var logLevel: Logger.Level = .info
    public var logFormat: LogFormat = .text
    /// When set, ingest endpoints require a bearer token from this file.
    public var ingestTokenFile: String?
    /// PEM files of the serving certificate (chain) and its key: when both are set, the port serves HTTPS only,
    /// and the pair is reloaded when the files change.
    public var tlsCertificateFile: String?
    public var tlsKeyFile: String?
    /// When set, reading Pacer's data (API, dashboard data, `/metrics`) needs a bearer token from this file
    /// (`pacer serve`; `pacer run` checks readers with the API server instead).
    public var readTokenFile: String?
    /// With read authorization on: `/metrics` needs no token (for a scraper that sends none).
    public var metricsOpen = false
    /// The webhook receivers' secret files (one per receiver: `github`, `gitlab`, …); nil turns them all off.
    public var webhookSecretsDirectory: String?
    /// Request bodies above this are refused with 413.
    public var maxBodyBytes: Int = 1 << 20
    /// Events per second each ingest sender may post on average (nil: no limit); 429 beyond it.
    public var ingestRateLimit: Double? = 10_000
    /// Events a sender may post at once above its rate.
    public var ingestBurst = 20_000
    /// Request bytes being processed at once over all senders; 429 beyond it.
    public var ingestMaxInFlightBytes = 64 << 20
    /// How long an ingest request may wait for its commit before it is answered 503.
    public var writeTimeout: Duration = .seconds(5)
    /// How often, at most, the ingest token file is checked for a rotation.
    public var tokenRecheckInterval: Duration = .seconds(1)
    /// Run the pipeline (route → transform → calculate). `pacer serve` runs it on every replica (safe: each stage
    /// locks its cursor); `pacer run` runs it on the elected leader only.
    public var pipelineEnabled = true
    /// How often the pipeline stages poll for new rows when no NOTIFY arrives.
    public var pipelinePollInterval: Duration = .seconds(5)
    /// The cluster of the events that name none (docs/metrics.md, "Clusters"): written as `customData.cluster` into
    /// the CDEvents posted directly and those the router produces from CloudEvents without a `cluster` attribute.
    public var clusterName = "default"

    public init(databaseURL: String) {
        self.databaseURL = databaseURL
    }
}
