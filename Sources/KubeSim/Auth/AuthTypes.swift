import PacerCore

/// ServiceAccounts (v1), with the `token` subresource (TokenRequest).
enum ServiceAccounts {
    static let key = TypeKey(group: "", resource: "serviceaccounts")

    static let type = ResourceType(
        group: "", versions: ["v1"], plural: "serviceaccounts", singular: "serviceaccount", kind: "ServiceAccount",
        listKind: "ServiceAccountList", namespaced: true, shortNames: ["sa"], categories: [], hasStatus: false,
        extraSubresources: [.init(name: "token", group: "authentication.k8s.io", version: "v1", kind: "TokenRequest", verbs: ["create"])])
}

/// The stored `rbac.authorization.k8s.io/v1` types.
enum RBACTypes {
    static var all: [ResourceType] {
        [
            type("roles", "role", "Role", namespaced: true),
            type("rolebindings", "rolebinding", "RoleBinding", namespaced: true),
            type("clusterroles", "clusterrole", "ClusterRole", namespaced: false),
            type("clusterrolebindings", "clusterrolebinding", "ClusterRoleBinding", namespaced: false),
        ]
    }

    private static func type(_ plural: String, _ singular: String, _ kind: String, namespaced: Bool) -> ResourceType {
        ResourceType(
            group: RBACAuthorizer.group, versions: ["v1"], plural: plural, singular: singular, kind: kind, listKind: "\(kind)List",
            namespaced: namespaced, shortNames: [], categories: [], hasStatus: false)
    }
}

/// The create-only review types (never stored; `ReviewHandler` answers them).
enum ReviewTypes {
    static var all: [ResourceType] {
        [
            type(ReviewHandler.authenticationGroup, "tokenreviews", "tokenreview", "TokenReview", namespaced: false),
            type(ReviewHandler.authorizationGroup, "subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", namespaced: false),
            type(ReviewHandler.authorizationGroup, "selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", namespaced: false),
            type(ReviewHandler.authorizationGroup, "localsubjectaccessreviews", "localsubjectaccessreview", "LocalSubjectAccessReview", namespaced: true),
        ]
    }

    private static func type(_ group: String, _ plural: String, _ singular: String, _ kind: String, namespaced: Bool) -> ResourceType {
        ResourceType(
            group: group, versions: ["v1"], plural: plural, singular: singular, kind: kind, listKind: "\(kind)List",
            namespaced: namespaced, shortNames: [], categories: [], hasStatus: false, verbs: ["create"])
    }
}
