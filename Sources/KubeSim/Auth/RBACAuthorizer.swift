import PacerCore

/// RBAC authorization (k8s.io/kubernetes `plugin/pkg/auth/authorizer/rbac`) over the Roles, ClusterRoles,
/// RoleBindings and ClusterRoleBindings in the store, evaluated afresh on every request: ClusterRoleBindings
/// grant everywhere, RoleBindings (to a Role of their namespace or to a ClusterRole) only in their namespace.
/// A ClusterRole with an `aggregationRule` has the rules of every ClusterRole its selectors match.
enum RBACAuthorizer {
    static let group = "rbac.authorization.k8s.io"
    static let rolesKey = TypeKey(group: group, resource: "roles")
    static let clusterRolesKey = TypeKey(group: group, resource: "clusterroles")
    static let roleBindingsKey = TypeKey(group: group, resource: "rolebindings")
    static let clusterRoleBindingsKey = TypeKey(group: group, resource: "clusterrolebindings")

    struct Decision: Sendable, Equatable {
        var allowed: Bool
        /// `RBAC: allowed by ClusterRoleBinding "b" of ClusterRole "r" to User "u"` when allowed, else empty.
        var reason: String
    }

    static func authorize(_ request: RequestAttributes, in state: borrowing StoreState) -> Decision {
        for binding in objects(clusterRoleBindingsKey, in: state) {
            guard let subject = matchingSubject(binding, request.user, bindingNamespace: "") else { continue }
            let (kind, name) = roleRef(binding)
            guard kind == "ClusterRole", rules(ofClusterRole: name, in: state).contains(where: { $0.allows(request) }) else { continue }
            return Decision(allowed: true, reason: "RBAC: allowed by ClusterRoleBinding \"\(bindingName(binding))\" of ClusterRole \"\(name)\" to \(subject)")
        }
        guard request.isResourceRequest, !request.namespace.isEmpty else { return Decision(allowed: false, reason: "") }
        for binding in objects(roleBindingsKey, in: state) where binding["metadata"]?["namespace"]?.stringValue == request.namespace {
            guard let subject = matchingSubject(binding, request.user, bindingNamespace: request.namespace) else { continue }
            let (kind, name) = roleRef(binding)
            let rules: [PolicyRule]
            switch kind {
            case "ClusterRole": rules = self.rules(ofClusterRole: name, in: state)
            case "Role": rules = ruleList(state.stored(rolesKey, namespace: request.namespace, name: name)?.value)
            default: rules = []
            }
            guard rules.contains(where: { $0.allows(request) }) else { continue }
            return Decision(
                allowed: true,
                reason: "RBAC: allowed by RoleBinding \"\(bindingName(binding))/\(request.namespace)\" of \(kind) \"\(name)\" to \(subject)")
        }
        return Decision(allowed: false, reason: "")
    }

    /// The rules of a ClusterRole: its own, plus (with an aggregationRule) those of every other ClusterRole a selector matches.
    static func rules(ofClusterRole name: String, in state: borrowing StoreState) -> [PolicyRule] {
        guard let role = state.stored(clusterRolesKey, namespace: "", name: name)?.value else { return [] }
        var rules = ruleList(role)
        guard let selectors = role["aggregationRule"]?["clusterRoleSelectors"]?.arrayValue else { return rules }
        for other in objects(clusterRolesKey, in: state) where other["metadata"]?["name"]?.stringValue != name {
            let labels = other["metadata"]?["labels"]?.objectValue?.compactMapValues(\.stringValue) ?? [:]
            if selectors.contains(where: { LabelSelectorJSON.matches($0, labels) }) {
                for rule in ruleList(other) where !rules.contains(rule) { rules.append(rule) }
            }
        }
        return rules
    }

    static func ruleList(_ role: JSONValue?) -> [PolicyRule] {
        role?["rules"]?.arrayValue?.map(PolicyRule.init) ?? []
    }

    private static func objects(_ key: TypeKey, in state: borrowing StoreState) -> [JSONValue] {
        (state.objects[key] ?? [:]).sorted { $0.key < $1.key }.map(\.value.value)
    }

    private static func bindingName(_ binding: JSONValue) -> String { binding["metadata"]?["name"]?.stringValue ?? "" }

    private static func roleRef(_ binding: JSONValue) -> (kind: String, name: String) {
        (binding["roleRef"]?["kind"]?.stringValue ?? "", binding["roleRef"]?["name"]?.stringValue ?? "")
    }

    /// The first subject of `binding` that `user` is, described as the apiserver does (`User "u"`, `Group "g"`,
    /// `ServiceAccount "name/namespace"`), or nil.
    private static func matchingSubject(_ binding: JSONValue, _ user: UserInfo, bindingNamespace: String) -> String? {
        for subject in binding["subjects"]?.arrayValue ?? [] {
            let kind = subject["kind"]?.stringValue ?? ""
            let name = subject["name"]?.stringValue ?? ""
            switch kind {
            case "User" where user.name == name:
                return "User \"\(name)\""
            case "Group" where user.groups.contains(name):
                return "Group \"\(name)\""
            case "ServiceAccount":
                let namespace = subject["namespace"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? bindingNamespace
                if user.name == "system:serviceaccount:\(namespace):\(name)" { return "ServiceAccount \"\(name)/\(namespace)\"" }
            default:
                continue
            }
        }
        return nil
    }
}

/// Matching a metav1 `LabelSelector` in JSON form (`matchLabels`, `matchExpressions` In/NotIn/Exists/DoesNotExist).
enum LabelSelectorJSON {
    static func matches(_ selector: JSONValue, _ labels: [String: String]) -> Bool {
        for (key, value) in selector["matchLabels"]?.objectValue ?? [:] where labels[key] != value.stringValue {
            return false
        }
        for expression in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = Set(expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            switch expression["operator"]?.stringValue {
            case "In": if !(labels[key].map(values.contains) ?? false) { return false }
            case "NotIn": if labels[key].map(values.contains) ?? false { return false }
            case "Exists": if labels[key] == nil { return false }
            case "DoesNotExist": if labels[key] != nil { return false }
            default: return false
            }
        }
        return true
    }
}
