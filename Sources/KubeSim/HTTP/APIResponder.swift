import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PacerCore

/// The single HTTP responder of kube-sim: authentication, fault injection, then dispatch by path
/// (discovery, OpenAPI, admin API, resources). Every failure is answered as a metav1 `Status`.
struct APIResponder: HTTPResponder {
    typealias Context = KubeSimRequestContext

    let store: ObjectStore
    let faults: KubeSimFaults
    let authenticator: Authenticator
    let authorizer: Authorizer
    let authenticationEnabled: Bool
    let anonymousAuth: Bool
    let resources: ResourceHandler
    let reviews: ReviewHandler
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = APIPath(request.uri.path)
        let query = QueryParameters(request.uri.query)
        let response: Response
        do {
            response = try await dispatch(request, context: context, path: path, query: query)
        } catch let error as APIError {
            response = Responses.error(error)
        } catch is NIOTooManyBytesError {
            response = Responses.error(APIError(code: 413, reason: "RequestEntityTooLarge", message: "the request body is too large"))
        } catch {
            response = Responses.error(APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(error)"))
        }
        logger.debug("\(request.method) \(request.uri) -> \(response.status.code)")
        return response
    }

    private func dispatch(_ request: Request, context: Context, path: APIPath, query: QueryParameters) async throws -> Response {
        if case .health = path {
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
        }
        let user = try await authenticate(request, context: context)
        let attributes = RequestAttributes.classify(method: request.method, rawPath: request.uri.path, apiPath: path, query: query, user: user)
        let decision = authorizer.authorize(attributes)
        guard decision.allowed else {
            logger.debug("forbidden: \(attributes.forbiddenMessage)")
            throw APIError.forbidden(attributes)
        }
        if case .admin(let action) = path { return try admin(action, request: request, query: query) }
        if let stall = faults.takeStall() { try await Task.sleep(for: stall) }
        if let failure = faults.takeFailure() { throw failure }

        let types = store.allTypes
        switch path {
        case .version:
            return Responses.json(200, Discovery.version)
        case .coreVersions:
            return Responses.json(200, Discovery.coreVersions(serverAddress: request.head.authority ?? "127.0.0.1"))
        case .groupList:
            return Responses.json(200, Discovery.groupList(types))
        case .group(let name):
            guard let group = Discovery.groups(types).first(where: { $0.name == name }) else { throw APIError.resourceNotFound() }
            return Responses.json(200, Discovery.groupJSON(group.name, group.versions))
        case .resourceList(let group, let version):
            guard let list = Discovery.resourceList(group: group, version: version, types) else { throw APIError.resourceNotFound() }
            return Responses.json(200, list)
        case .openAPIIndex:
            return Responses.json(200, OpenAPIDocuments.index(types))
        case .openAPIDocument(let group, let version):
            guard let document = OpenAPIDocuments.document(group: group, version: version, types) else { throw APIError.resourceNotFound() }
            return Responses.json(200, document)
        case .resource(let resourcePath) where ReviewHandler.handles(resourcePath):
            let body = try await ResourceHandler.readObject(request)
            let (status, object) = try reviews.handle(method: request.method.rawValue, path: resourcePath, body: body, user: user)
            return Responses.json(status, object)
        case .resource(let resourcePath):
            return try await resources.handle(request, resourcePath, query: query)
        case .openAPIV2, .unknown, .health, .admin:
            throw APIError.resourceNotFound()
        }
    }

    /// The request's user: from a client certificate signed by the CA (CN user, O groups; checked first, as the
    /// apiserver's x509 authenticator comes before tokens), else its bearer token; anonymous without either when
    /// `anonymousAuth`; 401 otherwise or for a token no authenticator accepts. With authentication off every request
    /// is anonymous.
    private func authenticate(_ request: Request, context: Context) async throws -> UserInfo {
        if authenticationEnabled, let der = await context.peerCertificateDER(), let subject = CertificateSubject.parse(der),
            !subject.commonName.isEmpty
        {
            return UserInfo(name: subject.commonName, groups: subject.organizations).authenticated()
        }
        let outcome = authenticator.authenticate(header: request.headers[.authorization], store: store)
        switch outcome {
        case .user(let user, _): return user
        case .none where anonymousAuth || !authenticationEnabled: return .anonymous
        case .invalid where !authenticationEnabled: return .anonymous
        case .none, .invalid: throw APIError.unauthorized()
        }
    }

    /// `/_sim/...`: the HTTP face of `KubeSimFaults`.
    private func admin(_ action: String, request: Request, query: QueryParameters) throws -> Response {
        guard request.method == .post else { throw APIError.methodNotAllowed(request.method.rawValue) }
        switch action {
        case "drop-watches":
            faults.dropWatches()
        case "compact":
            faults.compactHistory()
        case "fail":
            faults.failNext(query.int("count") ?? 1, status: query.int("code") ?? 500)
        case "stall":
            faults.stallNext(query.int("count") ?? 1, for: .milliseconds(query.int("ms") ?? 1000))
        default:
            throw APIError(code: 404, reason: "NotFound", message: "unknown kube-sim admin action \"\(action)\"")
        }
        return Responses.json(200, ["ok": true, "resourceVersion": .string(String(store.currentResourceVersion))])
    }
}
