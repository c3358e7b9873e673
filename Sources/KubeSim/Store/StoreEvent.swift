import PacerCore

/// The watch event types the store records (BOOKMARK and ERROR are produced by the watch endpoint).
enum StoreEventType: String, Sendable {
    case added = "ADDED"
    case modified = "MODIFIED"
    case deleted = "DELETED"
}

/// One committed change, kept in the bounded history and fanned out to open watches.
struct StoreEvent: Sendable {
    var type: StoreEventType
    var resourceVersion: Int64
    var typeKey: TypeKey
    var namespace: String
    var name: String
    var object: JSONValue
    /// `object` serialised once at commit time (storage version).
    var bytes: [UInt8]
    /// The stored state before a MODIFIED or DELETED change, with its own resourceVersion (selector enter/leave
    /// handling, and the snapshot a `continue` page is read from).
    var old: JSONValue?
}

/// What an open watch receives from the store.
enum WatchSignal: Sendable {
    case event(StoreEvent)
    /// All changes up to this resourceVersion have been delivered.
    case bookmark(Int64)
    /// Close the stream abruptly (fault injection).
    case drop
    /// End the stream cleanly (type removed, server stopping).
    case close
}

/// A stored object with its serialised form.
struct StoredObject: Sendable {
    var value: JSONValue
    var bytes: [UInt8]
    var resourceVersion: Int64
}

/// The result of a write: the object as stored (or as it would be, for dry runs) and response hints.
struct WriteResult: Sendable {
    var object: JSONValue
    var bytes: [UInt8]
    var warnings: [String] = []
    /// HTTP status to answer with: 201 for creates, 202 for a delete waiting on finalizers, 200 otherwise.
    var httpStatus: Int = 200
    /// `object` is a `Status` (a completed DELETE), rendered as is.
    var isStatus = false
}

/// `fieldValidation` query parameter.
enum FieldValidation: String, Sendable {
    case strict = "Strict"
    case warn = "Warn"
    case ignore = "Ignore"
}

/// Options shared by the write verbs.
struct WriteOptions: Sendable {
    var dryRun = false
    var fieldValidation: FieldValidation = .warn
    var fieldManager: String?
    /// The manager of non-apply writes without `fieldManager`: the User-Agent up to its first `/`, as the apiserver.
    var defaultManager = "unknown"
    /// `force=true` on an apply: take over fields other managers own.
    var force = false
    /// Set by apply: the applied configuration (a create) or the computed managedFields (an update).
    var applyConfig: JSONValue?
    var managedFieldsOverride: JSONValue?
    var isApply = false
    /// Direct store access (library `apply(yaml:)`, rollout controller): keeps `.status` on main-resource writes.
    var internalWrite = false
}

extension WriteOptions {
    /// The manager a non-apply write is recorded under.
    var manager: String { fieldManager.flatMap { $0.isEmpty ? nil : $0 } ?? defaultManager }
}
