import Hummingbird

/// Builds Pacer's HTTP router: health, ingest (optionally behind bearer-token auth), and the read API.
public struct HTTPRouterBuilder: Sendable {
    public let ingester: any EventIngesting
    public let readiness: any ReadinessChecking
    public let tokens: TokenFile?
    public let maxBodyBytes: Int

    public init(ingester: any EventIngesting, readiness: any ReadinessChecking, tokens: TokenFile?, maxBodyBytes: Int) {
        self.ingester = ingester
        self.readiness = readiness
        self.tokens = tokens
        self.maxBodyBytes = maxBodyBytes
    }

    public func build() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        HealthRoutes<BasicRequestContext>(readiness: readiness).register(on: router)
        let ingest = router.group()
        if let tokens {
            ingest.add(middleware: BearerAuthMiddleware(tokens: tokens))
        }
        IngestRoutes<BasicRequestContext>(ingester: ingester, maxBodyBytes: maxBodyBytes).register(on: ingest)
        return router
    }
}
