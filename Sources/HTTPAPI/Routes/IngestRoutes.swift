import EventModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PacerCore

/// `POST /events` and `POST /` (a Knative-style sink): CloudEvents in binary, structured or batched mode.
///
/// Answers 202 once every event of the request is durably committed (redeliveries included, which store nothing
/// new); 400 naming the attribute for an invalid event (a batch is all-or-nothing); 401 without a valid token when
/// authentication is on; 413 above the body limit; 415 for a content type that carries no CloudEvent; 422 when
/// PostgreSQL refused the request's events (never retried; other requests are not affected); 503 with Retry-After
/// only when the store cannot commit; 429 with Retry-After when the sender is over its rate or ingest is at its
/// in-flight bound (`IngestAdmission`: nothing of the request is stored).
public struct IngestRoutes<Context: RequestContext>: Sendable {
    let ingester: any EventIngesting
    let maxBodyBytes: Int
    let admission: IngestAdmission
    /// Senders are told apart by their bearer token when ingest requires one, else by each event's `source`.
    let sendersByToken: Bool

    public init(ingester: any EventIngesting, maxBodyBytes: Int, admission: IngestAdmission = IngestAdmission(limits: .unlimitedRate), sendersByToken: Bool = false) {
        self.ingester = ingester
        self.maxBodyBytes = maxBodyBytes
        self.admission = admission
        self.sendersByToken = sendersByToken
    }

    public func register(on router: some RouterMethods<Context>) {
        router.post("/events") { request, context in try await self.receive(request, context: context) }
        router.post("/") { request, context in try await self.receive(request, context: context) }
        router.post("/cdevents") { request, context in try await self.receiveCDEvents(request, context: context) }
    }

    /// `POST /cdevents`: CloudEvents (binary, structured or batched) whose data is a CDEvent (spec 0.3–0.5),
    /// validated against the CDEvents type registry and stored normalised to v0.5.1 in `cdevents_raw`.
    func receiveCDEvents(_ request: Request, context: Context) async throws -> Response {
        let reservation = try reserve(request)
        defer { reservation.release() }
        let body = try await Self.collectBody(request, limit: maxBodyBytes)
        let cloudEvents = try Self.decodeEvents(request: request, body: body)
        var cdEvents: [CDEvent] = []
        cdEvents.reserveCapacity(cloudEvents.count)
        for (index, cloudEvent) in cloudEvents.enumerated() {
            let position = cloudEvents.count > 1 ? index : nil
            guard cloudEvent.type.hasPrefix("dev.cdevents.") || cloudEvent.type.hasPrefix("dev.cdeventsx.") else {
                throw APIError(
                    .badRequest, "\(position.map { "event [\($0)]: " } ?? "")type: \"\(cloudEvent.type)\" is not a CDEvents type (dev.cdevents.<subject>.<predicate>.<version>); send other CloudEvents to /events",
                    attribute: "type", index: position)
            }
            do {
                cdEvents.append(try CDEvent(cloudEvent: cloudEvent).normalized())
            } catch {
                throw APIError(.badRequest, "\(position.map { "event [\($0)]: " } ?? "")\(error.description)", attribute: error.path, index: position)
            }
        }
        guard !cdEvents.isEmpty else { return Self.accepted(IngestResult(stored: 0, duplicates: 0)) }
        try admission.charge(senders(of: cloudEvents, request))
        do {
            return Self.accepted(try await ingester.ingest(cdEvents: cdEvents))
        } catch let unavailable as IngestUnavailable {
            throw APIError.unavailable(unavailable.message, retryAfterSeconds: unavailable.retryAfterSeconds)
        } catch let rejected as IngestRejected {
            throw APIError(.unprocessableContent, rejected.message)
        }
    }

    func receive(_ request: Request, context: Context) async throws -> Response {
        let reservation = try reserve(request)
        defer { reservation.release() }
        let body = try await Self.collectBody(request, limit: maxBodyBytes)
        let events = try Self.decodeEvents(request: request, body: body)
        try admission.charge(senders(of: events, request))
        let result = try await Self.commit(events, to: ingester, logger: context.logger)
        return Self.accepted(result)
    }

    /// Holds the request's share of the in-flight bound (its Content-Length, or the body limit when it is not
    /// sent) until it is answered.
    func reserve(_ request: Request) throws -> IngestAdmission.Reservation {
        let declared = request.headers[.contentLength].flatMap(Int.init) ?? maxBodyBytes
        return try admission.reserve(bytes: min(max(declared, 0), maxBodyBytes))
    }

    /// The events of the request per sender, for the rate limit.
    func senders(of events: [CloudEvent], _ request: Request) -> [String: Int] {
        if sendersByToken, let authorization = request.headers[.authorization] {
            return [authorization: events.count]
        }
        var counts: [String: Int] = [:]
        for event in events { counts["source:" + event.source, default: 0] += 1 }
        return counts
    }

    /// Reads the body, answering 413 above the limit (checked against Content-Length first, when sent).
    static func collectBody(_ request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError(.contentTooLarge, "request body of \(length) bytes is over the limit of \(limit) bytes")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, "request body is over the limit of \(limit) bytes")
        }
    }

    static func decodeEvents(request: Request, body: ByteBuffer) throws -> [CloudEvent] {
        let headers = request.headers.map { (name: $0.name.canonicalName, value: $0.value) }
        do {
            return try CloudEventHTTPBinding.decode(headers: headers, body: body.readableBytesView).events
        } catch {
            throw APIError(error)
        }
    }

    static func commit(_ events: [CloudEvent], to ingester: any EventIngesting, logger: Logger) async throws -> IngestResult {
        guard !events.isEmpty else { return IngestResult(stored: 0, duplicates: 0) }
        do {
            return try await ingester.ingest(cloudEvents: events)
        } catch let unavailable as IngestUnavailable {
            throw APIError.unavailable(unavailable.message, retryAfterSeconds: unavailable.retryAfterSeconds)
        } catch let rejected as IngestRejected {
            throw APIError(.unprocessableContent, rejected.message)
        }
    }

    static func accepted(_ result: IngestResult) -> Response {
        let body = JSONValue.object(["stored": .int(Int64(result.stored)), "duplicates": .int(Int64(result.duplicates))]).jsonData()
        return Response(status: .accepted, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

extension APIError {
    /// 400 (or 415) for an event Pacer refuses, naming the attribute and, in a batch, the position.
    public init(_ error: CloudEventError) {
        let status: HTTPResponse.Status = error.kind == .unsupportedMediaType ? .unsupportedMediaType : .badRequest
        self.init(status, error.description, attribute: error.attribute, index: error.index)
    }
}
