/// What a ``Watcher`` tells its consumer (the kube-rs `watcher::Event` shape).
public enum WatcherEvent<Object: Sendable>: Sendable {
    /// A (re)list begins; a store should start buffering a fresh snapshot.
    case initStarted
    /// One object of the (re)list.
    case initApply(Object)
    /// The (re)list is complete; a store should atomically replace its contents with the buffer.
    case initDone
    /// An object was added or modified after the list.
    case apply(Object)
    /// An object was deleted (last known state). Deletes can be missed across relists; a
    /// store-based consumer (``Informer``) recovers them by diffing.
    case delete(Object)
}
