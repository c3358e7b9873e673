import Foundation
import PacerCore

/// The create-only review APIs and TokenRequest, answered from the same authenticator and authorizer as every
/// request: `authentication.k8s.io/v1` TokenReview, `authorization.k8s.io/v1` SubjectAccessReview,
/// SelfSubjectAccessReview (what `kubectl auth can-i` sends) and LocalSubjectAccessReview, and
/// `POST /api/v1/namespaces/NS/serviceaccounts/NAME/token`.
struct ReviewHandler: Sendable {
    let store: ObjectStore
    let authenticator: Authenticator
    let authorizer: Authorizer

    static let authenticationGroup = "authentication.k8s.io"
    static let authorizationGroup = "authorization.k8s.io"

    /// Whether this path is one of ours (answered here rather than by the generic resource handler).
    static func handles(_ path: APIPath.ResourcePath) -> Bool {
        if path.group.isEmpty, path.resource == "serviceaccounts", path.subresource == "token" { return true }
        return ReviewTypes.all.contains { $0.group == path.group && $0.plural == path.resource }
    }

    func handle(method: String, path: APIPath.ResourcePath, body: JSONValue, user: UserInfo) throws -> (Int, JSONValue) {
        guard method == "POST" else { throw APIError.methodNotAllowed(method) }
        guard path.version == "v1" else { throw APIError.resourceNotFound() }
        switch (path.group, path.resource) {
        case ("", "serviceaccounts"):
            guard let namespace = path.namespace, let name = path.name else { throw APIError.resourceNotFound() }
            return (201, try tokenRequest(namespace: namespace, name: name, body: body))
        case (Self.authenticationGroup, "tokenreviews") where path.namespace == nil && path.name == nil:
            return (201, tokenReview(body))
        case (Self.authorizationGroup, "subjectaccessreviews") where path.namespace == nil && path.name == nil:
            let subject = UserInfo(
                name: body["spec"]?["user"]?.stringValue ?? "", uid: body["spec"]?["uid"]?.stringValue ?? "",
                groups: body["spec"]?["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            guard !subject.name.isEmpty || !subject.groups.isEmpty else {
                throw invalid("SubjectAccessReview", "spec.user", "at least one of user or group must be specified")
            }
            return (201, try accessReview(body, kind: "SubjectAccessReview", user: subject, namespace: nil))
        case (Self.authorizationGroup, "selfsubjectaccessreviews") where path.namespace == nil && path.name == nil:
            return (201, try accessReview(body, kind: "SelfSubjectAccessReview", user: user, namespace: nil))
        case (Self.authorizationGroup, "localsubjectaccessreviews") where path.namespace != nil && path.name == nil:
            let subject = UserInfo(name: body["spec"]?["user"]?.stringValue ?? "", groups: body["spec"]?["groups"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            return (201, try accessReview(body, kind: "LocalSubjectAccessReview", user: subject, namespace: path.namespace))
        default:
            throw APIError.resourceNotFound()
        }
    }

    // MARK: TokenRequest

    private func tokenRequest(namespace: String, name: String, body: JSONValue) throws -> JSONValue {
        guard let account = store.read({ $0.stored(ServiceAccounts.key, namespace: namespace, name: name) })?.value else {
            throw APIError.notFound(ServiceAccounts.key, name)
        }
        let seconds = body["spec"]?["expirationSeconds"]?.intValue ?? 3600
        guard seconds >= 600 else {
            throw invalid("TokenRequest", "spec.expirationSeconds", "may not specify a duration less than 10 minutes", value: .int(seconds), name: name)
        }
        let requested = body["spec"]?["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let audiences = requested.isEmpty ? [Authenticator.defaultAudience] : requested
        let expires = Date().addingTimeInterval(TimeInterval(seconds))
        let uid = account["metadata"]?["uid"]?.stringValue ?? ""
        let token = authenticator.issue(namespace: namespace, name: name, uid: uid, expires: expires, audiences: audiences)
        return [
            "kind": "TokenRequest", "apiVersion": "authentication.k8s.io/v1",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "creationTimestamp": .null],
            "spec": [
                "audiences": .array(audiences.map(JSONValue.string)), "expirationSeconds": .int(seconds),
                "boundObjectRef": body["spec"]?["boundObjectRef"] ?? .null,
            ],
            "status": ["token": .string(token), "expirationTimestamp": .string(RFC3339.format(expires, fractionalDigits: 0))],
        ]
    }

    // MARK: Reviews

    private func tokenReview(_ body: JSONValue) -> JSONValue {
        var review = echo(body, kind: "TokenReview", group: Self.authenticationGroup)
        let token = body["spec"]?["token"]?.stringValue ?? ""
        switch authenticator.authenticate(token: token, store: store) {
        case .user(let user, let audiences):
            let wanted = body["spec"]?["audiences"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let accepted = wanted.isEmpty ? audiences : wanted.filter(audiences.contains)
            if !wanted.isEmpty, accepted.isEmpty {
                review["status"] = ["authenticated": false, "user": [:], "error": "token audiences do not match the requested audiences"]
            } else {
                review["status"] = ["authenticated": true, "user": user.json, "audiences": .array(accepted.map(JSONValue.string))]
            }
        case .invalid(let message):
            review["status"] = ["authenticated": false, "user": [:], "error": .string(message)]
        case .none:
            review["status"] = ["authenticated": false, "user": [:], "error": "no token"]
        }
        return review
    }

    private func accessReview(_ body: JSONValue, kind: String, user: UserInfo, namespace: String?) throws -> JSONValue {
        let spec = body["spec"] ?? [:]
        var attributes: RequestAttributes
        if let resource = spec["resourceAttributes"], resource.objectValue != nil {
            func field(_ key: String) -> String { resource[key]?.stringValue ?? "" }
            attributes = RequestAttributes(
                user: user, verb: field("verb"), isResourceRequest: true, group: field("group"), version: field("version"),
                resource: field("resource"), subresource: field("subresource"), namespace: field("namespace"), name: field("name"))
            if let namespace {
                guard attributes.namespace == namespace else {
                    throw invalid(kind, "spec.resourceAttributes.namespace", "must match metadata.namespace", value: .string(attributes.namespace))
                }
            }
        } else if let nonResource = spec["nonResourceAttributes"], nonResource.objectValue != nil {
            attributes = RequestAttributes(
                user: user, verb: nonResource["verb"]?.stringValue ?? "", isResourceRequest: false, path: nonResource["path"]?.stringValue ?? "")
        } else {
            throw invalid(kind, "spec.resourceAttributes", "exactly one of nonResourceAttributes or resourceAttributes must be specified")
        }
        let decision = authorizer.authorize(attributes)
        var review = echo(body, kind: kind, group: Self.authorizationGroup)
        var status: [String: JSONValue] = ["allowed": .bool(decision.allowed)]
        if !decision.reason.isEmpty { status["reason"] = .string(decision.reason) }
        review["status"] = .object(status)
        return review
    }

    /// The request object returned with its kind/apiVersion set (reviews are not stored).
    private func echo(_ body: JSONValue, kind: String, group: String) -> JSONValue {
        var object = body.objectValue != nil ? body : [:]
        object["kind"] = .string(kind)
        object["apiVersion"] = .string("\(group)/v1")
        var metadata = object["metadata"] ?? [:]
        if metadata["creationTimestamp"] == nil { metadata["creationTimestamp"] = .null }
        object["metadata"] = metadata
        return object
    }

    private func invalid(_ kind: String, _ field: String, _ why: String, value: JSONValue = .string(""), name: String = "") -> APIError {
        let group = kind == "TokenRequest" || kind == "TokenReview" ? Self.authenticationGroup : Self.authorizationGroup
        let error = FieldError.invalid(field, value, why)
        return APIError(
            code: 422, reason: "Invalid", message: "\(kind).\(group) \"\(name)\" is invalid: \(error.text)", name: name, group: group, kind: kind,
            causes: [error.cause])
    }
}
