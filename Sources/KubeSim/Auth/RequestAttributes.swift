import Foundation
import HTTPTypes

/// What a request asks to do, as the apiserver's `RequestInfo` / `authorizer.Attributes` classify it:
/// a resource request (verb, API group, resource, subresource, namespace, name) or a non-resource request
/// (path and lowercase HTTP method).
struct RequestAttributes: Sendable, Hashable {
    var user: UserInfo
    var verb: String
    var isResourceRequest: Bool
    var path: String = ""
    var group: String = ""
    var version: String = ""
    var resource: String = ""
    var subresource: String = ""
    var namespace: String = ""
    var name: String = ""

    /// `deployments/status` for a subresource, else `deployments`.
    var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    /// Classifies one HTTP request (k8s.io/apiserver `RequestInfoFactory`): GET is get, or list/watch without a
    /// name (a `metadata.name=X` field selector then names the object); DELETE without a name is deletecollection;
    /// `/api/v1/namespaces/X` has namespace X.
    static func classify(method: HTTPRequest.Method, rawPath: String, apiPath: APIPath, query: QueryParameters, user: UserInfo) -> RequestAttributes {
        guard case .resource(let path) = apiPath else {
            return RequestAttributes(user: user, verb: method.rawValue.lowercased(), isResourceRequest: false, path: rawPath)
        }
        var attributes = RequestAttributes(
            user: user, verb: "", isResourceRequest: true, group: path.group, version: path.version, resource: path.resource,
            subresource: path.subresource ?? "", namespace: path.namespace ?? "", name: path.name ?? "")
        if path.group.isEmpty, path.resource == "namespaces", let name = path.name { attributes.namespace = name }
        switch method {
        case .get, .head:
            attributes.verb = "get"
            if attributes.name.isEmpty {
                attributes.verb = query.bool("watch") ? "watch" : "list"
                if let name = exactName(query["fieldSelector"]) { attributes.name = name }
            }
        case .post: attributes.verb = "create"
        case .put: attributes.verb = "update"
        case .patch: attributes.verb = "patch"
        case .delete: attributes.verb = attributes.name.isEmpty ? "deletecollection" : "delete"
        default: attributes.verb = method.rawValue.lowercased()
        }
        return attributes
    }

    /// The name a field selector requires exactly (`metadata.name=X` or `==`), if any.
    private static func exactName(_ selector: String?) -> String? {
        guard let selector, !selector.isEmpty else { return nil }
        for term in selector.split(separator: ",") {
            for op in ["==", "="] {
                let parts = term.components(separatedBy: op)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == "metadata.name" {
                    let name = parts[1].trimmingCharacters(in: .whitespaces)
                    return name.isEmpty ? nil : name
                }
            }
        }
        return nil
    }

    /// The message of a 403 (k8s.io/apiserver `forbiddenMessage`).
    var forbiddenMessage: String {
        guard isResourceRequest else { return "User \"\(user.name)\" cannot \(verb) path \"\(path)\"" }
        let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
        return "User \"\(user.name)\" cannot \(verb) resource \"\(combinedResource)\" in API group \"\(group)\" \(scope)"
    }
}

extension APIError {
    /// 403 Forbidden as the apiserver writes it (`responsewriters.Forbidden` → `errors.NewForbidden`):
    /// `deployments.apps "x" is forbidden: User "u" cannot get resource "deployments" in API group "apps" in the namespace "ns"`.
    static func forbidden(_ attributes: RequestAttributes, reason: String = "") -> APIError {
        let detail = reason.isEmpty ? attributes.forbiddenMessage : "\(attributes.forbiddenMessage): \(reason)"
        guard attributes.isResourceRequest else {
            return APIError(code: 403, reason: "Forbidden", message: "forbidden: \(detail)")
        }
        let qualified = TypeKey(group: attributes.group, resource: attributes.resource).description
        let message = attributes.name.isEmpty ? "\(qualified) is forbidden: \(detail)" : "\(qualified) \"\(attributes.name)\" is forbidden: \(detail)"
        return APIError(
            code: 403, reason: "Forbidden", message: message, name: attributes.name.isEmpty ? nil : attributes.name,
            group: attributes.group.isEmpty ? nil : attributes.group, kind: attributes.resource)
    }
}
