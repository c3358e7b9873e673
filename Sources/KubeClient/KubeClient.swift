import AsyncHTTPClient
import Foundation
import KubeCore
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import PacerCore

/// HTTP access to the Kubernetes API server, on AsyncHTTPClient.
///
/// Owns two `HTTPClient`s: one for ordinary requests (with a read timeout) and one for watches
/// (whose idle-read watchdog is ``KubeClientConfiguration/watchIdleTimeout``, since watch
/// streams legitimately stay quiet). **Call ``shutdown()`` exactly once when done**; the
/// underlying clients trap in debug builds when deallocated without shutdown.
///
/// Use ``resource(_:namespace:)`` (typed) or ``resource(_:descriptor:namespace:)`` (untyped)
/// to get a ``ResourceClient`` with the verbs. All methods throw ``KubeClientError``.
public final class KubeClient: Sendable {
    public let configuration: KubeClientConfiguration
    let http: HTTPClient
    let watchHTTP: HTTPClient
    let tokenSource: TokenSource?
    let execCredentials: ExecCredentialProvider?
    let logger: Logger

    /// Creates the HTTP clients. Throws ``KubeConfigError`` for unusable TLS material or token file.
    public init(configuration: KubeClientConfiguration, logger: Logger = Logger(label: "pacer.kube-client")) throws(KubeConfigError) {
        self.configuration = configuration
        self.logger = logger
        let tls = try Self.makeTLS(configuration)
        if case .tokenFile(let path) = configuration.authentication {
            tokenSource = try TokenSource(path: path)
        } else {
            tokenSource = nil
        }
        if case .exec(let plugin) = configuration.authentication {
            execCredentials = ExecCredentialProvider(plugin: plugin)
        } else {
            execCredentials = nil
        }
        let connect = TimeAmount.nanoseconds(Int64(configuration.connectTimeout.components.seconds) * 1_000_000_000
            + configuration.connectTimeout.components.attoseconds / 1_000_000_000)
        let idle = TimeAmount.nanoseconds(Int64(configuration.watchIdleTimeout.components.seconds) * 1_000_000_000
            + configuration.watchIdleTimeout.components.attoseconds / 1_000_000_000)
        var requestConfig = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: connect, read: nil))
        requestConfig.httpVersion = .automatic
        var watchConfig = HTTPClient.Configuration(tlsConfiguration: tls, timeout: .init(connect: connect, read: idle))
        watchConfig.httpVersion = .http1Only
        // Every open watch holds one HTTP/1.1 connection for as long as it runs: one per watched resource (and per
        // namespace with watchNamespaces), so AsyncHTTPClient's default of 8 per host made the ninth watch wait for a
        // connection until it timed out (the workload source's five watches with ReplicaSets, plus the reconcilers').
        watchConfig.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 256)
        http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: requestConfig, backgroundActivityLogger: logger)
        watchHTTP = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: watchConfig, backgroundActivityLogger: logger)
    }

    /// Shuts both HTTP clients down; in-flight requests and watches fail. Call once.
    public func shutdown() async throws {
        var firstError: (any Error)?
        do { try await watchHTTP.shutdown() } catch { firstError = error }
        do { try await http.shutdown() } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }

    /// A typed resource client (`Deployment`, `Lease`, ...). `namespace: nil` = all namespaces
    /// (or a cluster-scoped type); writes then use the object's own namespace.
    public func resource<T: KubernetesObject>(_ type: T.Type, namespace: String? = nil) -> ResourceClient<T> {
        ResourceClient(client: self, resource: T.resource, namespace: namespace)
    }

    /// A client for any resource by descriptor, e.g. `DynamicObject` for custom resources.
    public func resource<T: KubernetesResource>(_ type: T.Type = DynamicObject.self, descriptor: ResourceDescriptor, namespace: String? = nil) -> ResourceClient<T> {
        ResourceClient(client: self, resource: descriptor, namespace: namespace)
    }

    static func makeTLS(_ configuration: KubeClientConfiguration) throws(KubeConfigError) -> TLSConfiguration? {
        guard configuration.server.hasPrefix("https://") else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        let settings = configuration.tls
        do {
            if let ca = settings.caPEM {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(ca))
            }
            if let cert = settings.clientCertificatePEM, let key = settings.clientKeyPEM {
                tls.certificateChain = try NIOSSLCertificate.fromPEMBytes(cert).map { .certificate($0) }
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: key, format: .pem))
            }
        } catch {
            throw KubeConfigError(source: configuration.source, message: "invalid TLS material: \(error)")
        }
        if settings.insecureSkipVerify { tls.certificateVerification = .none }
        return tls
    }
}

// MARK: - Raw requests

extension KubeClient {
    /// A fully read response.
    struct RawResponse: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
    }

    func url(path: String, query: [(String, String)]) -> String {
        var url = configuration.server + path
        if !query.isEmpty {
            url += "?" + query.map { "\(Self.percentEncode($0.0))=\(Self.percentEncode($0.1))" }.joined(separator: "&")
        }
        return url
    }

    /// The `Authorization` header for the next request (running the credential plugin when its token expired).
    func authorization() async throws -> String? {
        switch configuration.authentication {
        case .none: return nil
        case .bearer(let token): return "Bearer \(token)"
        case .tokenFile: return tokenSource.map { "Bearer \($0.token())" }
        case .basic(let username, let password):
            return "Basic \(Data("\(username):\(password)".utf8).base64EncodedString())"
        case .exec:
            guard let execCredentials else { return nil }
            return "Bearer \(try await execCredentials.token())"
        }
    }

    /// After a 401: a plugin's token is thrown away, so the next request runs the plugin again. True when a retry
    /// can succeed (there was a plugin token to replace).
    func refused(authorization: String?) async -> Bool {
        guard let execCredentials, let authorization, authorization.hasPrefix("Bearer ") else { return false }
        await execCredentials.invalidate(String(authorization.dropFirst("Bearer ".count)))
        return true
    }

    func makeRequest(
        method: HTTPMethod, path: String, query: [(String, String)], body: [UInt8]?, contentType: String?, authorization: String?
    ) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: url(path: path, query: query))
        request.method = method
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "pacer-kube-client")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// Sends a request and reads the whole body; non-2xx becomes a ``KubeClientError`` with the Status.
    /// A 401 with a credential plugin's token runs the plugin again and retries once.
    func perform(method: HTTPMethod, path: String, query: [(String, String)] = [], body: [UInt8]? = nil, contentType: String? = nil) async throws -> RawResponse {
        let label = "\(method.rawValue) \(path)"
        do {
            return try await performOnce(method: method, path: path, query: query, body: body, contentType: contentType)
        } catch let error as KubeClientError where error.httpStatus == 401 {
            guard await refused(authorization: error.authorization) else { throw error }
            logger.info("API server refused the credential plugin's token; running the plugin again", metadata: ["request": "\(label)"])
            return try await performOnce(method: method, path: path, query: query, body: body, contentType: contentType)
        }
    }

    private func performOnce(method: HTTPMethod, path: String, query: [(String, String)], body: [UInt8]?, contentType: String?) async throws -> RawResponse {
        let label = "\(method.rawValue) \(path)"
        let authorization: String?
        do {
            authorization = try await self.authorization()
        } catch let error as KubeClientError {
            throw KubeClientError(code: error.code, request: label, message: error.message)
        }
        let request = makeRequest(method: method, path: path, query: query, body: body, contentType: contentType, authorization: authorization)
        let timeout = TimeAmount.nanoseconds(Int64(configuration.requestTimeout.components.seconds) * 1_000_000_000
            + configuration.requestTimeout.components.attoseconds / 1_000_000_000)
        let deadline = NIODeadline.now() + timeout
        let response: HTTPClientResponse
        let bytes: ByteBuffer
        do {
            response = try await http.execute(request, deadline: deadline, logger: logger)
            bytes = try await response.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw KubeClientError(code: .tooLarge, request: label, message: "response body larger than \(configuration.maxBodyBytes) bytes")
        } catch {
            throw Self.transportError(error, request: label)
        }
        let raw = RawResponse(status: Int(response.status.code), headers: response.headers, body: bytes)
        guard (200..<300).contains(raw.status) else {
            var error = Self.apiError(raw, request: label)
            error.authorization = authorization
            throw error
        }
        return raw
    }

    static func transportError(_ error: any Error, request: String) -> any Error {
        if error is CancellationError { return error }
        if let error = error as? KubeClientError { return error }
        if let httpError = error as? HTTPClientError {
            if httpError == .cancelled { return CancellationError() }
            if httpError == .readTimeout {
                return KubeClientError(code: .watchIdle, request: request, message: "no data received within the idle timeout")
            }
        }
        let text = String(describing: error)
        if text.contains("CERTIFICATE_VERIFY_FAILED") || text.contains("failedToValidateHostname") {
            return KubeClientError(
                code: .transport, request: request,
                message: "TLS handshake failed: the API server's certificate is not trusted by the configured certificate authority "
                    + "(kubeconfig certificate-authority/-data, or ca.crt in-cluster) or does not name the server's address: \(text)")
        }
        return KubeClientError(code: .transport, request: request, message: text)
    }

    static func apiError(_ response: RawResponse, request: String) -> KubeClientError {
        let status = try? JSONDecoder().decode(Status.self, from: response.body)
        var retryAfter: Duration?
        if let header = response.headers.first(name: "Retry-After"), let seconds = Int(header.trimmingCharacters(in: .whitespaces)) {
            retryAfter = .seconds(max(0, seconds))
        } else if let seconds = status?.details?.retryAfterSeconds {
            retryAfter = .seconds(max(0, seconds))
        }
        let text = String(buffer: response.body)
        return KubeClientError(
            code: .api, httpStatus: response.status, status: status?.kind == "Status" || status?.code != nil ? status : nil,
            retryAfter: retryAfter, request: request, message: text.isEmpty ? "HTTP \(response.status)" : String(text.prefix(300)))
    }

    /// One JSON document as `T`: built from the parsed tree when `T` is ``JSONTreeDecodable`` (objects, lists and
    /// watch events of ``DynamicObject``), else with `decoder`.
    static func decodeDocument<T: Decodable>(_ type: T.Type, from bytes: some Collection<UInt8>, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        if let tree = T.self as? any JSONTreeDecodable.Type {
            return try tree.init(jsonTree: JSONValue.parse(bytes)) as! T
        }
        return try decoder.decode(T.self, from: Data(bytes))
    }

    func decode<T: Decodable>(_ type: T.Type, from response: RawResponse, request: String) throws -> T {
        do {
            return try Self.decodeDocument(T.self, from: response.body.readableBytesView)
        } catch {
            throw KubeClientError(code: .decoding, httpStatus: response.status, request: request, message: "cannot decode \(T.self): \(error)")
        }
    }

    static func percentEncode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
