import Hummingbird
import Prometheus

/// Builds Pacer's HTTP router: health, ingest (optionally behind bearer-token auth), and the read side (the read
/// API, the seed-compatible endpoint, Prometheus `/metrics` and the dashboard) when a metrics reader is given.
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
    /// The webhook receivers' secrets (`POST /webhooks/{provider}`); nil turns every receiver off.
    public let webhookSecrets: WebhookSecrets?

    public init(
        ingester: any EventIngesting, readiness: any ReadinessChecking, tokens: TokenFile?, maxBodyBytes: Int,
        metrics: (any MetricsReading)? = nil, prometheus: PrometheusCollectorRegistry? = nil, ingestLimits: IngestLimits = IngestLimits(),
        webhookSecrets: WebhookSecrets? = nil
    ) {
        self.ingestLimits = ingestLimits
        self.ingester = ingester
        self.readiness = readiness
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
        self.metrics = metrics
        self.prometheus = prometheus
        self.webhookSecrets = webhookSecrets
    }

    public func build() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        HealthRoutes<BasicRequestContext>(readiness: readiness).register(on: router)
        if metrics != nil || prometheus != nil {
            MetricsExpositionRoute<BasicRequestContext>(registry: prometheus, reader: metrics).register(on: router)
        }
        if let metrics {
            MetricsRoutes<BasicRequestContext>(reader: metrics).register(on: router)
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
