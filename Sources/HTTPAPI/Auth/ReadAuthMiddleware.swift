import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Authentication and authorization of the read side, as kube-rbac-proxy does it in front of an operator: a
/// bearer token, checked with the authorizer (TokenReview, then SubjectAccessReview), for every read of Pacer's
/// data. Open: `/healthz`, `/readyz`, the dashboard page itself (its data calls carry the token), the OpenAPI
/// document, and `/metrics` when `metricsOpen`. Answers: 401 without a valid token, 403 naming the missing
/// permission, 503 when the check itself cannot be made (the API server unreachable).
///
/// `/api/v1/metrics` needs only a valid token: the listing leaves out the namespaces the reader may not read.
public struct ReadAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let authorizer: any ReadAuthorizing
    let metricsOpen: Bool

    public init(authorizer: any ReadAuthorizing, metricsOpen: Bool) {
        self.authorizer = authorizer
        self.metricsOpen = metricsOpen
    }

    /// What a path needs: nil for an open path, `.some(nil)` for a valid token only.
    func requirement(method: HTTPRequest.Method, path: String) -> ReadPermission?? {
        guard method == .get || method == .head else { return nil }
        switch path {
        case "/healthz", "/readyz", "/", "/dashboard", "/api/v1/openapi.json": return nil
        case "/metrics": return metricsOpen ? nil : .some(.nonResource(path: "/metrics"))
        case "/api/v1/metrics", "/api/v1/metrics/": return .some(nil)
        case "/api/v1/pipeline/errors": return .some(.metricDefinitionsInAllNamespaces)
        default: break
        }
        if path.hasPrefix("/deploy-frequency/") { return .some(.metricDefinitionsInAllNamespaces) }
        if path.hasPrefix("/api/v1/metrics/") {
            let parts = path.dropFirst("/api/v1/metrics/".count).split(separator: "/", omittingEmptySubsequences: false)
            let namespace = parts.first.map { String($0).removingPercentEncoding ?? String($0) } ?? ""
            return .some(.metricDefinitions(namespace: namespace))
        }
        // Any other read under /api/ (a path no route serves yet) needs a token too: nothing there is open by accident.
        if path.hasPrefix("/api/") { return .some(.metricDefinitionsInAllNamespaces) }
        return nil
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let needed = requirement(method: request.method, path: request.uri.path) else { return try await next(request, context) }
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError(.unauthorized, "reading Pacer's data needs Authorization: Bearer <token> (a Kubernetes ServiceAccount or user token)", headers: [.wwwAuthenticate: "Bearer"])
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let principal: ReadPrincipal?
        let allowed: Bool
        do {
            principal = try await authorizer.authenticate(token: token)
            if let principal, let needed { allowed = try await authorizer.allows(principal, needed) } else { allowed = true }
        } catch {
            context.logger.error("cannot check read access", metadata: ["error": "\(error)"])
            throw APIError.unavailable("cannot check access right now (the authorizer failed: \(error)); try again", retryAfterSeconds: 2)
        }
        guard let principal else {
            context.logger.notice("read refused: the bearer token is not valid")
            throw APIError(.unauthorized, "the bearer token is not valid", headers: [.wwwAuthenticate: "Bearer error=\"invalid_token\""])
        }
        if let needed, !allowed {
            context.logger.notice("read refused", metadata: ["user": "\(principal.name)", "permission": "\(needed.description)"])
            throw APIError(.forbidden, "user \"\(principal.name)\" cannot \(needed.description)")
        }
        return try await ReadGrant.$current.withValue(ReadGrant(principal: principal, authorizer: authorizer)) {
            try await next(request, context)
        }
    }
}

/// A token file for `pacer serve` (no Kubernetes): any token in it may read everything.
public struct TokenFileReadAuthorizer: ReadAuthorizing {
    let tokens: TokenFile

    public init(tokens: TokenFile) {
        self.tokens = tokens
    }

    public func authenticate(token: String) async throws -> ReadPrincipal? {
        tokens.accepts(token) ? ReadPrincipal(name: "reader (token file \(tokens.path))") : nil
    }

    public func allows(_ principal: ReadPrincipal, _ permission: ReadPermission) async throws -> Bool { true }
}
