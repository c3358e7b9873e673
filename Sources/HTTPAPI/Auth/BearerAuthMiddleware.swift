import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Requires `Authorization: Bearer <token>` with a token from the token file; 401 otherwise, before the body is read.
public struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let tokens: TokenFile

    public init(tokens: TokenFile) {
        self.tokens = tokens
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing Authorization header: send Authorization: Bearer <token>", headers: [.wwwAuthenticate: "Bearer"])
        }
        let prefix = "bearer "
        guard header.count > prefix.count, header.prefix(prefix.count).lowercased() == prefix else {
            throw APIError(.unauthorized, "the Authorization header must use the Bearer scheme", headers: [.wwwAuthenticate: "Bearer"])
        }
        let token = header.dropFirst(prefix.count).trimmingCharacters(in: .whitespaces)
        guard tokens.accepts(token) else {
            context.logger.notice("ingest request refused: invalid bearer token")
            throw APIError(.unauthorized, "invalid bearer token", headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        return try await next(request, context)
    }
}
