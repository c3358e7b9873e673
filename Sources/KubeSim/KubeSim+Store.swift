import Foundation
import PacerCore

extension KubeSim {
    // MARK: kubeconfig

    /// A kubeconfig (YAML) for this server: cluster, user with the bearer token, context, current-context.
    public func kubeconfig() -> String {
        var lines = [
            "apiVersion: v1",
            "kind: Config",
            "clusters:",
            "- name: kube-sim",
            "  cluster:",
            "    server: \(url.absoluteString)",
        ]
        if let tls = configuration.tls, let ca = FileManager.default.contents(atPath: tls.caCertificatePath) {
            lines.append("    certificate-authority-data: \(ca.base64EncodedString())")
        }
        lines += [
            "users:",
            "- name: kube-sim",
            "  user:",
        ]
        if let token = configuration.token {
            lines.append("    token: \"\(token)\"")
        } else {
            lines.append("    {}")
        }
        lines += [
            "contexts:",
            "- name: kube-sim",
            "  context:",
            "    cluster: kube-sim",
            "    user: kube-sim",
            "    namespace: default",
            "current-context: kube-sim",
            "preferences: {}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    public func writeKubeconfig(to path: String) throws {
        try kubeconfig().write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: Direct store access (no HTTP)

    /// Creates or updates every object of a (multi-document) YAML stream, in order. CRDs are registered
    /// as soon as they are stored, so later documents may use their kinds. Unlike the HTTP API this
    /// also stores `.status` as given. Namespaced objects without a namespace go to `default`.
    public func apply(yaml: String) async throws {
        let documents: [JSONValue]
        do {
            documents = try YAML.documents(yaml)
        } catch {
            throw KubeSimError(code: 400, reason: "BadRequest", message: "invalid YAML: \(error)")
        }
        try applyDocuments(documents)
    }

    func applyDocuments(_ documents: [JSONValue]) throws {
        for document in documents {
            try applyOne(document)
        }
    }

    /// Issues a token for an existing ServiceAccount, as `POST .../serviceaccounts/NAME/token` does
    /// (audience `https://kubernetes.default.svc.cluster.local`).
    public func serviceAccountToken(namespace: String, name: String, expirationSeconds: Int = 3600) throws -> String {
        guard let account = store.read({ $0.stored(ServiceAccounts.key, namespace: namespace, name: name) })?.value else {
            throw KubeSimError(APIError.notFound(ServiceAccounts.key, name))
        }
        return authenticator.issue(
            namespace: namespace, name: name, uid: account["metadata"]?["uid"]?.stringValue ?? "",
            expires: Date().addingTimeInterval(TimeInterval(expirationSeconds)), audiences: [Authenticator.defaultAudience])
    }

    private func applyOne(_ document: JSONValue) throws {
        guard let apiVersion = document["apiVersion"]?.stringValue, let kind = document["kind"]?.stringValue else {
            throw KubeSimError(code: 400, reason: "BadRequest", message: "object is missing apiVersion or kind")
        }
        let version = apiVersion.split(separator: "/").last.map(String.init) ?? apiVersion
        do {
            try store.transact { state in
                guard let type = state.type(apiVersion: apiVersion, kind: kind) else {
                    throw APIError.badRequest("no kind \"\(kind)\" is registered for version \"\(apiVersion)\"")
                }
                var object = document
                let namespace = type.namespaced ? (object["metadata"]?["namespace"]?.stringValue ?? "default") : nil
                if let namespace { object["metadata"]?["namespace"] = .string(namespace) }
                let name = object["metadata"]?["name"]?.stringValue ?? ""
                var options = WriteOptions()
                options.internalWrite = true
                options.fieldValidation = .strict
                if !name.isEmpty, state.stored(type.key, namespace: namespace ?? "", name: name) != nil {
                    object["metadata"]?["resourceVersion"] = nil
                    _ = try state.update(type, version: version, namespace: namespace, name: name, body: object, subresource: nil, options: options)
                } else {
                    _ = try state.create(type, version: version, namespace: namespace, body: object, options: options)
                }
            }
        } catch let error as APIError {
            throw KubeSimError(error)
        }
    }

    /// The stored object (in the requested version), or nil.
    public func object(group: String, version: String, resource: String, namespace: String?, name: String) async -> JSONValue? {
        store.read { state -> JSONValue? in
            guard let type = state.type(group: group, version: version, resource: resource),
                var object = state.stored(type.key, namespace: type.namespaced ? (namespace ?? "") : "", name: name)?.value
            else { return nil }
            object["apiVersion"] = .string(type.apiVersion(version))
            return object
        }
    }

    /// The current (latest) resourceVersion of the store.
    public var resourceVersion: String { String(store.currentResourceVersion) }

    /// Watches open right now (the simulated controllers' included): lets a test wait until a client is watching.
    public var openWatchCount: Int { store.read { $0.openWatchCount } }
}
