import KubeCore

/// Any failure of a Kubernetes API call. API errors keep the server's ``Status`` so callers can
/// branch on `isNotFound` / `isConflict` / `isGone` / `isTooManyRequests`.
public struct KubeClientError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public enum Code: String, Sendable, Hashable {
        /// The server answered with a non-2xx status (see ``httpStatus`` and ``status``).
        case api
        /// Connecting, sending or receiving failed (including timeouts and dropped streams).
        case transport
        /// The response body could not be decoded.
        case decoding
        /// The request body could not be encoded.
        case encoding
        /// A response body or a single watch event exceeded the configured byte limit.
        case tooLarge
        /// A watch stream was idle for longer than the watchdog allows.
        case watchIdle
        /// The kubeconfig's credential plugin (`exec`) failed or printed no usable credential.
        case credentials
    }

    public var code: Code
    /// HTTP status code; 0 when no response was received.
    public var httpStatus: Int
    /// The decoded `Status` body of an API error (or of a watch `ERROR` event).
    public var status: Status?
    /// The server's `Retry-After` (seconds), typically with 429 and 503.
    public var retryAfter: Duration?
    /// `GET /apis/apps/v1/...`: what was being done.
    public var request: String
    public var message: String
    /// The credential a refused request was sent with, so the client can replace a plugin's token (never printed).
    var authorization: String?

    public init(code: Code, httpStatus: Int = 0, status: Status? = nil, retryAfter: Duration? = nil, request: String = "", message: String) {
        self.code = code
        self.httpStatus = httpStatus
        self.status = status
        self.retryAfter = retryAfter
        self.request = request
        self.message = message
    }

    public var isNotFound: Bool { httpStatus == 404 || status?.isNotFound == true }
    public var isConflict: Bool { (httpStatus == 409 && status?.isAlreadyExists != true) || status?.reason == "Conflict" }
    public var isAlreadyExists: Bool { status?.isAlreadyExists == true }
    public var isGone: Bool { httpStatus == 410 || status?.isGone == true }
    public var isTooManyRequests: Bool { httpStatus == 429 || status?.isTooManyRequests == true }
    /// 5xx, 429 and transport failures: worth retrying with backoff.
    public var isRetryable: Bool { code == .transport || code == .watchIdle || httpStatus >= 500 || isTooManyRequests }

    public var description: String {
        var text = request.isEmpty ? "" : "\(request): "
        if code == .api {
            text += "HTTP \(httpStatus)"
            if let reason = status?.reason { text += " \(reason)" }
            text += ": " + (status?.message ?? message)
        } else {
            text += "\(code.rawValue) error: \(message)"
        }
        return text
    }
}
