import EventModel
import Foundation
import PacerCore

/// The tools whose own webhooks Pacer receives on `POST /webhooks/{provider}` (docs/sources.md).
public enum WebhookProvider: String, CaseIterable, Sendable {
    case github, gitlab, alertmanager, pagerduty, argocd, flux, generic

    /// How a delivery proves it comes from the tool.
    enum Verification {
        /// GitHub `X-Hub-Signature-256`.
        case gitHubSignature
        /// PagerDuty v3 `X-PagerDuty-Signature`.
        case pagerDutySignature
        /// GitLab `X-Gitlab-Token`.
        case gitLabToken
        /// `Authorization: Bearer <token>` (Alertmanager, Argo CD, Flux, generic).
        case bearer
    }

    var verification: Verification {
        switch self {
        case .github: .gitHubSignature
        case .pagerduty: .pagerDutySignature
        case .gitlab: .gitLabToken
        case .alertmanager, .argocd, .flux, .generic: .bearer
        }
    }
}

/// One received delivery: the headers (by lower-case name), the raw body and the time it arrived.
struct WebhookDelivery {
    var header: (String) -> String?
    var body: [UInt8]
    var receivedAt: Date

    var receivedTime: String { RFC3339.format(receivedAt) }

    /// The delivery id the tool gives (the first of `names` that is present), or the SHA-256 of the body, so a
    /// redelivery of the same bytes is the same event.
    func deliveryId(headers names: [String]) -> String {
        for name in names {
            if let value = header(name)?.trimmingCharacters(in: .whitespaces), !value.isEmpty { return value }
        }
        return "sha256:" + WebhookSignature.sha256Hex(body)
    }
}

/// Why a delivery is refused (400): the message names the header or field.
struct WebhookRefusal: Error {
    var message: String
    var attribute: String?
    init(_ message: String, attribute: String? = nil) {
        self.message = message
        self.attribute = attribute
    }
}

extension WebhookProvider {
    /// The CloudEvents a delivery becomes (docs/sources.md has the table). Pure: no I/O.
    func cloudEvents(_ delivery: WebhookDelivery, json: JSONValue, name: String?) throws(WebhookRefusal) -> [CloudEvent] {
        guard case .object(let body) = json else {
            throw WebhookRefusal("the body must be a JSON object, got \(json.typeName)")
        }
        switch self {
        case .github: return [try Self.gitHub(delivery, body: body)]
        case .gitlab: return [try Self.gitLab(delivery, body: body)]
        case .alertmanager: return try Self.alertmanager(delivery, body: body)
        case .pagerduty: return [try Self.pagerDuty(delivery, body: body)]
        case .argocd:
            return [
                CloudEvent(
                    id: delivery.deliveryId(headers: ["idempotency-key"]), source: "/webhooks/argocd",
                    type: "dev.pacer.argocd.notification", datacontenttype: "application/json",
                    subject: body["app"]?.stringValue, time: delivery.receivedTime, data: .json(json))
            ]
        case .flux:
            let time = body["timestamp"]?.stringValue.flatMap { RFC3339.parse($0) != nil ? $0 : nil } ?? delivery.receivedTime
            let involved = body["involvedObject"]?.objectValue
            let subject = [involved?["kind"]?.stringValue, involved?["namespace"]?.stringValue, involved?["name"]?.stringValue]
                .compactMap { $0 }.joined(separator: "/")
            return [
                CloudEvent(
                    id: delivery.deliveryId(headers: ["idempotency-key"]), source: "/webhooks/flux", type: "dev.pacer.flux.event",
                    datacontenttype: "application/json", subject: subject.isEmpty ? nil : subject, time: time, data: .json(json))
            ]
        case .generic:
            let name = name ?? "generic"
            return [
                CloudEvent(
                    id: delivery.deliveryId(headers: ["idempotency-key", "x-request-id"]), source: "/webhooks/generic/\(name)",
                    type: "dev.pacer.webhook.\(name)", datacontenttype: "application/json", time: delivery.receivedTime,
                    data: .json(json))
            ]
        }
    }

    /// GitHub: type `dev.knative.source.github.<X-GitHub-Event>` (as Knative's GitHubSource), id
    /// `X-GitHub-Delivery`, source the repository's (or organisation's) HTML URL.
    private static func gitHub(_ delivery: WebhookDelivery, body: [String: JSONValue]) throws(WebhookRefusal) -> CloudEvent {
        guard let event = delivery.header("x-github-event"), Self.isEventName(event) else {
            throw WebhookRefusal("missing or invalid X-GitHub-Event header (the event name, e.g. push)", attribute: "X-GitHub-Event")
        }
        guard let id = delivery.header("x-github-delivery"), !id.isEmpty else {
            throw WebhookRefusal("missing X-GitHub-Delivery header (the delivery GUID)", attribute: "X-GitHub-Delivery")
        }
        let source = body["repository"]?["html_url"]?.stringValue ?? body["organization"]?["url"]?.stringValue ?? "https://github.com"
        var subject: String?
        if event == "push" { subject = body["ref"]?.stringValue }
        return CloudEvent(
            id: id, source: source, type: "dev.knative.source.github.\(event)", datacontenttype: "application/json",
            subject: subject, time: delivery.receivedTime, data: .json(.object(body)))
    }

    /// GitLab: type `dev.knative.sources.gitlab.<object_kind>` (as Knative's GitLabSource), id the
    /// `Idempotency-Key` (the same on retries) or `X-Gitlab-Event-UUID`, source the project's web URL.
    private static func gitLab(_ delivery: WebhookDelivery, body: [String: JSONValue]) throws(WebhookRefusal) -> CloudEvent {
        guard let kind = body["object_kind"]?.stringValue ?? delivery.header("x-gitlab-event").map(Self.gitLabKind), Self.isEventName(kind) else {
            throw WebhookRefusal("missing object_kind in the body and no X-Gitlab-Event header", attribute: "object_kind")
        }
        let id = delivery.deliveryId(headers: ["idempotency-key", "x-gitlab-event-uuid"])
        let source = body["project"]?["web_url"]?.stringValue ?? body["repository"]?["homepage"]?.stringValue ?? "/webhooks/gitlab"
        return CloudEvent(
            id: id, source: source, type: "dev.knative.sources.gitlab.\(kind)", datacontenttype: "application/json",
            time: delivery.receivedTime, data: .json(.object(body)))
    }

    /// `Merge Request Hook` → `merge_request`.
    static func gitLabKind(_ header: String) -> String {
        var words = header.lowercased().split(separator: " ").map(String.init)
        if words.last == "hook" { words.removeLast() }
        return words.joined(separator: "_")
    }

    /// PagerDuty v3: type `dev.pacer.pagerduty.<event_type>` (`incident.triggered`), id the event's id, data the
    /// `event` object.
    private static func pagerDuty(_ delivery: WebhookDelivery, body: [String: JSONValue]) throws(WebhookRefusal) -> CloudEvent {
        guard let event = body["event"]?.objectValue else {
            throw WebhookRefusal("a PagerDuty v3 webhook has an \"event\" object", attribute: "event")
        }
        guard let id = event["id"]?.stringValue, !id.isEmpty else { throw WebhookRefusal("event.id is missing", attribute: "event.id") }
        guard let eventType = event["event_type"]?.stringValue, Self.isEventName(eventType) else {
            throw WebhookRefusal("event.event_type is missing or invalid", attribute: "event.event_type")
        }
        let time = event["occurred_at"]?.stringValue.flatMap { RFC3339.parse($0) != nil ? $0 : nil } ?? delivery.receivedTime
        let source = event["data"]?["service"]?["html_url"]?.stringValue ?? "https://pagerduty.com"
        return CloudEvent(
            id: id, source: source, type: "dev.pacer.pagerduty.\(eventType)", datacontenttype: "application/json",
            subject: event["data"]?["id"]?.stringValue, time: time, data: .json(.object(event)))
    }

    /// Alertmanager (webhook payload version 4): one CloudEvent per alert, type
    /// `dev.pacer.alertmanager.alert.firing|resolved`, id `<fingerprint>:<status>:<startsAt>:<hash of groupKey>` (a
    /// repeated notification of the same state is the same event; a new firing has a new `startsAt`), time the
    /// alert's `startsAt` (firing) or `endsAt` (resolved), data the alert plus `groupKey`, `receiver`, `externalURL`.
    private static func alertmanager(_ delivery: WebhookDelivery, body: [String: JSONValue]) throws(WebhookRefusal) -> [CloudEvent] {
        guard let alerts = body["alerts"]?.arrayValue else {
            throw WebhookRefusal("an Alertmanager webhook has an \"alerts\" list", attribute: "alerts")
        }
        let groupKey = body["groupKey"]?.stringValue ?? ""
        let groupHash = String(WebhookSignature.sha256Hex(Array(groupKey.utf8)).prefix(16))
        let source = body["externalURL"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "/webhooks/alertmanager"
        var events: [CloudEvent] = []
        for (index, value) in alerts.enumerated() {
            guard case .object(var alert) = value else {
                throw WebhookRefusal("alerts[\(index)] must be an object", attribute: "alerts[\(index)]")
            }
            guard let fingerprint = alert["fingerprint"]?.stringValue, !fingerprint.isEmpty,
                let status = alert["status"]?.stringValue, status == "firing" || status == "resolved",
                let startsAt = alert["startsAt"]?.stringValue, RFC3339.parse(startsAt) != nil
            else {
                throw WebhookRefusal("alerts[\(index)] needs fingerprint, status (firing or resolved) and an RFC 3339 startsAt", attribute: "alerts[\(index)]")
            }
            var time = startsAt
            if status == "resolved" {
                guard let endsAt = alert["endsAt"]?.stringValue, RFC3339.parse(endsAt) != nil else {
                    throw WebhookRefusal("alerts[\(index)] is resolved but has no RFC 3339 endsAt", attribute: "alerts[\(index)].endsAt")
                }
                time = endsAt
            }
            alert["groupKey"] = .string(groupKey)
            alert["receiver"] = body["receiver"] ?? .null
            alert["externalURL"] = body["externalURL"] ?? .null
            events.append(
                CloudEvent(
                    id: "\(fingerprint):\(status):\(startsAt):\(groupHash)", source: source, type: "dev.pacer.alertmanager.alert.\(status)",
                    datacontenttype: "application/json", subject: fingerprint, time: time, data: .json(.object(alert))))
        }
        return events
    }

    /// Event names become part of a CloudEvents type: lower-case letters, digits, `_` and `.` only.
    static func isEventName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 100
            && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 || $0 == 46 }
    }
}
