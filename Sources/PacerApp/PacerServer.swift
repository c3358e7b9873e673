import EventModel
import EventStore
import HTTPAPI
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Pipeline
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// The composition root for `pacer serve`: creates the database client, the group committer, the HTTP
/// application, and orders them in one ServiceGroup.
///
/// Start order: PostgresClient, the committer, migrations, then the HTTP server last. Shutdown (SIGTERM/SIGINT)
/// runs in reverse: the HTTP server stops taking requests and finishes the open ones, then the committer writes
/// what is queued, then the database client closes.
public struct PacerServer: Sendable {
    public let configuration: PacerConfiguration
    public let logger: Logger

    public init(configuration: PacerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until SIGTERM/SIGINT. `onServerRunning` receives the bound port (useful with port 0).
    public func run(onServerRunning: (@Sendable (Int) async -> Void)? = nil) async throws {
        let parts = try makeParts()
        let app = try application(router: parts.router, onServerRunning: onServerRunning)
        let pipeline = configuration.pipelineEnabled
            ? pipelineServices(client: parts.client).map { AfterMigrations(gate: parts.schema, service: $0) as any Service } : []
        let group = ServiceGroup(
            configuration: .init(
                services: (parts.services + pipeline + [app]).map { .init(service: $0) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                cancellationSignals: [],
                logger: logger))
        try await group.run()
    }

    /// The pipeline's stages: router + transformer (`TransformStage`) and calculator (`MetricCalculator`). The
    /// publishers write the counters and values to the custom resources' status (nil: no Kubernetes; the counters
    /// stay in `pipeline_transform_stats`, `pipeline_route_stats` and the metric tables).
    public func pipelineServices(
        client: PostgresClient, transformPublisher: (any TransformStatusPublishing)? = nil,
        routePublisher: (any RouteStatusPublishing)? = nil, metricPublisher: (any MetricResultPublishing)? = nil
    ) -> [any Service] {
        var calculator = MetricCalculator.Configuration()
        calculator.pollInterval = configuration.pipelinePollInterval
        var transform = TransformStage.Configuration(pollInterval: configuration.pipelinePollInterval)
        transform.clusterName = configuration.clusterName
        return [
            TransformStage(
                client: client, configuration: transform,
                statusPublisher: transformPublisher, routeStatusPublisher: routePublisher, logger: logger),
            MetricCalculator(client: client, configuration: calculator, publisher: metricPublisher, logger: logger),
        ]
    }

    /// The HTTP application on the configured address: HTTPS when a serving certificate is configured.
    public func application(
        router: Router<BasicRequestContext>, onServerRunning: (@Sendable (Int) async -> Void)? = nil
    ) throws -> some ApplicationProtocol {
        var server = HTTPServerBuilder.http1()
        var scheme = "http"
        if let certificatePath = configuration.tlsCertificateFile, let keyPath = configuration.tlsKeyFile {
            let certificate = try ServingCertificate(certificatePath: certificatePath, keyPath: keyPath, logger: logger)
            server = .http1(tls: certificate)
            scheme = "https"
        }
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.httpHost, port: configuration.httpPort), serverName: "pacer"),
            onServerRunning: { [logger, configuration, scheme] channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("pacer listening", metadata: ["address": "\(scheme)://\(configuration.httpHost):\(port)"])
                await onServerRunning?(port)
            },
            logger: logger)
    }

    /// The background services in start order and the HTTP router, so tests can host them in their own application.
    public struct Parts {
        public var services: [any Service]
        public var router: Router<BasicRequestContext>
        public var client: PostgresClient
        public var schema: SchemaGate
        public var ingester: StoreIngester
    }

    /// `exportsDORAGauges` decides at each scrape whether `/metrics` carries the DORA gauges (`pacer run`: only
    /// while this replica leads; `pacer serve`: always).
    /// - Parameter readAuthorizer: checks every read of Pacer's data; nil uses the read token file when one is
    ///   configured, else the read side is open.
    public func makeParts(exportsDORAGauges: @escaping @Sendable () -> Bool = { true }, readAuthorizer: (any ReadAuthorizing)? = nil) throws -> Parts {
        // Before any metric is made, so that none is bound to the no-op backend.
        let registry = Observability.bootstrap()
        let url = try DatabaseURL(configuration.databaseURL)
        let client = PostgresClient(configuration: url.clientConfiguration(), backgroundLogger: logger)
        let store = PostgresEventStore(client: client, logger: logger)
        let schema = SchemaGate()
        var committerConfig = GroupCommitterConfiguration()
        committerConfig.writeTimeout = configuration.writeTimeout
        let cloudEvents = GroupCommitter<CloudEventRow>(configuration: committerConfig, logger: logger) { rows in
            try await client.withConnection { connection in
                try await store.insert(cloudEvents: rows, on: connection)
            }
        }
        let cdEvents = GroupCommitter<CDEventRow>(configuration: committerConfig.with(writers: 1), logger: logger) { rows in
            try await client.withConnection { connection in
                try await store.insert(cdEvents: rows, on: connection)
            }
        }
        let ingester = StoreIngester(cloudEvents: cloudEvents, cdEvents: cdEvents, schema: schema, clusterName: configuration.clusterName)
        let tokens = try configuration.ingestTokenFile.map { try TokenFile(path: $0, recheckInterval: configuration.tokenRecheckInterval) }
        let router = HTTPRouterBuilder(
            ingester: ingester, readiness: DatabaseReadiness(store: store, schema: schema),
            tokens: tokens, maxBodyBytes: configuration.maxBodyBytes,
            metrics: MetricsReadAdapter(client: client, logger: logger), prometheus: registry,
            ingestLimits: IngestLimits(
                eventsPerSecond: configuration.ingestRateLimit, burst: configuration.ingestBurst,
                maxInFlightBytes: configuration.ingestMaxInFlightBytes),
            exportsDORAGauges: exportsDORAGauges,
            readAuthorizer: try readAuthorizer ?? configuration.readTokenFile.map {
                TokenFileReadAuthorizer(tokens: try TokenFile(path: $0, recheckInterval: configuration.tokenRecheckInterval))
            },
            metricsOpen: configuration.metricsOpen,
            webhookSecrets: configuration.webhookSecretsDirectory.map {
                WebhookSecrets(directory: $0, recheckInterval: configuration.tokenRecheckInterval)
            }
        ).build()
        let migrations = MigrationService(migrator: Migrator(client: client, logger: logger), gate: schema, logger: logger)
        return Parts(services: [client, cloudEvents, cdEvents, migrations], router: router, client: client, schema: schema, ingester: ingester)
    }
}
