import PacerCore

/// An authenticated (or anonymous) user, as the apiserver's `user.Info`: name, uid, groups, extra.
public struct UserInfo: Sendable, Hashable {
    public var name: String
    public var uid: String
    public var groups: [String]
    public var extra: [String: [String]]

    public init(name: String, uid: String = "", groups: [String] = [], extra: [String: [String]] = [:]) {
        self.name = name
        self.uid = uid
        self.groups = groups
        self.extra = extra
    }

    /// `system:anonymous` in group `system:unauthenticated` (a request without credentials, `--anonymous-auth`).
    public static let anonymous = UserInfo(name: "system:anonymous", groups: ["system:unauthenticated"])

    /// The user of a ServiceAccount token: `system:serviceaccount:NS:NAME`, groups `system:serviceaccounts`,
    /// `system:serviceaccounts:NS` and `system:authenticated`.
    static func serviceAccount(namespace: String, name: String, uid: String) -> UserInfo {
        UserInfo(
            name: "system:serviceaccount:\(namespace):\(name)", uid: uid,
            groups: ["system:serviceaccounts", "system:serviceaccounts:\(namespace)", "system:authenticated"])
    }

    /// Adds `system:authenticated` (every authenticated user is in it) unless present.
    func authenticated() -> UserInfo {
        var copy = self
        if !copy.groups.contains("system:authenticated") { copy.groups.append("system:authenticated") }
        return copy
    }

    /// `authentication.k8s.io/v1` `UserInfo` JSON.
    var json: JSONValue {
        var object: [String: JSONValue] = ["username": .string(name)]
        if !uid.isEmpty { object["uid"] = .string(uid) }
        if !groups.isEmpty { object["groups"] = .array(groups.map(JSONValue.string)) }
        if !extra.isEmpty { object["extra"] = .object(extra.mapValues { .array($0.map(JSONValue.string)) }) }
        return .object(object)
    }
}
