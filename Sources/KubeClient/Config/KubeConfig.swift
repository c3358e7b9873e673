/// The kubeconfig file model (`clusters`, `contexts`, `users`, `current-context`), decoded with Yams.
/// Only the fields Pacer uses are modelled; unknown keys (exec plugins, extensions) are ignored.
public struct KubeConfig: Codable, Sendable, Hashable {
    public var clusters: [NamedCluster]?
    public var contexts: [NamedContext]?
    public var users: [NamedUser]?
    public var currentContext: String?

    enum CodingKeys: String, CodingKey {
        case clusters, contexts, users
        case currentContext = "current-context"
    }

    public struct NamedCluster: Codable, Sendable, Hashable {
        public var name: String
        public var cluster: Cluster
    }

    public struct Cluster: Codable, Sendable, Hashable {
        public var server: String
        public var certificateAuthority: String?
        public var certificateAuthorityData: String?
        public var insecureSkipTLSVerify: Bool?
        public var tlsServerName: String?

        enum CodingKeys: String, CodingKey {
            case server
            case certificateAuthority = "certificate-authority"
            case certificateAuthorityData = "certificate-authority-data"
            case insecureSkipTLSVerify = "insecure-skip-tls-verify"
            case tlsServerName = "tls-server-name"
        }
    }

    public struct NamedContext: Codable, Sendable, Hashable {
        public var name: String
        public var context: Context
    }

    public struct Context: Codable, Sendable, Hashable {
        public var cluster: String
        public var user: String?
        public var namespace: String?
    }

    public struct NamedUser: Codable, Sendable, Hashable {
        public var name: String
        public var user: AuthInfo
    }

    public struct AuthInfo: Codable, Sendable, Hashable {
        public var token: String?
        public var tokenFile: String?
        public var clientCertificate: String?
        public var clientCertificateData: String?
        public var clientKey: String?
        public var clientKeyData: String?
        public var username: String?
        public var password: String?
        /// A credential plugin (`client.authentication.k8s.io`), as EKS, GKE and AKS kubeconfigs use.
        public var exec: ExecConfig?

        enum CodingKeys: String, CodingKey {
            case token
            case tokenFile = "tokenFile"
            case clientCertificate = "client-certificate"
            case clientCertificateData = "client-certificate-data"
            case clientKey = "client-key"
            case clientKeyData = "client-key-data"
            case username, password, exec
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            token = try container.decodeIfPresent(String.self, forKey: .token)
            // Both spellings exist in the wild: `tokenFile` (client-go) and `token-file`.
            tokenFile = try container.decodeIfPresent(String.self, forKey: .tokenFile)
                ?? (try decoder.container(keyedBy: AltKeys.self).decodeIfPresent(String.self, forKey: .tokenFile))
            clientCertificate = try container.decodeIfPresent(String.self, forKey: .clientCertificate)
            clientCertificateData = try container.decodeIfPresent(String.self, forKey: .clientCertificateData)
            clientKey = try container.decodeIfPresent(String.self, forKey: .clientKey)
            clientKeyData = try container.decodeIfPresent(String.self, forKey: .clientKeyData)
            username = try container.decodeIfPresent(String.self, forKey: .username)
            password = try container.decodeIfPresent(String.self, forKey: .password)
            exec = try container.decodeIfPresent(ExecConfig.self, forKey: .exec)
        }

        enum AltKeys: String, CodingKey { case tokenFile = "token-file" }
    }

    /// `users[].user.exec` of a kubeconfig.
    public struct ExecConfig: Codable, Sendable, Hashable {
        public var apiVersion: String?
        public var command: String
        public var args: [String]?
        public var env: [EnvVar]?
        public var installHint: String?

        public struct EnvVar: Codable, Sendable, Hashable {
            public var name: String
            public var value: String
        }
    }
}
