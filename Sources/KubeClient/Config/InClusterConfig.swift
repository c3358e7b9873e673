import Foundation

extension KubeClientConfiguration {
    /// Paths of the service-account files mounted into every pod.
    public struct InClusterPaths: Sendable {
        public var token = "/var/run/secrets/kubernetes.io/serviceaccount/token"
        public var caCertificate = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
        public var namespace = "/var/run/secrets/kubernetes.io/serviceaccount/namespace"

        public init() {}

        /// All three files in one directory (for tests).
        public init(directory: String) {
            token = directory + "/token"
            caCertificate = directory + "/ca.crt"
            namespace = directory + "/namespace"
        }
    }

    /// In-cluster configuration: `https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT`, the
    /// service-account token (re-read when it changes), `ca.crt` and the namespace file.
    public static func inCluster(
        environment: [String: String] = ProcessInfo.processInfo.environment, paths: InClusterPaths = InClusterPaths()
    ) throws(KubeConfigError) -> KubeClientConfiguration {
        func fail(_ message: String) -> KubeConfigError { KubeConfigError(source: "in-cluster", message: message) }
        guard let host = environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty else {
            throw fail("KUBERNETES_SERVICE_HOST is not set")
        }
        guard let port = environment["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw fail("KUBERNETES_SERVICE_PORT is not set")
        }
        guard FileManager.default.isReadableFile(atPath: paths.token) else {
            throw fail("service-account token \(paths.token) not readable")
        }
        guard let ca = FileManager.default.contents(atPath: paths.caCertificate) else {
            throw fail("CA certificate \(paths.caCertificate) not readable")
        }
        let namespace = FileManager.default.contents(atPath: paths.namespace)
            .map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            .flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        // IPv6 service hosts need brackets.
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        return KubeClientConfiguration(
            server: "https://\(hostPart):\(port)", namespace: namespace, authentication: .tokenFile(paths.token),
            tls: TLS(caPEM: Array(ca)), source: "in-cluster")
    }
}
