/// One wake-up of a ``NotificationWaker``: every reason to look again since the previous one, coalesced.
public struct Wake: Sendable, Hashable {
    /// The channels that may have news: those notified, or all of them after the first wake, a (re)connect or a poll,
    /// when notifications may have been missed. Empty when the stage itself asked for another round.
    public var channels: Set<String>

    public init(channels: Set<String>) {
        self.channels = channels
    }
}
