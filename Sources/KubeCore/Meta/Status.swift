/// `metav1.Status`: the body of API errors and of watch `ERROR` events.
public struct Status: Codable, Sendable, Hashable, Error, CustomStringConvertible {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ListMeta?
    /// `"Success"` or `"Failure"`.
    public var status: String?
    public var message: String?
    /// Machine-readable reason, e.g. `NotFound`, `Conflict`, `AlreadyExists`, `Expired`, `Gone`, `TooManyRequests`.
    public var reason: String?
    public var details: StatusDetails?
    public var code: Int?

    public init(status: String? = "Failure", message: String? = nil, reason: String? = nil, code: Int? = nil, details: StatusDetails? = nil) {
        self.kind = "Status"
        self.apiVersion = "v1"
        self.status = status
        self.message = message
        self.reason = reason
        self.code = code
        self.details = details
    }

    public var isNotFound: Bool { reason == "NotFound" || code == 404 }
    public var isConflict: Bool { reason == "Conflict" || code == 409 && reason != "AlreadyExists" }
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// 410: resource version too old (`Expired`) or the deprecated `Gone`.
    public var isGone: Bool { reason == "Expired" || reason == "Gone" || code == 410 }
    public var isTooManyRequests: Bool { reason == "TooManyRequests" || code == 429 }

    public var description: String {
        "\(code.map(String.init) ?? "?") \(reason ?? "Unknown"): \(message ?? "")"
    }
}

/// `metav1.StatusDetails`.
public struct StatusDetails: Codable, Sendable, Hashable {
    public var name: String?
    public var group: String?
    public var kind: String?
    public var uid: String?
    public var causes: [StatusCause]?
    public var retryAfterSeconds: Int?

    public init(name: String? = nil, group: String? = nil, kind: String? = nil, causes: [StatusCause]? = nil, retryAfterSeconds: Int? = nil) {
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }
}

/// `metav1.StatusCause`.
public struct StatusCause: Codable, Sendable, Hashable {
    public var type: String?
    public var message: String?
    public var field: String?

    public init(type: String? = nil, message: String? = nil, field: String? = nil) {
        self.type = type
        self.message = message
        self.field = field
    }
}
