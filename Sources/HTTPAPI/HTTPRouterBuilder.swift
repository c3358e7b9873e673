import Hummingbird
import Prometheus

/// Builds Pacer's HTTP router: health, ingest (optionally behind bearer-token auth), and the read side (the read
/// API, its OpenAPI document, the seed-compatible endpoint, Prometheus `/metrics` and the dashboard) when a metrics
/// reader is given.
public struct HTTPRouterBuilder: Sendable {
    public let ingester: any EventIngesting
    public let readiness: any ReadinessChecking
    public let tokens: TokenFile?
    public let maxBodyBytes: Int
    /// The read side's store; nil leaves out the read API, the seed endpoint, the DORA gauges and the dashboard.
    public let metrics: (any MetricsReading)?
    /// Pacer's own metrics (the swift-metrics backend), served on `/metrics`; nil serves only the DORA gauges.
    public let prometheus: PrometheusCollectorRegistry?
    /// Per-sender rate and in-flight bound of the ingest endpoints.
    public let ingestLimits: IngestLimits
    /// Asked at each scrape: whether `/metrics` carries the DORA gauges (with leader election, only the leader's does,
    /// so that each DORA series exists once per installation).
    public let exportsDORAGauges: @Sendable () -> Bool
    /// Checks every read of Pacer's data (`ReadAuthMiddleware`); nil leaves the read side open.
    public let readAuthorizer: (any ReadAuthorizing)?
    /// With a read authorizer: serve `/metrics` without a token (for a scraper that sends none).
    public let metricsOpen: Bool
    /// The webhook receivers' secrets (`POST /webhooks/{provider}`); nil turns every receiver off.
    public let webhookSecrets: WebhookSecrets?

    public init(
        ingester: any EventIngesting, readiness: any ReadinessChecking, tokens: TokenFile?, maxBodyBytes: Int,
        metrics: (any MetricsReading)? = nil, prometheus: PrometheusCollectorRegistry? = nil, ingestLimits: IngestLimits = IngestLimits(),
        exportsDORAGauges: @escaping @Sendable () -> Bool = { true }, readAuthorizer: (any ReadAuthorizing)? = nil, metricsOpen: Bool = false,
        webhookSecrets: WebhookSecrets? = nil
    ) {
        self.readAuthorizer = readAuthorizer
        self.metricsOpen = metricsOpen
        self.ingestLimits = ingestLimits
        self.ingester = ingester
        self.readiness = readiness
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.metrics = metrics
        self.prometheus = prometheus
        self.exportsDORAGauges = exportsDORAGauges
        self.webhookSecrets = webhookSecrets
    }

    public func build() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        if let readAuthorizer {
            router.add(middleware: ReadAuthMiddleware(authorizer: readAuthorizer, metricsOpen: metricsOpen))
        }
        HealthRoutes<BasicRequestContext>(readiness: readiness).register(on: router)
        if metrics != nil || prometheus != nil {
            MetricsExpositionRoute<BasicRequestContext>(
                registry: prometheus, reader: metrics, readiness: readiness, exportsDORAGauges: exportsDORAGauges
            ).register(on: router)
        }
        if let metrics {
            MetricsRoutes<BasicRequestContext>(reader: metrics).register(on: router)
            OpenAPIRoute<BasicRequestContext>().register(on: router)
            DashboardRoutes<BasicRequestContext>().register(on: router)
        }
        // One admission (rate per sender, bytes in flight) for every ingest path, the webhooks included.
        let admission = IngestAdmission(limits: ingestLimits)
        // The tools' webhooks verify their own signatures or tokens (per receiver), not the ingest bearer token.
        WebhookRoutes<BasicRequestContext>(ingester: ingester, secrets: webhookSecrets, maxBodyBytes: maxBodyBytes, admission: admission)
            .register(on: router)
        let ingest = router.group()
        if let tokens {
            ingest.add(middleware: BearerAuthMiddleware(tokens: tokens))
        }
        IngestRoutes<BasicRequestContext>(
            ingester: ingester, maxBodyBytes: maxBodyBytes, admission: admission, sendersByToken: tokens != nil
        ).register(on: ingest)
        return router
    }
}
