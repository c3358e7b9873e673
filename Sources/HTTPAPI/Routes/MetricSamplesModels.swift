import Foundation
import HTTPTypes
import PacerCore

/// Which samples of a definition to list (`GET /api/v1/metrics/{namespace}/{name}/samples`).
public struct MetricSamplesQuery: Sendable, Hashable {
    public var namespace: String
    public var name: String
    /// With ``start``: the samples of that stored bucket; nil: the samples of the headline.
    public var bucket: MetricBucket?
    /// The bucket's start (UTC) and the next bucket's start.
    public var start: Date?
    public var end: Date?
    /// `''`: the ungrouped series; else a group key such as `app=checkout`.
    public var group: String
    public var limit: Int
    public var after: MetricSampleToken?

    public init(
        namespace: String, name: String, bucket: MetricBucket? = nil, start: Date? = nil, end: Date? = nil, group: String = "", limit: Int = 100,
        after: MetricSampleToken? = nil
    ) {
        self.namespace = namespace
        self.name = name
        self.bucket = bucket
        self.start = start
        self.end = end
        self.group = group
        self.limit = limit
        self.after = after
    }
}

/// The paging position of a samples listing: the last item's time (microseconds) and key, sent as an opaque
/// `continue` token (base64url of `<micros>:<key>`).
public struct MetricSampleToken: Sendable, Hashable {
    public var micros: Int64
    public var key: String

    public init(micros: Int64, key: String) {
        self.micros = micros
        self.key = key
    }

    public var text: String {
        Data("\(micros):\(key)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Nil when `text` is not a token this server wrote.
    public init?(text: String) {
        guard !text.isEmpty, text.count <= 4096 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":"), let micros = Int64(decoded[..<colon])
        else { return nil }
        self.micros = micros
        self.key = String(decoded[decoded.index(after: colon)...])
    }
}

/// One page of samples.
public struct MetricSamplesPage: Sendable {
    public var metric: String
    public var unit: String
    /// The range listed: a bucket's start and end, or the headline's window (`to` = when it was computed).
    public var from: Date
    public var to: Date
    /// One JSON object per sample (docs/http-api.md).
    public var items: [JSONValue]
    /// Samples in the whole range and group.
    public var total: Int64
    public var next: MetricSampleToken?

    public init(metric: String, unit: String, from: Date, to: Date, items: [JSONValue], total: Int64, next: MetricSampleToken?) {
        self.metric = metric
        self.unit = unit
        self.from = from
        self.to = to
        self.items = items
        self.total = total
        self.next = next
    }
}

/// Thrown by a ``MetricsReading`` implementation when samples cannot be listed: a bad `group` (400), or a
/// definition known only to the read model or whose spec does not compile (409).
public struct MetricSamplesRefused: Error, Sendable {
    public enum Kind: Sendable {
        /// A query parameter is wrong (answered 400; `attribute` names it).
        case badQuery
        /// The definition's samples cannot be listed (answered 409).
        case notListable
    }
    public var kind: Kind
    public var message: String
    public var attribute: String?

    public var status: HTTPResponse.Status { kind == .badQuery ? .badRequest : .conflict }

    public init(_ kind: Kind, _ message: String, attribute: String? = nil) {
        self.kind = kind
        self.message = message
        self.attribute = attribute
    }
}
