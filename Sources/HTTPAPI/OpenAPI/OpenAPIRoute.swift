import Hummingbird
import NIOCore

/// `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of the HTTP API (``OpenAPIDocument``).
public struct OpenAPIRoute<Context: RequestContext>: Sendable {
    public init() {}

    public static var path: String { "/api/v1/openapi.json" }

    public func register(on router: some RouterMethods<Context>) {
        router.get(RouterPath(stringLiteral: Self.path)) { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
    }
}
