import KubeCore

/// Callbacks of an ``Informer``. Each is optional. Calls for one informer come from its run
/// task one at a time, in event order (resync calls come from the same task).
public struct InformerHandler<Object: KubernetesResource>: Sendable {
    public var added: (@Sendable (Object) async -> Void)?
    public var updated: (@Sendable (_ old: Object, _ new: Object) async -> Void)?
    public var deleted: (@Sendable (Object) async -> Void)?
    /// Periodic resync of every cached object (only when ``InformerConfiguration/resyncInterval`` is set).
    public var resync: (@Sendable (Object) async -> Void)?

    public init(
        added: (@Sendable (Object) async -> Void)? = nil,
        updated: (@Sendable (_ old: Object, _ new: Object) async -> Void)? = nil,
        deleted: (@Sendable (Object) async -> Void)? = nil,
        resync: (@Sendable (Object) async -> Void)? = nil
    ) {
        self.added = added
        self.updated = updated
        self.deleted = deleted
        self.resync = resync
    }

    /// A handler that enqueues the key of every added/updated/deleted/resynced object.
    public static func enqueue(into queue: WorkQueue<ObjectKey>) -> InformerHandler {
        let add: @Sendable (Object) async -> Void = { object in
            if let key = object.key { queue.add(key) }
        }
        return InformerHandler(added: add, updated: { _, new in await add(new) }, deleted: add, resync: add)
    }

    func dispatch(_ change: StoreChange<Object>) async {
        switch change {
        case .added(let object): await added?(object)
        case .updated(let old, let new): await updated?(old, new)
        case .deleted(let object): await deleted?(object)
        }
    }
}

/// Knobs of an ``Informer``.
public struct InformerConfiguration: Sendable {
    public var watcher: WatcherConfiguration
    /// Call `resync` for every cached object this often; nil (default) = never.
    public var resyncInterval: Duration?

    public init(watcher: WatcherConfiguration = WatcherConfiguration(), resyncInterval: Duration? = nil) {
        self.watcher = watcher
        self.resyncInterval = resyncInterval
    }
}
