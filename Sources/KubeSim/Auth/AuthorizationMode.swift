/// How kube-sim authorizes requests (the apiserver's `--authorization-mode`).
public enum AuthorizationMode: String, Sendable, CaseIterable {
    /// Every authenticated (or anonymous) request is allowed: the default, as before RBAC existed here.
    case alwaysAllow = "AlwaysAllow"
    /// RBAC over the stored Roles/ClusterRoles/bindings, with the bootstrap policy created at start.
    case rbac = "RBAC"
}

/// Authorization of one request under a mode, against the store.
struct Authorizer: Sendable {
    let mode: AuthorizationMode
    let store: ObjectStore

    func authorize(_ request: RequestAttributes) -> RBACAuthorizer.Decision {
        switch mode {
        case .alwaysAllow: return RBACAuthorizer.Decision(allowed: true, reason: "")
        case .rbac: return store.read { RBACAuthorizer.authorize(request, in: $0) }
        }
    }
}
