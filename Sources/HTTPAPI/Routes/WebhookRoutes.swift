import EventModel
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PacerCore

/// `POST /webhooks/{provider}` and `POST /webhooks/generic/{name}`: the tools' own webhooks (GitHub, GitLab,
/// Alertmanager, PagerDuty, Argo CD notifications, Flux notification-controller, a generic JSON sender), verified
/// as each tool documents, turned into CloudEvents and stored through the same group commit as `/events`.
///
/// Answers, in this order: 404 for an unknown provider or a receiver that is off (no secret file); 429 when the
/// ingest paths' bytes in flight are at their bound; 413 above the body limit; 401 for a missing or wrong signature or token (nothing is stored); 400 for a body that is not a
/// JSON object or lacks what the provider always sends (naming the header or field); 429 above the per-sender
/// event rate (the sender is the receiver); then as `/events`: 202 once committed (a redelivery stores nothing new),
/// 422, 503.
public struct WebhookRoutes<Context: RequestContext>: Sendable {
    let ingester: any EventIngesting
    let secrets: WebhookSecrets?
    let maxBodyBytes: Int
    /// The ingest paths' admission: bytes in flight, and the rate per sender (here: per receiver, `webhook:<name>`).
    let admission: IngestAdmission

    public init(
        ingester: any EventIngesting, secrets: WebhookSecrets?, maxBodyBytes: Int,
        admission: IngestAdmission = IngestAdmission(limits: .unlimitedRate)
    ) {
        self.ingester = ingester
        self.secrets = secrets
        self.maxBodyBytes = maxBodyBytes
        self.admission = admission
    }

    public func register(on router: some RouterMethods<Context>) {
        router.post("/webhooks/generic/:name") { request, context in
            try await self.receive(request, context: context, provider: "generic", name: context.parameters.get("name"))
        }
        router.post("/webhooks/:provider") { request, context in
            try await self.receive(request, context: context, provider: context.parameters.get("provider") ?? "", name: nil)
        }
    }

    func receive(_ request: Request, context: Context, provider name: String, name generic: String?) async throws -> Response {
        guard let provider = WebhookProvider(rawValue: name) else {
            throw APIError(
                .notFound, "no webhook receiver \"\(name)\": use one of \(WebhookProvider.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if provider == .generic {
            guard let generic, Self.isGenericName(generic) else {
                throw APIError(.notFound, "the generic receiver is POST /webhooks/generic/{name}, name of lower-case letters, digits and '-' (at most 63)")
            }
        }
        let receiver = provider == .generic ? "generic-\(generic ?? "")" : provider.rawValue
        guard let secrets, let keys = secrets.secrets(for: receiver) else {
            let location = secrets.map { "file \($0.path(for: receiver))" } ?? "--webhook-secrets-dir is not set"
            throw APIError(.notFound, "the \(receiver) webhook receiver is off: no secret is configured (\(location))")
        }
        let declared = request.headers[.contentLength].flatMap(Int.init) ?? maxBodyBytes
        let reservation = try admission.reserve(bytes: min(max(declared, 0), maxBodyBytes))
        defer { reservation.release() }
        let buffer = try await IngestRoutes<Context>.collectBody(request, limit: maxBodyBytes)
        let body = Array(buffer.readableBytesView)
        let header: (String) -> String? = { name in HTTPField.Name(name).flatMap { request.headers[$0] } }
        try Self.verify(provider, header: header, body: body, secrets: keys, receiver: receiver, logger: context.logger)

        let json: JSONValue
        do {
            json = try JSONValue.parse(body)
        } catch {
            throw APIError(.badRequest, "the body is not JSON: \(error)")
        }
        let events: [CloudEvent]
        do {
            events = try provider.cloudEvents(WebhookDelivery(header: header, body: body, receivedAt: Date()), json: json, name: generic)
        } catch {
            throw APIError(.badRequest, "\(receiver) webhook: \(error.message)", attribute: error.attribute)
        }
        for (index, event) in events.enumerated() {
            do {
                try event.validate()
            } catch {
                throw APIError(.badRequest, "\(receiver) webhook: event \(index): \(error.description)", attribute: error.attribute)
            }
        }
        try admission.charge(["webhook:\(receiver)": events.count])
        let result = try await IngestRoutes<Context>.commit(events, to: ingester, logger: context.logger)
        return IngestRoutes<Context>.accepted(result)
    }

    static func verify(
        _ provider: WebhookProvider, header: (String) -> String?, body: [UInt8], secrets: [[UInt8]], receiver: String, logger: Logger
    ) throws {
        let (valid, what): (Bool, String) =
            switch provider.verification {
            case .gitHubSignature:
                (WebhookSignature.gitHub(header: header("x-hub-signature-256"), body: body, secrets: secrets),
                 "X-Hub-Signature-256 (sha256=<HMAC-SHA256 of the body with the webhook secret>)")
            case .pagerDutySignature:
                (WebhookSignature.pagerDuty(header: header("x-pagerduty-signature"), body: body, secrets: secrets),
                 "X-PagerDuty-Signature (v1=<HMAC-SHA256 of the body with the subscription secret>)")
            case .gitLabToken:
                (WebhookSignature.token(header("x-gitlab-token"), secrets: secrets), "X-Gitlab-Token (the webhook's secret token)")
            case .bearer:
                (WebhookSignature.token(WebhookSignature.bearer(header("authorization")), secrets: secrets), "Authorization: Bearer <token>")
            }
        guard valid else {
            logger.notice("webhook delivery refused: missing or invalid signature", metadata: ["receiver": "\(receiver)"])
            var headers: HTTPFields = [:]
            if provider.verification == .bearer { headers[.wwwAuthenticate] = "Bearer" }
            throw APIError(.unauthorized, "\(receiver) webhook: missing or invalid \(what); nothing was stored", headers: headers)
        }
    }

    static func isGenericName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 63
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }
    }
}
