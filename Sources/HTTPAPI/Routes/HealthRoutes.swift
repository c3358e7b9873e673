import Hummingbird

/// `/healthz` (the process is alive) and `/readyz` (its dependencies answer: ready only when the database does).
public struct HealthRoutes<Context: RequestContext>: Sendable {
    let readiness: any ReadinessChecking

    public init(readiness: any ReadinessChecking) {
        self.readiness = readiness
    }

    public func register(on router: some RouterMethods<Context>) {
        router.get("/healthz") { _, _ in "ok\n" }
        router.get("/readyz") { _, _ -> Response in
            if let reason = await readiness.notReadyReason() {
                throw APIError(.serviceUnavailable, "not ready: \(reason)")
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: .init(string: "ok\n")))
        }
    }
}
