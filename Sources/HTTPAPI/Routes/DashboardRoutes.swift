import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /` and `GET /dashboard`: the built-in dashboard, one self-contained page (inline CSS and JavaScript, nothing
/// loaded from elsewhere) that reads `/api/v1/metrics` and the weekly series and refreshes itself every few seconds.
public struct DashboardRoutes<Context: RequestContext>: Sendable {
    public init() {}

    public func register(on router: some RouterMethods<Context>) {
        router.get("/") { _, _ in Self.page() }
        router.get("/dashboard") { _, _ in Self.page() }
    }

    static func page() -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-cache",
                .contentSecurityPolicy: "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
            ],
            body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
    }
}
