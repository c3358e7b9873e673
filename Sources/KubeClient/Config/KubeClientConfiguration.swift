import Foundation

/// A resolved connection: API server URL, credentials, TLS material and default namespace.
///
/// Build it with ``resolve(kubeconfigPath:context:environment:)`` (kubeconfig, then in-cluster),
/// ``fromKubeconfig(path:context:environment:)`` or ``inCluster(environment:paths:)``.
public struct KubeClientConfiguration: Sendable {
    /// `https://host:port` (or `http://` for kube-sim); no trailing slash.
    public var server: String
    /// The namespace of the context (or the in-cluster namespace file); `default` when unset.
    public var namespace: String
    public var authentication: Authentication
    public var tls: TLS
    /// Timeout for non-watch requests (time until the full response arrived).
    public var requestTimeout: Duration = .seconds(30)
    /// Connect timeout for every request.
    public var connectTimeout: Duration = .seconds(10)
    /// Idle-read watchdog for watch streams. Watches ask the server to close them after
    /// ``watchTimeoutRange`` seconds, so this must be longer than its upper bound.
    public var watchIdleTimeout: Duration = .seconds(660)
    /// The server-side `timeoutSeconds` of each watch is drawn at random from this range.
    public var watchTimeoutRange: ClosedRange<Int> = 300...600
    /// Largest single JSON value accepted in a watch stream or response body.
    public var maxBodyBytes: Int = 16 * 1024 * 1024
    /// Where this configuration came from (for logs and errors).
    public var source: String

    /// How requests authenticate.
    public enum Authentication: Sendable, Hashable {
        case none
        case bearer(String)
        /// A token file re-read when it changes (projected service-account tokens rotate).
        case tokenFile(String)
        case basic(username: String, password: String)
        /// A credential plugin run for a token, cached until it expires and run again on 401.
        case exec(ExecPlugin)
    }

    /// A credential plugin: the command (resolved like a shell would, through `PATH`, or relative to the
    /// kubeconfig's folder when it contains a slash), its arguments and extra environment.
    public struct ExecPlugin: Sendable, Hashable {
        public var apiVersion: String
        public var command: String
        public var arguments: [String]
        public var environment: [String: String]
        public var installHint: String?

        public init(apiVersion: String, command: String, arguments: [String] = [], environment: [String: String] = [:], installHint: String? = nil) {
            self.apiVersion = apiVersion
            self.command = command
            self.arguments = arguments
            self.environment = environment
            self.installHint = installHint
        }
    }

    /// TLS material, PEM bytes already loaded (files are read at resolution time).
    public struct TLS: Sendable, Hashable {
        public var caPEM: [UInt8]?
        public var clientCertificatePEM: [UInt8]?
        public var clientKeyPEM: [UInt8]?
        public var insecureSkipVerify: Bool
        public var serverName: String?

        public init(caPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil, insecureSkipVerify: Bool = false, serverName: String? = nil) {
            self.caPEM = caPEM
            self.clientCertificatePEM = clientCertificatePEM
            self.clientKeyPEM = clientKeyPEM
            self.insecureSkipVerify = insecureSkipVerify
            self.serverName = serverName
        }
    }

    public init(server: String, namespace: String = "default", authentication: Authentication = .none, tls: TLS = TLS(), source: String = "explicit") {
        var server = server
        while server.hasSuffix("/") { server.removeLast() }
        self.server = server
        self.namespace = namespace
        self.authentication = authentication
        self.tls = tls
        self.source = source
    }
}

extension KubeClientConfiguration {
    /// Resolution order: `kubeconfigPath` (e.g. `--kubeconfig`), then `$KUBECONFIG` (first path of a
    /// colon-separated list), then `~/.kube/config` if it exists, then in-cluster when
    /// `KUBERNETES_SERVICE_HOST` is set. An explicitly named file that is missing is an error.
    public static func resolve(
        kubeconfigPath: String? = nil, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError) -> KubeClientConfiguration {
        if let path = kubeconfigPath, !path.isEmpty {
            return try fromKubeconfig(path: path, context: context, environment: environment)
        }
        if let list = environment["KUBECONFIG"], let first = list.split(separator: ":").first.map(String.init), !first.isEmpty {
            return try fromKubeconfig(path: first, context: context, environment: environment)
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        let defaultPath = home + "/.kube/config"
        if FileManager.default.fileExists(atPath: defaultPath) {
            return try fromKubeconfig(path: defaultPath, context: context, environment: environment)
        }
        if environment["KUBERNETES_SERVICE_HOST"] != nil {
            return try inCluster(environment: environment)
        }
        throw KubeConfigError(source: defaultPath, message: "no kubeconfig found (tried --kubeconfig, $KUBECONFIG, ~/.kube/config) and not running in a cluster")
    }

    /// Loads a kubeconfig file and resolves `context` (or its `current-context`).
    public static func fromKubeconfig(
        path: String, context: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(KubeConfigError) -> KubeClientConfiguration {
        let path = expandTilde(path, environment: environment)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError(source: path, message: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "file not found")
        }
        let text = String(decoding: data, as: UTF8.self)
        let directory = (path as NSString).deletingLastPathComponent
        return try KubeConfigResolver(source: path, baseDirectory: directory).resolve(text: text, context: context)
    }

    /// Resolves an in-memory kubeconfig (e.g. `KubeSim.kubeconfig()`); relative paths are relative to `baseDirectory`.
    public static func fromKubeconfig(
        text: String, context: String? = nil, source: String = "<memory>", baseDirectory: String = "."
    ) throws(KubeConfigError) -> KubeClientConfiguration {
        try KubeConfigResolver(source: source, baseDirectory: baseDirectory).resolve(text: text, context: context)
    }

    static func expandTilde(_ path: String, environment: [String: String]) -> String {
        guard path.hasPrefix("~/") else { return path }
        return (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst()
    }
}
