import PacerCore

/// Knobs of a ``Watcher``.
public struct WatcherConfiguration: Sendable {
    public var labelSelector: String?
    public var fieldSelector: String?
    /// Items per list page (`limit`); nil lists in one call.
    public var pageSize: Int? = 500
    /// Server-side `timeoutSeconds` per watch; nil = the client's random 5–10 min.
    public var watchTimeoutSeconds: Int?
    /// Retry delays for failed lists and watches.
    public var backoff = Backoff()
    /// A watch that ends after less than this without delivering anything counts as a failure (backoff).
    public var minimumHealthyWatch: Duration = .seconds(1)

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, pageSize: Int? = 500, watchTimeoutSeconds: Int? = nil, backoff: Backoff = Backoff()) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.pageSize = pageSize
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.backoff = backoff
    }
}
