import AsyncHTTPClient
import Controllers
import EventModel
import Foundation
import HTTPAPI
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import PacerCore

/// Where an agent (`pacer run --forward-to URL`) sends its sources' CloudEvents: a central Pacer's ingest endpoint.
public struct ForwardTarget: Sendable, Hashable {
    /// The central ingest URL, e.g. `https://pacer.hub.example/events`.
    public var url: String
    /// A file holding the bearer token (one of the central Pacer's `--ingest-token-file` tokens); read again for
    /// every request, so a rotated Secret takes effect without a restart. Nil: no Authorization header.
    public var tokenFile: String?
    /// One request's timeout.
    public var timeout: Duration = .seconds(30)

    public init(url: String, tokenFile: String? = nil) {
        self.url = url
        self.tokenFile = tokenFile
    }
}

/// The reason a forward failed and is retried.
public struct ForwardingError: Error, CustomStringConvertible {
    public var description: String
}

/// Sends batches of CloudEvents (`application/cloudevents-batch+json`) to a central Pacer's ingest.
///
/// - 2xx: stored (or already stored: ingest dedupes on `(source, id)`, and the sources' ids are deterministic, so
///   resending after a timeout is harmless).
/// - 400, 413, 415 (the central Pacer refuses the body; a batch is all-or-nothing there): a batch of several is sent
///   again one event at a time, so only the event refused alone is dropped, logged with the answer and counted in
///   `pacer_forward_events_refused_total`. Retrying it could never succeed.
/// - Anything else (401/403 with a wrong token, 429, 5xx, a connection refused, a timeout): thrown, so the
///   ``EventForwarder`` keeps the batch and retries it with backoff; its bounded buffer drops the oldest events when
///   full (`pacer_deployment_source_events_dropped_total`).
final class HTTPForwardingSink: CloudEventSink {
    let target: ForwardTarget
    let http: HTTPClient
    let logger: Logger
    private let sent = Counter(label: "pacer_forward_events_total")
    private let refused = Counter(label: "pacer_forward_events_refused_total")
    private let failures = Counter(label: "pacer_forward_failures_total")

    init(target: ForwardTarget, http: HTTPClient, logger: Logger) {
        self.target = target
        self.http = http
        self.logger = logger
    }

    func ingest(cloudEvents: [CloudEvent]) async throws {
        guard !cloudEvents.isEmpty else { return }
        let (status, answer) = try await post(cloudEvents)
        switch status {
        case 200..<300:
            sent.increment(by: cloudEvents.count)
        case 400, 413, 415:
            // (A `where` after several patterns would bind to the last one only: hence the `if`.)
            if cloudEvents.count > 1 {
                logger.warning("central Pacer refused a batch of \(cloudEvents.count) (\(status)): sending its events one at a time")
                for event in cloudEvents { try await ingest(cloudEvents: [event]) }
                return
            }
            refused.increment()
            logger.error(
                "central Pacer refused an event for good; dropped",
                metadata: ["id": "\(cloudEvents[0].id)", "source": "\(cloudEvents[0].source)", "status": "\(status)", "answer": "\(answer)"])
        default:
            failures.increment()
            throw ForwardingError(description: "POST \(target.url): \(status) \(answer)")
        }
    }

    private func post(_ events: [CloudEvent]) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: target.url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/cloudevents-batch+json")
        if let file = target.tokenFile {
            let token = try Self.token(file)
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        request.body = .bytes(ByteBuffer(bytes: JSONValue.array(events.map(\.jsonFormat)).jsonData()))
        do {
            let response = try await http.execute(request, timeout: TimeAmount(target.timeout))
            let body = try await response.body.collect(upTo: 64 << 10)
            return (Int(response.status.code), String(buffer: body).trimmingCharacters(in: .whitespacesAndNewlines))
        } catch {
            failures.increment()
            throw ForwardingError(description: "POST \(target.url): \(error)")
        }
    }

    /// The token file's first token (``TokenFile/tokens(in:)``: blank lines and `#` comments skipped, as the central
    /// Pacer reads its `--ingest-token-file`).
    static func token(_ path: String) throws -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ForwardingError(description: "cannot read the token file \(path): \(error)")
        }
        guard let token = TokenFile.tokens(in: text).first else {
            throw ForwardingError(description: "the token file \(path) holds no token")
        }
        return token
    }
}
