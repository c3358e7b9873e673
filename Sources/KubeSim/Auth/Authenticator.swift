import Foundation
import PacerCore
import Synchronization

/// Bearer-token authentication: static tokens (the kubeconfig user, `--token-auth-file` users) and the
/// ServiceAccount tokens this server issued through TokenRequest. A ServiceAccount token is valid until it
/// expires and only while the ServiceAccount it was issued for (same uid) exists, like a bound token.
final class Authenticator: Sendable {
    struct IssuedToken: Sendable {
        var namespace: String
        var name: String
        var uid: String
        var expires: Date
        var audiences: [String]
    }

    enum Outcome: Sendable, Equatable {
        case user(UserInfo, audiences: [String])
        /// No credentials at all (anonymous when allowed).
        case none
        case invalid(String)
    }

    static let defaultAudience = "https://kubernetes.default.svc.cluster.local"

    private let staticTokens: [String: UserInfo]
    private let issued = Mutex<[String: IssuedToken]>([:])

    init(staticTokens: [String: UserInfo]) {
        self.staticTokens = staticTokens.mapValues { $0.authenticated() }
    }

    /// Authenticates an `Authorization` header value against the store (for ServiceAccount existence).
    func authenticate(header: String?, store: ObjectStore) -> Outcome {
        guard let header else { return .none }
        guard header.hasPrefix("Bearer "), case let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            return .invalid("invalid bearer token")
        }
        return authenticate(token: token, store: store)
    }

    func authenticate(token: String, store: ObjectStore) -> Outcome {
        if let user = staticTokens[token] { return .user(user, audiences: [Self.defaultAudience]) }
        guard let issuedToken = issued.withLock({ $0[token] }) else { return .invalid("invalid bearer token") }
        guard issuedToken.expires > Date() else { return .invalid("service account token has expired") }
        let current = store.read { $0.stored(ServiceAccounts.key, namespace: issuedToken.namespace, name: issuedToken.name) }
        guard current?.value["metadata"]?["uid"]?.stringValue == issuedToken.uid else {
            return .invalid("service account \(issuedToken.namespace)/\(issuedToken.name) has been deleted")
        }
        let user = UserInfo.serviceAccount(namespace: issuedToken.namespace, name: issuedToken.name, uid: issuedToken.uid)
        return .user(user, audiences: issuedToken.audiences)
    }

    /// Issues a new opaque token for a ServiceAccount (TokenRequest).
    func issue(namespace: String, name: String, uid: String, expires: Date, audiences: [String]) -> String {
        var random = SystemRandomNumberGenerator()
        let token = "kube-sim-sa." + (0..<4).map { _ in String(random.next(), radix: 16) }.joined()
        issued.withLock { $0[token] = IssuedToken(namespace: namespace, name: name, uid: uid, expires: expires, audiences: audiences) }
        return token
    }
}
