/// Query options of a list call (`labelSelector`, `fieldSelector`, paging, resourceVersion).
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Page size; the server may return fewer items (even zero) plus a continue token.
    public var limit: Int?
    public var continueToken: String?
    public var resourceVersion: String?
    /// `Exact` or `NotOlderThan`; requires ``resourceVersion``.
    public var resourceVersionMatch: String?
    public var timeoutSeconds: Int?

    public init(
        labelSelector: String? = nil, fieldSelector: String? = nil, limit: Int? = nil, continueToken: String? = nil,
        resourceVersion: String? = nil, resourceVersionMatch: String? = nil, timeoutSeconds: Int? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.timeoutSeconds = timeoutSeconds
    }

    var query: [(String, String)] {
        var query: [(String, String)] = []
        if let labelSelector, !labelSelector.isEmpty { query.append(("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(("fieldSelector", fieldSelector)) }
        if let limit { query.append(("limit", String(limit))) }
        if let continueToken, !continueToken.isEmpty { query.append(("continue", continueToken)) }
        if let resourceVersion { query.append(("resourceVersion", resourceVersion)) }
        if let resourceVersionMatch { query.append(("resourceVersionMatch", resourceVersionMatch)) }
        if let timeoutSeconds { query.append(("timeoutSeconds", String(timeoutSeconds))) }
        return query
    }
}

/// Query options of a watch call.
public struct WatchOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Start point: nil/`"0"` = synthetic ADDED for existing objects first; other = only changes after it.
    public var resourceVersion: String?
    public var allowWatchBookmarks: Bool
    /// Server-side duration of the watch; nil = random within the client's `watchTimeoutRange`.
    public var timeoutSeconds: Int?

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil, allowWatchBookmarks: Bool = true, timeoutSeconds: Int? = nil) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowWatchBookmarks = allowWatchBookmarks
        self.timeoutSeconds = timeoutSeconds
    }
}

/// Options of a delete call.
public struct DeleteOptions: Sendable, Hashable {
    /// `Foreground`, `Background` or `Orphan`.
    public var propagationPolicy: String?
    public var gracePeriodSeconds: Int?
    /// Only delete if the object still has this resourceVersion (409 otherwise).
    public var preconditionResourceVersion: String?

    public init(propagationPolicy: String? = nil, gracePeriodSeconds: Int? = nil, preconditionResourceVersion: String? = nil) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionResourceVersion = preconditionResourceVersion
    }
}
