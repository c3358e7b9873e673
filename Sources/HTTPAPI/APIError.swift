import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PacerCore

/// An error answered as JSON: `{"error": {"status": 400, "message": "...", "attribute": "id", "index": 2}}`.
///
/// Only this module maps errors to HTTP; other modules' errors are translated at the route.
public struct APIError: HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    public var attribute: String?
    public var index: Int?
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, attribute: String? = nil, index: Int? = nil, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.attribute = attribute
        self.index = index
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var error: [String: JSONValue] = ["status": .int(Int64(status.code)), "message": .string(message)]
        if let attribute { error["attribute"] = .string(attribute) }
        if let index { error["index"] = .int(Int64(index)) }
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = JSONValue.object(["error": .object(error)]).jsonData()
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// 503 with `Retry-After`, for a store that cannot take writes right now.
    public static func unavailable(_ message: String, retryAfterSeconds: Int) -> APIError {
        APIError(.serviceUnavailable, message, headers: [.retryAfter: String(retryAfterSeconds)])
    }
}

/// Thrown by an `EventIngesting` implementation when the store cannot take events right now (answered 503).
public struct IngestUnavailable: Error, Sendable {
    public var message: String
    public var retryAfterSeconds: Int
    public init(_ message: String, retryAfterSeconds: Int = 2) {
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// Thrown by an `EventIngesting` implementation when the store refuses the events themselves (PostgreSQL rejected
/// their data). Answered 422: the request can never succeed as sent, so the sender must not retry it. Other
/// requests committed at the same time are not affected.
public struct IngestRejected: Error, Sendable {
    public var message: String
    public init(_ message: String) {
        self.message = message
    }
}
