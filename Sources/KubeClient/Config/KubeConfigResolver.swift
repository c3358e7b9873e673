import Foundation
import Yams

/// Turns kubeconfig text into a ``KubeClientConfiguration``; every failure is a one-line ``KubeConfigError``.
struct KubeConfigResolver {
    var source: String
    var baseDirectory: String

    func resolve(text: String, context requested: String?) throws(KubeConfigError) -> KubeClientConfiguration {
        let config: KubeConfig
        do {
            config = try YAMLDecoder().decode(KubeConfig.self, from: text)
        } catch {
            throw fail("invalid YAML: \(Self.oneLine(error))")
        }
        guard let contextName = requested ?? config.currentContext, !contextName.isEmpty else {
            throw fail("no context given and current-context is not set")
        }
        guard let context = config.contexts?.first(where: { $0.name == contextName })?.context else {
            throw fail("context \"\(contextName)\" not found")
        }
        guard let cluster = config.clusters?.first(where: { $0.name == context.cluster })?.cluster else {
            throw fail("cluster \"\(context.cluster)\" (of context \"\(contextName)\") not found")
        }
        var user = KubeConfig.AuthInfo?.none
        if let userName = context.user, !userName.isEmpty {
            guard let found = config.users?.first(where: { $0.name == userName })?.user else {
                throw fail("user \"\(userName)\" (of context \"\(contextName)\") not found")
            }
            user = found
        }
        guard cluster.server.hasPrefix("https://") || cluster.server.hasPrefix("http://") else {
            throw fail("cluster \"\(context.cluster)\": server \"\(cluster.server)\" is not an http(s) URL")
        }
        var tls = KubeClientConfiguration.TLS(insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false, serverName: cluster.tlsServerName)
        tls.caPEM = try material(data: cluster.certificateAuthorityData, file: cluster.certificateAuthority, what: "certificate-authority")
        var auth = KubeClientConfiguration.Authentication.none
        if let user {
            tls.clientCertificatePEM = try material(data: user.clientCertificateData, file: user.clientCertificate, what: "client-certificate")
            tls.clientKeyPEM = try material(data: user.clientKeyData, file: user.clientKey, what: "client-key")
            if (tls.clientCertificatePEM == nil) != (tls.clientKeyPEM == nil) {
                throw fail("user \"\(context.user ?? "")\": client certificate and client key must be given together")
            }
            if let token = user.token, !token.isEmpty {
                auth = .bearer(token)
            } else if let file = user.tokenFile, !file.isEmpty {
                let path = absolute(file)
                guard FileManager.default.isReadableFile(atPath: path) else { throw fail("tokenFile \(path) not readable") }
                auth = .tokenFile(path)
            } else if let username = user.username, let password = user.password {
                auth = .basic(username: username, password: password)
            } else if let exec = user.exec {
                auth = .exec(try plugin(exec, user: context.user ?? ""))
            }
        }
        var result = KubeClientConfiguration(
            server: cluster.server, namespace: context.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? "default",
            authentication: auth, tls: tls, source: "kubeconfig \(source) context \(contextName)")
        result.tls = tls
        return result
    }

    /// The plugin of `users[].user.exec`: `client.authentication.k8s.io/v1` or `v1beta1` (what client-go accepts).
    private func plugin(_ exec: KubeConfig.ExecConfig, user: String) throws(KubeConfigError) -> KubeClientConfiguration.ExecPlugin {
        let versions = ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"]
        guard let apiVersion = exec.apiVersion, versions.contains(apiVersion) else {
            throw fail("user \"\(user)\": exec apiVersion must be one of \(versions.joined(separator: ", ")), got \"\(exec.apiVersion ?? "")\"")
        }
        guard !exec.command.isEmpty else { throw fail("user \"\(user)\": exec command is empty") }
        // A command with a slash but not absolute is relative to the kubeconfig's folder (client-go's rule).
        let command = exec.command.contains("/") ? absolute(exec.command) : exec.command
        var environment: [String: String] = [:]
        for variable in exec.env ?? [] { environment[variable.name] = variable.value }
        return KubeClientConfiguration.ExecPlugin(
            apiVersion: apiVersion, command: command, arguments: exec.args ?? [], environment: environment, installHint: exec.installHint)
    }

    private func material(data: String?, file: String?, what: String) throws(KubeConfigError) -> [UInt8]? {
        if let data, !data.isEmpty {
            let compact = data.filter { !$0.isWhitespace }
            guard let decoded = Data(base64Encoded: compact) else { throw fail("\(what)-data is not valid base64") }
            return Array(decoded)
        }
        if let file, !file.isEmpty {
            let path = absolute(file)
            guard let contents = FileManager.default.contents(atPath: path) else { throw fail("\(what) file \(path) not readable") }
            return Array(contents)
        }
        return nil
    }

    private func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : baseDirectory + "/" + path
    }

    private func fail(_ message: String) -> KubeConfigError {
        KubeConfigError(source: source, message: message)
    }

    static func oneLine(_ error: any Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
