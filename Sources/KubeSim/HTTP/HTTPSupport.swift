import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PacerCore

/// Decoded query parameters (`+` is a space, percent-escapes decoded, last value wins).
struct QueryParameters: Sendable {
    private var values: [String: String] = [:]

    init(_ query: String?) {
        guard let query else { return }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            values[key] = parts.count > 1 ? Self.decode(parts[1]) : ""
        }
    }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    subscript(_ key: String) -> String? { values[key] }

    func bool(_ key: String) -> Bool {
        guard let value = values[key] else { return false }
        return value == "1" || value.lowercased() == "true"
    }

    func int(_ key: String) -> Int? { values[key].flatMap { Int($0) } }
}

/// What the client asked to receive (from its `Accept` header).
enum OutputFormat: Sendable, Equatable {
    case json
    /// `application/json;as=Table;g=meta.k8s.io;v=v1` (or v1beta1).
    case table(apiVersion: String)
    /// `application/json;as=PartialObjectMetadata[List];g=meta.k8s.io;v=v1`.
    case partialMetadata

    /// Picks the first supported alternative; nil when none is (406 Not Acceptable).
    static func negotiate(_ accept: String?) -> OutputFormat? {
        guard let accept, !accept.trimmingCharacters(in: .whitespaces).isEmpty else { return .json }
        for alternative in accept.split(separator: ",") {
            let parts = alternative.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let mediaType = parts.first?.lowercased() ?? ""
            var parameters: [String: String] = [:]
            for parameter in parts.dropFirst() {
                let kv = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                if kv.count == 2 { parameters[kv[0].lowercased()] = kv[1] }
            }
            guard ["application/json", "*/*", "application/*", "application/yaml"].contains(mediaType) else { continue }
            guard let asKind = parameters["as"] else { return .json }
            guard parameters["g"] == "meta.k8s.io" else { continue }
            let version = parameters["v"] ?? "v1"
            switch asKind {
            case "Table" where version == "v1" || version == "v1beta1": return .table(apiVersion: "meta.k8s.io/\(version)")
            case "PartialObjectMetadata", "PartialObjectMetadataList": return .partialMetadata
            default: continue
            }
        }
        return nil
    }
}

/// Response builders.
enum Responses {
    static func json(_ status: Int, _ bytes: [UInt8], headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ status: Int, _ value: JSONValue, headers: HTTPFields = [:]) -> Response {
        json(status, value.jsonBytes(), headers: headers)
    }

    static func error(_ error: APIError) -> Response {
        var headers: HTTPFields = [:]
        if let seconds = error.retryAfterSeconds { headers[.retryAfter] = String(seconds) }
        return json(error.code, error.status, headers: headers)
    }

    /// `Warning: 299 - "text"` headers (one per warning).
    static func warningHeaders(_ warnings: [String]) -> HTTPFields {
        var fields: HTTPFields = [:]
        guard let name = HTTPField.Name("Warning") else { return fields }
        for warning in warnings {
            let escaped = warning.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            fields.append(HTTPField(name: name, value: "299 - \"\(escaped)\""))
        }
        return fields
    }
}
