/// The part of the apiserver's bootstrap RBAC policy (`plugin/pkg/auth/authorizer/rbac/bootstrappolicy`) that
/// clients rely on, created when kube-sim starts with RBAC: `cluster-admin` (bound to group `system:masters`),
/// `system:discovery` and `system:basic-user` (bound to `system:authenticated`), `system:public-info-viewer`
/// (bound to `system:authenticated` and `system:unauthenticated`).
enum BootstrapPolicy {
    static let yaml = """
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        rules:
        - {apiGroups: ["*"], resources: ["*"], verbs: ["*"]}
        - {nonResourceURLs: ["*"], verbs: ["*"]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "system:discovery", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        rules:
        - nonResourceURLs: [/api, /api/*, /apis, /apis/*, /healthz, /livez, /openapi, /openapi/*, /readyz, /version, /version/]
          verbs: [get]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "system:basic-user", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        rules:
        - {apiGroups: [authorization.k8s.io], resources: [selfsubjectaccessreviews, selfsubjectrulesreviews], verbs: [create]}
        - {apiGroups: [authentication.k8s.io], resources: [selfsubjectreviews], verbs: [create]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata: {name: "system:public-info-viewer", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        rules:
        - {nonResourceURLs: [/healthz, /livez, /readyz, /version, /version/], verbs: [get]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: cluster-admin, labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:masters"}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "system:discovery", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:discovery"}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "system:basic-user", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:basic-user"}
        subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}]
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: "system:public-info-viewer", labels: {kubernetes.io/bootstrapping: rbac-defaults}}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "system:public-info-viewer"}
        subjects:
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:authenticated"}
        - {apiGroup: rbac.authorization.k8s.io, kind: Group, name: "system:unauthenticated"}
        """
}
