import EventStore

/// What happened when a batch was committed.
public enum CursorCommitResult: Sendable, Hashable {
    /// Outputs written and the cursor advanced; `inserted` CDEvents were new.
    case committed(inserted: Int)
    /// The cursor was not where this batch started (another replica committed it): nothing was written.
    case moved(to: CursorPosition)
}
