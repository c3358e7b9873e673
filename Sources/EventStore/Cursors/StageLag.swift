/// How far a stage is behind the newest stored row of the table it reads.
public struct StageLag: Sendable, Hashable {
    /// Rows after the cursor (counted up to a limit, see ``StageCursor/lag(after:countLimit:client:)``).
    public var events: Int64
    /// Age of the first row after the cursor in commit order (0 when caught up).
    public var seconds: Double

    public init(events: Int64, seconds: Double) {
        self.events = events
        self.seconds = seconds
    }
}
